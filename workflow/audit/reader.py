"""Read the log one chunk of whole streams at a time, so an audit's memory does not grow with the log.

Rows come in (stream_id, version) order through the unique index, paged by a row-value key rather than an
OFFSET, so every page costs the same however far into the log it is. The pages run as driver statements
(storage/driver_sql.py), compiled once: an audit reads every event, and Core's `execute` and `Row` objects
cost more than the SQLite read itself.
"""

from collections.abc import Iterator
from itertools import groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, func, select, tuple_
from sqlalchemy.engine import Dialect

from states.events import Event
from states.hashing import stored_text_hash
from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.event_store import COLUMNS, EVENTS, load_stream, result_types, row_decoder

ROWS_PER_PAGE = 5000
STREAMS_PER_CHUNK = 500
Bounds = tuple[str | None, str | None]  # stream ids: from (inclusive), to (exclusive); None is open
Row = tuple[Any, ...]


def split(conn: Connection, parts: int) -> list[Bounds]:
    """Stream-id ranges holding about the same number of streams, in the database's own order.

    The cuts are numbered in one pass over the distinct ids (a window function), not found by one OFFSET
    scan each: a worker-sized audit asks for dozens of ranges."""
    ids = select(EVENTS.c.stream_id).distinct().subquery()
    streams = int(conn.execute(select(func.count()).select_from(ids)).scalar() or 0)
    at = sorted({streams * i // parts + 1 for i in range(1, parts)})  # row numbers start at 1
    numbered = select(ids.c.stream_id, func.row_number().over(order_by=ids.c.stream_id).label("n")).subquery()
    cuts = conn.execute(select(numbered.c.stream_id).where(numbered.c.n.in_(at)).order_by(numbered.c.n)).scalars()
    edges: list[str | None] = [None, *dict.fromkeys(c for c in cuts if c is not None), None]
    return list(zip(edges, edges[1:], strict=False))


def count_events(conn: Connection, stream_ids: list[str] | None = None) -> int:
    query = select(func.count()).select_from(EVENTS)
    if stream_ids is not None:
        query = query.where(EVENTS.c.stream_id.in_(stream_ids))
    return int(conn.execute(query).scalar() or 0)


def _page_statement(after_key: bool, low: bool, high: bool) -> Any:
    """One page in (stream_id, version) order: the first page starts at `low`, the next ones after the key."""
    query = select(*COLUMNS).order_by(EVENTS.c.stream_id, EVENTS.c.version).limit(bindparam("rows", type_=Integer))
    if after_key:
        query = query.where(tuple_(EVENTS.c.stream_id, EVENTS.c.version)
                            > tuple_(bindparam("key_stream"), bindparam("key_version")))
    if low:
        query = query.where(EVENTS.c.stream_id >= bindparam("low"))
    if high:
        query = query.where(EVENTS.c.stream_id < bindparam("high"))
    return query


def _page(conn: Connection, after_key: bool, low: bool, high: bool) -> DriverStatement:
    def build(dialect: Dialect) -> DriverStatement:
        return DriverStatement(_page_statement(after_key, low, high), dialect, result_types=result_types(dialect))

    return driver_sql.statement(conn, f"audit.page:{int(after_key)}{int(low)}{int(high)}", build)


def _pages(conn: Connection, bounds: Bounds, verified: set[int] | None = None) -> Iterator[list[Event]]:
    """Every event within `bounds`, ordered by stream then version, a page at a time. With `verified`, the
    position of each event whose stored text hashes to its stored hash is added to it (SQLite, where the
    JSON comes back as text): the audit then need not hash that event again."""
    low, high = bounds
    decode = row_decoder(conn)
    values: dict[str, Any] = {"rows": ROWS_PER_PAGE, "low": low, "high": high}
    statement = _page(conn, False, low is not None, high is not None)
    as_text = verified is not None and conn.dialect.name == "sqlite"
    while True:
        rows = statement.rows(conn, values)
        events = decode(rows)
        if as_text:
            _add_verified(rows, events, verified)  # type: ignore[arg-type]  # as_text: not None
        if events:
            yield events
        if len(events) < ROWS_PER_PAGE:
            return
        values["key_stream"], values["key_version"] = events[-1].stream_id, events[-1].version
        statement = _page(conn, True, False, high is not None)


def _add_verified(rows: list[Row], events: list[Event], verified: set[int]) -> None:
    """Rows in `COLUMNS` order (payload and derived at 8 and 9, as stored), beside their decoded events."""
    for row, e in zip(rows, events, strict=True):
        if e.position is not None and stored_text_hash(e, row[8], row[9]) == e.hash:
            verified.add(e.position)


_STREAM = attrgetter("stream_id")


def _streams(pages: Iterator[list[Event]]) -> Iterator[list[Event]]:
    """Pages cut into streams; a stream that runs on into the next page is held until it ends."""
    held: list[Event] = []
    for page in pages:
        streams = [list(events) for _, events in groupby(page, _STREAM)]
        if held and held[0].stream_id == streams[0][0].stream_id:
            held += streams.pop(0)
        if streams:
            if held:
                yield held
            yield from streams[:-1]
            held = streams[-1]
    if held:
        yield held


def iter_streams(conn: Connection, stream_ids: list[str] | None = None, bounds: Bounds = (None, None),
                 verified: set[int] | None = None) -> Iterator[list[Event]]:
    """Each stream's events in version order, one stream at a time (only `stream_ids` when given);
    `verified`: see `_pages`."""
    if stream_ids is not None:
        yield from (events for events in (load_stream(conn, sid) for sid in stream_ids) if events)
        return
    yield from _streams(_pages(conn, bounds, verified))


def iter_chunks(conn: Connection, stream_ids: list[str] | None = None, size: int = STREAMS_PER_CHUNK,
                bounds: Bounds = (None, None), verified: set[int] | None = None) -> Iterator[list[list[Event]]]:
    """Streams grouped `size` at a time, so projections and checkpoint heads can be fetched per chunk."""
    chunk: list[list[Event]] = []
    for stream in iter_streams(conn, stream_ids, bounds, verified):
        chunk.append(stream)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
