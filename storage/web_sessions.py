"""Server-side sessions of the web interface (SQLAlchemy Core); the policy (timeouts) is in workflow/sessions.py."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from storage.user_tables import WebSessionRow

SESSIONS = WebSessionRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StoredSession:
    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every one stored here is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def start(conn: Connection, id_hash: str, user_id: int, now: datetime) -> int:
    key = conn.execute(SESSIONS.insert().values(id_hash=id_hash, user_id=user_id, created_at=now, last_seen_at=now)
                       ).inserted_primary_key
    assert key is not None
    return int(key[0])


def find(conn: Connection, id_hash: str) -> StoredSession | None:
    row = conn.execute(select(SESSIONS).where(SESSIONS.c.id_hash == id_hash)).first()
    if row is None:
        return None
    return StoredSession(int(row.id), int(row.user_id), _aware(row.created_at), _aware(row.last_seen_at),
                         _aware(row.ended_at) if row.ended_at is not None else None)


def touch(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(update(SESSIONS).where(SESSIONS.c.id == session_id, SESSIONS.c.ended_at.is_(None))
                 .values(last_seen_at=now))


def end(conn: Connection, session_id: int, now: datetime, reason: str) -> bool:
    """End one session; False when it had already ended."""
    result = conn.execute(update(SESSIONS).where(SESSIONS.c.id == session_id, SESSIONS.c.ended_at.is_(None))
                          .values(ended_at=now, ended_reason=reason))
    return bool(result.rowcount)


def end_all(conn: Connection, user_id: int, now: datetime, reason: str, keep: int | None = None) -> int:
    """End every open session of the user (but `keep`, the one changing its own password); how many ended."""
    query = update(SESSIONS).where(SESSIONS.c.user_id == user_id, SESSIONS.c.ended_at.is_(None))
    if keep is not None:
        query = query.where(SESSIONS.c.id != keep)
    return int(conn.execute(query.values(ended_at=now, ended_reason=reason)).rowcount)
