"""Read the log one chunk of whole streams at a time, so an audit's memory does not grow with the log.

Rows come in (stream_id, version) order through the unique index, paged by a row-value key rather than an
OFFSET, so every page costs the same however far into the log it is.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, select, tuple_

from states.events import Event
from storage.event_store import EVENTS, group_by_stream, row_to_event

_COLUMNS = (EVENTS.c.position, EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.type, EVENTS.c.effective_on,
            EVENTS.c.recorded_at, EVENTS.c.actor, EVENTS.c.rule_set, EVENTS.c.payload, EVENTS.c.derived,
            EVENTS.c.prev_hash, EVENTS.c.hash)
ROWS_PER_PAGE = 5000
STREAMS_PER_CHUNK = 500
Bounds = tuple[str | None, str | None]  # stream ids: from (inclusive), to (exclusive); None is open


def split(conn: Connection, parts: int) -> list[Bounds]:
    """Stream-id ranges holding about the same number of streams, in the database's own order."""
    streams = int(conn.execute(select(func.count(EVENTS.c.stream_id.distinct()))).scalar() or 0)
    ids = select(EVENTS.c.stream_id).distinct().order_by(EVENTS.c.stream_id)
    cuts = [conn.execute(ids.offset(streams * i // parts).limit(1)).scalar() for i in range(1, parts)]
    edges: list[str | None] = [None, *dict.fromkeys(c for c in cuts if c is not None), None]
    return list(zip(edges, edges[1:], strict=False))


def count_events(conn: Connection, stream_ids: list[str] | None = None) -> int:
    query = select(func.count()).select_from(EVENTS)
    if stream_ids is not None:
        query = query.where(EVENTS.c.stream_id.in_(stream_ids))
    return int(conn.execute(query).scalar() or 0)


def _pages(conn: Connection, stream_ids: list[str] | None, bounds: Bounds = (None, None)) -> Iterator[Sequence[Any]]:
    if stream_ids is not None:
        for sid in stream_ids:
            yield list(conn.execute(select(*_COLUMNS).where(EVENTS.c.stream_id == sid)
                                    .order_by(EVENTS.c.version)))
        return
    key: tuple[str, int] | None = None
    while True:
        query = select(*_COLUMNS).order_by(EVENTS.c.stream_id, EVENTS.c.version).limit(ROWS_PER_PAGE)
        if bounds[0] is not None:
            query = query.where(EVENTS.c.stream_id >= bounds[0])
        if bounds[1] is not None:
            query = query.where(EVENTS.c.stream_id < bounds[1])
        if key is not None:
            query = query.where(tuple_(EVENTS.c.stream_id, EVENTS.c.version) > tuple_(*key))
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        key = (rows[-1].stream_id, rows[-1].version)


def iter_streams(conn: Connection, stream_ids: list[str] | None = None,
                 bounds: Bounds = (None, None)) -> Iterator[list[Event]]:
    """Each stream's events in version order, one stream at a time (only `stream_ids` when given)."""
    yield from group_by_stream(row_to_event(row) for rows in _pages(conn, stream_ids, bounds) for row in rows)


def iter_chunks(conn: Connection, stream_ids: list[str] | None = None, size: int = STREAMS_PER_CHUNK,
                bounds: Bounds = (None, None)) -> Iterator[list[list[Event]]]:
    """Streams grouped `size` at a time, so projections and checkpoint heads can be fetched per chunk."""
    chunk: list[list[Event]] = []
    for stream in iter_streams(conn, stream_ids, bounds):
        chunk.append(stream)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
