"""Append and read event streams with optimistic concurrency (ARCHITECTURE.md decisions 1 and 9).

The load and the append are the hot path of every step: Core statements, not the ORM session, compiled once
and run on the driver's cursor (storage/driver_sql.py).
`UNIQUE(stream_id, version)` makes two writers of one stream conflict. On PostgreSQL appends do not wait for
each other: the position default takes a shared advisory lock before it draws a position, and a reader that
follows the log by position reads no further than `committed_head`, which waits for the appends in flight
(migration national_0001), so it never skips an event committed after it read.
Never ON CONFLICT DO NOTHING on an append: it would lose an event while reporting success.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Integer, bindparam, func, select, text, tuple_
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from states.events import Event
from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.engine import json_loads
from storage.errors import ConcurrencyConflictError
from storage.tables import EventRow

EVENTS = EventRow.__table__  # type: ignore[attr-defined]
APPEND_LOCK_KEY = 0x6B65746E6170  # "ketnap": shared by appends, exclusive for an instant in ketnap_event_head()

COLUMNS = (EVENTS.c.position, EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.type, EVENTS.c.effective_on,
            EVENTS.c.recorded_at, EVENTS.c.actor, EVENTS.c.rule_set, EVENTS.c.payload, EVENTS.c.derived,
            EVENTS.c.prev_hash, EVENTS.c.hash)
_INSERT = EVENTS.insert()


def _aware(moment: datetime) -> datetime:
    """Every timestamp we store is UTC: SQLite keeps no offset (it hands back naive datetimes and would store
    10:00+07:00 as 10:00), and PostgreSQL answers in the session's time zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def row_to_event(row: Any) -> Event:
    effective = row.effective_on if isinstance(row.effective_on, date) else date.fromisoformat(row.effective_on)
    return Event(row.stream_id, row.version, row.type, effective, _aware(row.recorded_at), row.actor,
                 row.rule_set, row.payload, row.derived, row.prev_hash, row.hash, row.position)


def event_to_row(event: Event) -> dict[str, Any]:
    return {"stream_id": event.stream_id, "version": event.version, "type": event.type,
            "effective_on": event.effective_on, "recorded_at": _aware(event.recorded_at), "actor": event.actor,
            "rule_set": event.rule_set, "payload": event.payload, "derived": event.derived,
            "prev_hash": event.prev_hash, "hash": event.hash}


# Every step loads its stream and appends to it: both run as driver statements (storage/driver_sql.py).
_LOAD_STREAM = select(*COLUMNS).where(EVENTS.c.stream_id == bindparam("stream_id")).order_by(EVENTS.c.version)
_ROW_KEYS = ("stream_id", "version", "type", "effective_on", "recorded_at", "actor", "rule_set", "payload",
             "derived", "prev_hash", "hash")


def result_types(dialect: Dialect) -> list[Any]:
    """For a driver statement selecting COLUMNS and read back by `row_decoder`: SQLite rows are decoded by
    `_sqlite_events` itself; other drivers' values go through Core's processors."""
    return [] if dialect.name == "sqlite" else [c.type for c in COLUMNS]


def _load_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_LOAD_STREAM, dialect, result_types=result_types(dialect))


def _insert_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_INSERT, dialect, column_keys=_ROW_KEYS)


def _after_position_statement(dialect: Dialect) -> DriverStatement:
    query = (select(*COLUMNS).where(EVENTS.c.position > bindparam("last"), EVENTS.c.position <= bindparam("head"))
             .order_by(EVENTS.c.position).limit(bindparam("batch", type_=Integer)))
    return DriverStatement(query, dialect, result_types=result_types(dialect))


def _after_stream_statement(dialect: Dialect) -> DriverStatement:
    # A row-value comparison, not `stream_id > s OR (stream_id = s AND version > v)`: SQLite seeks the
    # (stream_id, version) index for it, but scans that index from the start for the OR, every batch.
    after = tuple_(EVENTS.c.stream_id, EVENTS.c.version) > tuple_(bindparam("last_stream"), bindparam("last_version"))
    query = (select(*COLUMNS).where(after)
             .order_by(EVENTS.c.stream_id, EVENTS.c.version).limit(bindparam("batch", type_=Integer)))
    return DriverStatement(query, dialect, result_types=result_types(dialect))


def _events(rows: list[tuple[Any, ...]]) -> list[Event]:
    """Driver rows in `COLUMNS` order, already through their types' result processors, as events."""
    return [Event(stream_id, version, type_, effective if isinstance(effective, date)
                  else date.fromisoformat(effective), _aware(recorded_at), actor, rule_set, payload, derived,
                  prev_hash, hash_, position)
            for (position, stream_id, version, type_, effective, recorded_at, actor, rule_set, payload, derived,
                 prev_hash, hash_) in rows]


def _sqlite_events(rows: list[tuple[Any, ...]]) -> list[Event]:
    """Rows as SQLite stores them (ISO text for dates, naive UTC text for times, JSON text), decoded in one
    pass: the values Core's result processors give, at a third of the cost; every step reads its stream and
    every audit the whole log. Anything unusual (a time with an offset, JSON orjson refuses) sends the whole
    batch through `_sqlite_event`, the careful decoder of one row."""
    loads, to_date, to_time = orjson.loads, date.fromisoformat, datetime.fromisoformat
    try:
        events = [Event(stream_id, version, type_, to_date(effective), to_time(recorded_at + "+00:00"), actor,
                        rule_set, loads(payload), loads(derived), prev_hash, hash_, position)
                  for (position, stream_id, version, type_, effective, recorded_at, actor, rule_set, payload,
                       derived, prev_hash, hash_) in rows]
    except (TypeError, ValueError):  # orjson.JSONDecodeError is a ValueError
        return [_sqlite_event(row) for row in rows]
    # a bare date takes "+00:00" for its time (any character may separate them), and comes back naive
    return events if all(e.recorded_at.tzinfo is UTC for e in events) else [_sqlite_event(r) for r in rows]


