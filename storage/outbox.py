"""The outbox table: written by the sweep, claimed and settled by dispatchers.

Claiming: PostgreSQL locks due rows with `FOR UPDATE SKIP LOCKED`, so several processes take disjoint batches;
SQLite serialises writers with `BEGIN IMMEDIATE` (storage/engine.py). Either way a claimed row is leased to
one worker until `lease_until`: a worker that dies leaves its rows to be claimed again when the lease ends.
Settling a row checks that the worker still holds it, so a worker whose lease ran out cannot overwrite the
outcome of the one that took over (ANCHORS.md B.5.4).
"""

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from notifications.outbox import OutboxItem
from storage.failures import NO_RETRY, BusyRetry
from storage.paging import DEFAULT_LIMIT, KeyOrder, Page
from storage.reminder_tables import DigestRunRow, OutboxRow, SweepCursorRow
from storage.tables import DeadlineRow

logger = logging.getLogger(__name__)

OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
DEADLINES = DeadlineRow.__table__  # type: ignore[attr-defined]
CURSORS = SweepCursorRow.__table__  # type: ignore[attr-defined]
DIGEST_RUNS = DigestRunRow.__table__  # type: ignore[attr-defined]
RETRYABLE = ("pending", "failed")


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; every value we bind is converted to UTC first."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _insert_into(conn: Connection, table: Any) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def _insert(conn: Connection) -> Any:
    return _insert_into(conn, OUTBOX)


def existing_keys(conn: Connection, deadline_ids: Sequence[int]) -> set[str]:
    if not deadline_ids:
        return set()
    return set(conn.execute(select(OUTBOX.c.key).where(OUTBOX.c.deadline_id.in_(deadline_ids))).scalars())


