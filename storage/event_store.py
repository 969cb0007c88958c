"""Append and read event streams with optimistic concurrency (ARCHITECTURE.md decisions 1 and 9).

The append goes through SQLAlchemy Core, not the ORM session: it is the hot path of every step.
`UNIQUE(stream_id, version)` makes two writers of one stream conflict; on PostgreSQL a transaction-scoped
advisory lock around appends makes the global position commit-ordered, so a reader never skips an event.
Never ON CONFLICT DO NOTHING on an append: it would lose an event while reporting success.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from states.events import Event
from storage.errors import ConcurrencyConflictError
from storage.tables import EventRow

EVENTS = EventRow.__table__  # type: ignore[attr-defined]
APPEND_LOCK_KEY = 0x6B65746E6170  # "ketnap": one advisory lock serialises appends on PostgreSQL

_COLUMNS = (EVENTS.c.position, EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.type, EVENTS.c.effective_on,
            EVENTS.c.recorded_at, EVENTS.c.actor, EVENTS.c.rule_set, EVENTS.c.payload, EVENTS.c.derived,
            EVENTS.c.prev_hash, EVENTS.c.hash)
_INSERT = EVENTS.insert()


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every timestamp we store is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def row_to_event(row: Any) -> Event:
    effective = row.effective_on if isinstance(row.effective_on, date) else date.fromisoformat(row.effective_on)
    return Event(row.stream_id, row.version, row.type, effective, _aware(row.recorded_at), row.actor,
                 row.rule_set, row.payload, row.derived, row.prev_hash, row.hash, row.position)


def event_to_row(event: Event) -> dict[str, Any]:
    return {"stream_id": event.stream_id, "version": event.version, "type": event.type,
            "effective_on": event.effective_on, "recorded_at": event.recorded_at, "actor": event.actor,
            "rule_set": event.rule_set, "payload": event.payload, "derived": event.derived,
            "prev_hash": event.prev_hash, "hash": event.hash}


def load_stream(conn: Connection, stream_id: str) -> list[Event]:
    rows = conn.execute(select(*_COLUMNS).where(EVENTS.c.stream_id == stream_id).order_by(EVENTS.c.version))
    return [row_to_event(r) for r in rows]


def stream_version(conn: Connection, stream_id: str) -> int:
    found = conn.execute(select(func.max(EVENTS.c.version)).where(EVENTS.c.stream_id == stream_id)).scalar()
    return int(found or 0)


def append(conn: Connection, events: Sequence[Event], expected_version: int) -> None:
    """Append `events` after `expected_version`; the caller's transaction commits them.

    Raises:
        ConcurrencyConflictError: another writer appended to the stream first.
    """
    if not events:
        return
    stream_id = events[0].stream_id
    for offset, event in enumerate(events, start=1):
        if event.stream_id != stream_id or event.version != expected_version + offset:
            raise ValueError(f"event {event.stream_id}#{event.version} does not follow version {expected_version}")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")
    try:
        conn.execute(_INSERT, [event_to_row(e) for e in events])
    except IntegrityError as err:
        # PostgreSQL has aborted the transaction, so the current version is only read back on SQLite.
        actual = stream_version(conn, stream_id) if conn.dialect.name == "sqlite" else None
        raise ConcurrencyConflictError(stream_id, expected_version, actual) from err


def iter_all(conn: Connection, batch: int = 5000, since_position: int = 0) -> Iterator[Event]:
    """Every event in global order, read in batches so memory does not grow with the log."""
    last = since_position
    while True:
        rows = conn.execute(select(*_COLUMNS).where(EVENTS.c.position > last)
                            .order_by(EVENTS.c.position).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield row_to_event(row)
        last = rows[-1].position


def iter_streams(conn: Connection, batch: int = 5000) -> Iterator[list[Event]]:
    """Every stream's events, ordered by stream then version, one stream at a time."""
    last_stream, last_version = "", 0
    current: list[Event] = []
    while True:
        rows = conn.execute(
            select(*_COLUMNS)
            .where((EVENTS.c.stream_id > last_stream)
                   | ((EVENTS.c.stream_id == last_stream) & (EVENTS.c.version > last_version)))
            .order_by(EVENTS.c.stream_id, EVENTS.c.version).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            event = row_to_event(row)
            if current and current[0].stream_id != event.stream_id:
                yield current
                current = []
            current.append(event)
        last_stream, last_version = rows[-1].stream_id, rows[-1].version
    if current:
        yield current
