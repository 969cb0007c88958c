"""`ketnap audit rebuild`: every projection (organisations, candidates, deadlines, report facts) rebuilt from
the logs in one transaction (ARCHITECTURE.md decision 4). A failure rolls the whole transaction back, so the old
projections stay as they were.

Rows are upserted, not dropped and re-inserted: a deadline keeps its id, which reminders use in their
idempotency keys (decision 8), so a rebuild never makes a reminder go out twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from states.candidate import replay
from states.report_facts import facts_of
from storage import organisations, report_model
from storage.projections import project, remove_rows_without_streams
from workflow.audit.orgs import OrgDirectory
from workflow.audit.reader import iter_chunks
from workflow.errors import RebuildFailed as RebuildFailed  # re-exported: its home is workflow/errors.py (no tables)


@dataclass(frozen=True)
class Rebuilt:
    streams: int
    events: int
    removed_candidates: int
    removed_deadlines: int


def rebuild(engine: Engine, now: datetime) -> Rebuilt:
    """Replay every stream and write its candidate, deadline and report rows; remove candidate and deadline rows
    with no stream.

    Raises:
        RebuildFailed: naming the stream that could not be replayed; the transaction was rolled back.
    """
    streams = events = 0
    with engine.begin() as conn:
        history = organisations.history_of(organisations.load_events(conn))
        organisations.write_projection(conn, history.latest(), now)
        directory = OrgDirectory(history)
        for chunk in iter_chunks(conn):
            for stream in chunk:
                try:
                    candidate = replay(stream)
                    project(conn, candidate, None, now, org=directory.placed(candidate).org)
                    report_model.store(conn, facts_of(stream, candidate))
                except Exception as err:  # noqa: BLE001 - any failure aborts the whole rebuild
                    raise RebuildFailed(stream[0].stream_id, err) from err
                streams += 1
                events += len(stream)
        removed_candidates, removed_deadlines = remove_rows_without_streams(conn)
    return Rebuilt(streams, events, removed_candidates, removed_deadlines)
