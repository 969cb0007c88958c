"""One scheduler at a time on SQLite: a lock row with an expiry that the holder renews.

APScheduler has no inter-process coordination (ANCHORS.md B.2.1), and SQLite has no `SKIP LOCKED`, so a
second scheduler on the same file is refused (or waits as a standby). A holder that stops renewing loses the
lock when it expires; a holder whose process is gone from this host loses it at once, so a restart after a
crash does not wait for the expiry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, update

from storage.outbox import utc
from storage.reminder_tables import SchedulerLockRow

LOCKS = SchedulerLockRow.__table__  # type: ignore[attr-defined]
NAME = "scheduler"


@dataclass(frozen=True)
class Holder:
    holder: str
    host: str
    pid: int
    acquired_at: datetime
    expires_at: datetime


def current(conn: Connection, name: str = NAME) -> Holder | None:
    row = conn.execute(select(LOCKS).where(LOCKS.c.name == name)).first()
    if row is None:
        return None
    return Holder(row.holder, row.host, row.pid, utc(row.acquired_at), utc(row.expires_at))


def acquire(conn: Connection, holder: str, host: str, pid: int, now: datetime, ttl: timedelta,
            process_gone: Callable[[str, int], bool], name: str = NAME) -> Holder | None:
    """Take the lock; returns None on success, or the live holder that keeps it.

    Call inside a write transaction (BEGIN IMMEDIATE), so two starters cannot both win.
    """
    held = current(conn, name)
    if held is not None and held.holder != holder and held.expires_at > utc(now) \
            and not process_gone(held.host, held.pid):
        return held
    conn.execute(delete(LOCKS).where(LOCKS.c.name == name))
    conn.execute(LOCKS.insert().values(name=name, holder=holder, host=host, pid=pid, acquired_at=utc(now),
                                       expires_at=utc(now + ttl)))
    return None


def renew(conn: Connection, holder: str, now: datetime, ttl: timedelta, name: str = NAME) -> bool:
    """Extend the lock; False if another process holds it now."""
    result = conn.execute(update(LOCKS).where(LOCKS.c.name == name, LOCKS.c.holder == holder)
                          .values(expires_at=utc(now + ttl)))
    return bool(result.rowcount)


def release(conn: Connection, holder: str, name: str = NAME) -> None:
    conn.execute(delete(LOCKS).where(LOCKS.c.name == name, LOCKS.c.holder == holder))
