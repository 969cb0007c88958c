"""Failed sign-ins per account and per client address (SQLAlchemy Core); the policy is in workflow/throttle.py."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, delete, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.user_tables import SignInThrottleRow

THROTTLE = SignInThrottleRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Attempts:
    scope: str  # "account" or "address"
    subject: str
    failures: int
    last_failed_at: datetime
    blocked_until: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _attempts(row: object) -> Attempts:
    m = row._mapping  # type: ignore[attr-defined]
    last = _aware(m["last_failed_at"])
    assert last is not None
    return Attempts(m["scope"], m["subject"], int(m["failures"]), last, _aware(m["blocked_until"]))


def _where(keys: Sequence[tuple[str, str]]) -> object:
    return tuple_(THROTTLE.c.scope, THROTTLE.c.subject).in_(list(keys))


def current(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[Attempts]:
    """The counts of these (scope, subject) keys that have any."""
    return [_attempts(r) for r in conn.execute(select(THROTTLE).where(_where(keys)))]  # type: ignore[arg-type]


def locked(conn: Connection, keys: Sequence[tuple[str, str]], now: datetime) -> list[Attempts]:
    """Every key's counts (a missing key starts at zero), locked until the transaction ends, so that concurrent
    failures from several processes are all counted."""
    rows = [{"scope": s, "subject": k, "failures": 0, "last_failed_at": now, "blocked_until": None} for s, k in keys]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(THROTTLE).values(rows).on_conflict_do_nothing())
    query = select(THROTTLE).where(_where(keys)).order_by(THROTTLE.c.scope)  # type: ignore[arg-type]
    return [_attempts(r) for r in conn.execute(query.with_for_update())]


def save(conn: Connection, attempts: Attempts) -> None:
    conn.execute(update(THROTTLE).where(THROTTLE.c.scope == attempts.scope, THROTTLE.c.subject == attempts.subject)
                 .values(failures=attempts.failures, last_failed_at=attempts.last_failed_at,
                         blocked_until=attempts.blocked_until))


def clear(conn: Connection, scope: str, subject: str) -> None:
    conn.execute(delete(THROTTLE).where(THROTTLE.c.scope == scope, THROTTLE.c.subject == subject))


def purge(conn: Connection, failed_before: datetime, now: datetime) -> int:
    """Delete the counts whose last failure is older than `failed_before` and that block nothing any more."""
    stale = and_(THROTTLE.c.last_failed_at < failed_before,
                 or_(THROTTLE.c.blocked_until.is_(None), THROTTLE.c.blocked_until <= now))
    return int(conn.execute(delete(THROTTLE).where(stale)).rowcount)