def _sqlite_event(row: tuple[Any, ...]) -> Event:
    position, stream_id, version, type_, effective, recorded_at, actor, rule_set, payload, derived, prev, hash_ = row
    return Event(stream_id, version, type_, date.fromisoformat(effective), _utc_text(recorded_at), actor, rule_set,
                 json_loads(payload), json_loads(derived), prev, hash_, position)


def _utc_text(text: str) -> datetime:
    """Core writes a time on SQLite as naive UTC text ("2026-11-22 10:00:00.000000"); text written some other
    way (with an offset) is converted."""
    try:
        moment = datetime.fromisoformat(text + "+00:00")
    except (TypeError, ValueError):
        moment = None
    return moment if moment is not None and moment.tzinfo is UTC else _aware(datetime.fromisoformat(text))


def row_decoder(conn: Connection) -> Callable[[list[tuple[Any, ...]]], list[Event]]:
    """Rows selected as `COLUMNS` (position, stream_id, ..., hash) into events, for the connection's driver."""
    return _sqlite_events if conn.dialect.name == "sqlite" else _events


def load_stream(conn: Connection, stream_id: str) -> list[Event]:
    return row_decoder(conn)(driver_sql.statement(conn, "event.load_stream", _load_statement)
                          .rows(conn, {"stream_id": stream_id}))


def stream_version(conn: Connection, stream_id: str) -> int:
    found = conn.execute(select(func.max(EVENTS.c.version)).where(EVENTS.c.stream_id == stream_id)).scalar()
    return int(found or 0)


def committed_head(conn: Connection) -> int:
    """How far a reader following the log by position may read (0 while the log is empty): every position up to
    it belongs to a finished transaction, every position drawn later is greater.

    SQLite has one writer at a time: the last position. PostgreSQL draws positions in concurrent transactions,
    so position p+1 may commit before p: `ketnap_event_head()` waits for the appends in flight (at most one
    step's transaction each) and reads the last position under the append lock (migration national_0001). In a
    REPEATABLE READ transaction call it first, before the snapshot: the head is read in the snapshot.
    """
    if conn.dialect.name == "postgresql":
        return int(conn.execute(text("SELECT ketnap_event_head()")).scalar_one())
    return int(conn.execute(select(func.max(EVENTS.c.position))).scalar() or 0)


def last_position(conn: Connection) -> int | None:
    """The global position of the latest event a reader following the log may read (`committed_head`); None
    while the log is empty."""
    return committed_head(conn) or None


def event_at(conn: Connection, position: int | None) -> Event | None:
    """The event at a global position (an outbox row names the event it reports); None when it is gone."""
    row = conn.execute(select(EVENTS).where(EVENTS.c.position == position)).first()
    return None if row is None else row_to_event(row)


def derived_of_types(conn: Connection, types: Sequence[str], after: int, upto: int, limit: int) -> list[Any]:
    """Position, stream_id, version and derived facts of the events of `types` with a global position in
    (`after`, `upto`], in position order, `limit` at a time: a pass that reads only what was recorded since
    its cursor."""
    return list(conn.execute(
        select(EVENTS.c.position, EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.derived)
        .where(EVENTS.c.position > after, EVENTS.c.position <= upto, EVENTS.c.type.in_(types))
        .order_by(EVENTS.c.position).limit(limit)).all())


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
    insert = driver_sql.statement(conn, "event.insert", _insert_statement)
    try:
        if len(events) == 1:
            insert.execute(conn, event_to_row(events[0])).close()
        else:
            insert.executemany(conn, [event_to_row(e) for e in events])
    except IntegrityError as err:
        # PostgreSQL has aborted the transaction, so the current version is only read back on SQLite.
        actual = stream_version(conn, stream_id) if conn.dialect.name == "sqlite" else None
        raise ConcurrencyConflictError(stream_id, expected_version, actual) from err


def iter_all(conn: Connection, batch: int = 5000, since_position: int = 0) -> Iterator[Event]:
    """Every event in global order up to the committed head (read once, when the first batch is asked for), in
    batches so memory does not grow with the log."""
    query = driver_sql.statement(conn, "event.after_position", _after_position_statement)
    decode = row_decoder(conn)
    last, head = since_position, committed_head(conn)
    while True:
        events = decode(query.rows(conn, {"last": last, "head": head, "batch": batch}))
        if not events:
            return
        yield from events
        last = events[-1].position  # type: ignore[assignment]  # read back from the store: never None


def iter_streams(conn: Connection, batch: int = 5000) -> Iterator[list[Event]]:
    """Every stream's events, ordered by stream then version, one stream at a time."""
    query = driver_sql.statement(conn, "event.after_stream", _after_stream_statement)
    decode = row_decoder(conn)

    def pages() -> Iterator[Event]:
        last_stream, last_version = "", 0
        while True:
            events = decode(query.rows(conn, {"last_stream": last_stream, "last_version": last_version,
                                               "batch": batch}))
            if not events:
                return
            yield from events
            last_stream, last_version = events[-1].stream_id, events[-1].version

    return group_by_stream(pages())


def group_by_stream(events: Iterable[Event]) -> Iterator[list[Event]]:
    """Events ordered by stream then version, handed out one stream at a time (memory: one stream)."""
    current: list[Event] = []
    for event in events:
        if current and current[0].stream_id != event.stream_id:
            yield current
            current = []
        current.append(event)
    if current:
        yield current
