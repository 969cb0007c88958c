"""Read the log one chunk of whole streams at a time, so an audit's memory does not grow with the log.

The pages come from storage (storage/audit_reads.py: keyset-paged driver statements in (stream_id, version)
order, or, for an organisation's audit, its chosen streams a chunk per statement); here they are cut into whole
streams and grouped into chunks, so that projections and checkpoint heads can be fetched a chunk at a time.
"""

from collections.abc import Iterator
from itertools import groupby
from operator import attrgetter

from sqlalchemy import Connection

from states.events import Event
from storage.audit_reads import Bounds, event_pages, streams_of

ROWS_PER_PAGE = 5000
STREAMS_PER_CHUNK = 500


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
    """Each stream's events in version order, one stream at a time (only `stream_ids` when given, read
    STREAMS_PER_CHUNK streams per statement); `verified`: see `storage.audit_reads.event_pages`."""
    if stream_ids is not None:
        for i in range(0, len(stream_ids), STREAMS_PER_CHUNK):
            wanted = stream_ids[i:i + STREAMS_PER_CHUNK]
            read = {events[0].stream_id: events for events in _streams(iter([streams_of(conn, wanted, verified)]))
                    if events}
            yield from (read[sid] for sid in wanted if sid in read)  # in the order asked
        return
    yield from _streams(event_pages(conn, bounds, ROWS_PER_PAGE, verified))


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