def insert_new(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert rows whose key is new; a key another process wrote first is skipped. Returns rows written."""
    if not rows:
        return 0
    ordered = sorted(rows, key=lambda r: r["key"])  # one order for every process: no deadlock on PostgreSQL
    # Without RETURNING the driver's executemany runs one short statement per row (pipelined by psycopg) and
    # sums the rows written (`preserve_rowcount`: SQLAlchemy drops an executemany's count on psycopg otherwise);
    # RETURNING made SQLAlchemy build one statement of thousands of parameters that psycopg parsed again for
    # every batch, most of a sweep's time (issue 14).
    stmt = _insert(conn).on_conflict_do_nothing(index_elements=["key"]).execution_options(preserve_rowcount=True)
    return int(conn.execute(stmt, ordered).rowcount)


def cancel_moot(conn: Connection) -> int:
    """Cancel waiting rows whose deadline was closed, moved to another due date, or removed."""
    still_owed = exists().where(DEADLINES.c.id == OUTBOX.c.deadline_id, DEADLINES.c.status == "open",
                                DEADLINES.c.due_on == OUTBOX.c.due_on)
    result = conn.execute(update(OUTBOX).where(
        OUTBOX.c.status.in_(RETRYABLE), OUTBOX.c.deadline_id.is_not(None), ~still_owed,
    ).values(status="cancelled", lease_until=None, last_error="the deadline was closed or its due date changed"))
    return int(result.rowcount or 0)


def _item(row: Any) -> OutboxItem:
    return OutboxItem(id=row.id, key=row.key, kind=row.kind, slot=row.slot, role=row.role,
                      deadline_id=row.deadline_id, due_on=row.due_on, org=row.org, fire_at=utc(row.fire_at),
                      late=bool(row.late), attempts=row.attempts,
                      done=frozenset(c for c in (row.channels_done or "").split(",") if c),
                      context=dict(row.context or {}))


class SqlOutbox:
    """The `Outbox` port (notifications/outbox.py) on the outbox table."""

    def __init__(self, engine: Engine, worker: str, lease: timedelta, retry: BusyRetry = NO_RETRY) -> None:
        """`retry`: each claim and settlement is its own short transaction, tried again while the database is
        busy, so a message sent is marked sent even while a long import holds the lock for a moment."""
        self.engine, self.worker, self.lease, self.retry = engine, worker, lease, retry
        self._claimed: dict[int, float] = {}  # row id -> monotonic time of the claim

    def claim_due(self, now: datetime, limit: int) -> list[OutboxItem]:
        at = utc(now)
        due = or_(and_(OUTBOX.c.status == "pending", OUTBOX.c.available_at <= at),
                  and_(OUTBOX.c.status == "sending", OUTBOX.c.lease_until <= at))
        query = select(OUTBOX.c.id).where(due).order_by(OUTBOX.c.available_at, OUTBOX.c.id).limit(limit)

        def claim() -> tuple[list[int], list[Any]]:
            with self.engine.begin() as conn:
                locked = query.with_for_update(skip_locked=True) if conn.dialect.name == "postgresql" else query
                ids = list(conn.execute(locked).scalars())
                if not ids:
                    return [], []
                return ids, list(conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(
                    status="sending", attempts=OUTBOX.c.attempts + 1, lease_until=at + self.lease,
                    claimed_by=self.worker).returning(*OUTBOX.c)).all())

        ids, rows = self.retry.run(claim, "outbox claim")
        if not ids:
            return []
        claimed_at = time.monotonic()
        self._claimed.update((row_id, claimed_at) for row_id in ids)
        return sorted((_item(r) for r in rows), key=lambda i: ids.index(i.id))

    def holds(self, item: OutboxItem) -> bool:
        """True while less than 80 % of the lease has passed since the claim (by this process's clock), so a
        slow batch never sends a row that another worker may already have claimed again."""
        claimed_at = self._claimed.get(item.id)
        return claimed_at is not None and time.monotonic() - claimed_at < 0.8 * self.lease.total_seconds()

    def _settle(self, item: OutboxItem, **values: Any) -> None:
        self._claimed.pop(item.id, None)

        def settle() -> int:
            with self.engine.begin() as conn:
                return int(conn.execute(update(OUTBOX).where(
                    OUTBOX.c.id == item.id, OUTBOX.c.claimed_by == self.worker, OUTBOX.c.status == "sending",
                ).values(**values)).rowcount)

        if not self.retry.run(settle, f"outbox {item.key}"):
            logger.warning("outbox %s: the lease was lost before it was settled (%s)", item.key, values)

    def mark_channel_done(self, item: OutboxItem, channel: str) -> None:
        def mark() -> None:
            with self.engine.begin() as conn:
                conn.execute(update(OUTBOX).where(OUTBOX.c.id == item.id, OUTBOX.c.claimed_by == self.worker)
                             .values(channels_done=",".join(sorted(item.done | {channel}))))
        self.retry.run(mark, f"outbox {item.key}")

    def mark_sent(self, item: OutboxItem, now: datetime, sent_to: str, org: str) -> None:
        self._settle(item, status="sent", sent_at=utc(now), sent_to=sent_to, org=org, lease_until=None,
                     problem=None)

    def retry_later(self, item: OutboxItem, at: datetime, reason: str) -> None:
        self._settle(item, status="pending", available_at=utc(at), lease_until=None, last_error=reason[:2000])

    def give_up(self, item: OutboxItem, reason: str, problem: str, org: str | None = None) -> None:
        values: dict[str, Any] = {"status": "failed", "lease_until": None, "last_error": reason[:2000],
                                  "problem": problem}
        if org is not None:
            values["org"] = org
        self._settle(item, **values)

    def cancel(self, item: OutboxItem, reason: str) -> None:
        self._settle(item, status="cancelled", lease_until=None, last_error=reason[:2000])

    def release(self, items: list[OutboxItem]) -> None:
        """Give back claimed rows not tried yet (a clean stop), without counting an attempt."""
        if not items:
            return
        for item in items:
            self._claimed.pop(item.id, None)

        def give_back() -> None:
            with self.engine.begin() as conn:
                conn.execute(update(OUTBOX).where(
                    OUTBOX.c.id.in_([i.id for i in items]), OUTBOX.c.claimed_by == self.worker,
                    OUTBOX.c.status == "sending").values(status="pending", lease_until=None,
                                                         attempts=OUTBOX.c.attempts - 1))
        self.retry.run(give_back, "outbox release")


# --- what the CLI shows and does ------------------------------------------------------------------------------

OUTBOX_KEY = KeyOrder((OUTBOX.c.id,), (int,), descending=True)  # newest first: the primary key, ix_outbox_status_id


def list_rows(conn: Connection, statuses: Iterable[str] | None = None, limit: int = DEFAULT_LIMIT,
              cursor: str | None = None, offset: int = 0, count: bool = False) -> Page:
    """A page of outbox rows, newest first, after `cursor`; `count`: how many in all (on ix_outbox_status_id).

    Raises: BadCursor."""
    wanted = None if statuses is None else list(statuses)
    query = select(OUTBOX).order_by(*OUTBOX_KEY.order_by()).limit(limit + 1).offset(offset)
    if wanted is not None:
        query = query.where(OUTBOX.c.status.in_(wanted))
    if cursor:
        query = query.where(OUTBOX_KEY.after(OUTBOX_KEY.decode(cursor)))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        for name in ("fire_at", "created_at", "available_at", "lease_until", "sent_at"):
            if row[name] is not None:
                row[name] = utc(row[name])
    total = None
    if count:
        counted = select(func.count()).select_from(OUTBOX)
        if wanted is not None:
            counted = counted.where(OUTBOX.c.status.in_(wanted))
        total = int(conn.execute(counted).scalar() or 0)
    return OUTBOX_KEY.page(rows, limit, offset, total)


def get_row(conn: Connection, row_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(OUTBOX).where(OUTBOX.c.id == row_id)).first()
    return dict(row._mapping) if row else None


def requeue(conn: Connection, row_id: int, now: datetime) -> bool:
    """A failed row goes back to pending with a fresh retry budget; False if it is not failed."""
    result = conn.execute(update(OUTBOX).where(OUTBOX.c.id == row_id, OUTBOX.c.status == "failed").values(
        status="pending", attempts=0, available_at=utc(now), problem=None, lease_until=None, claimed_by=None))
    return bool(result.rowcount)


def requeue_missing_contact(conn: Connection, org: str, now: datetime) -> int:
    """Rows that failed because `org` had no contact are tried again once a contact is set."""
    result = conn.execute(update(OUTBOX).where(
        OUTBOX.c.status == "failed", OUTBOX.c.problem == "no_contact", OUTBOX.c.org == org,
    ).values(status="pending", attempts=0, available_at=utc(now), problem=None, lease_until=None))
    return int(result.rowcount or 0)


def counts(conn: Connection) -> dict[str, int]:
    return {str(status): int(n) for status, n in conn.execute(
        select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)).tuples()}


# --- how far the sweep has gone: its cursors over the log, the days whose digest was planned ------------------

def read_cursor(conn: Connection, name: str, now: datetime) -> int:
    """The last global position the pass `name` scanned; a new cursor starts at 0 (a second process creating
    it at the same moment is not an error)."""
    conn.execute(_insert_into(conn, CURSORS).values(name=name, position=0, updated_at=utc(now))
                 .on_conflict_do_nothing(index_elements=["name"]))
    return int(conn.execute(select(CURSORS.c.position).where(CURSORS.c.name == name)).scalar_one())


def advance_cursor(conn: Connection, name: str, position: int, now: datetime) -> None:
    """Only forward: a slower process that read less never moves the cursor back."""
    conn.execute(update(CURSORS).where(CURSORS.c.name == name, CURSORS.c.position < position)
                 .values(position=position, updated_at=utc(now)))


def digest_planned(conn: Connection, day: date) -> bool:
    return conn.execute(select(DIGEST_RUNS.c.day).where(DIGEST_RUNS.c.day == day)).first() is not None


def record_digest_run(conn: Connection, day: date, now: datetime, rows: int) -> None:
    """Mark `day`'s digests planned, so later sweeps that day skip the grouping; the first process wins."""
    conn.execute(_insert_into(conn, DIGEST_RUNS).values(day=day, created_at=utc(now), rows=rows)
                 .on_conflict_do_nothing(index_elements=["day"]))
