"""The upkeep of the report read model (`report_candidate`): the streams to fold again, the rows folded from
them, how far into the log it has folded (its checkpoint), and one catch-up at a time (ARCHITECTURE.md
decision 4).

The fold itself, a replay of each stream into report facts, is the application's (workflow/reports/readmodel.py);
this module reads the streams and stores the rows a batch at a time, so memory stays flat however long the log.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from states.events import Event
from storage.event_store import EVENTS, group_by_stream, row_to_event
from storage.report_tables import ReportCandidateRow, ReportCheckpointRow

FACTS = ReportCandidateRow.__table__  # type: ignore[attr-defined]
CHECKPOINTS = ReportCheckpointRow.__table__  # type: ignore[attr-defined]
CHECKPOINT = "report_candidate"
LOCK_KEY = 0x6B6E7270  # "knrp": one report catch-up at a time on PostgreSQL


def lock(conn: Connection) -> None:
    """Wait for any other catch-up on PostgreSQL (released at the end of the transaction), so two reports never
    fold and write the same rows at once; SQLite's single writer already serialises them."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


def checkpoint(conn: Connection) -> int:
    """The global position of the last event folded; 0 before the first fold."""
    return int(conn.execute(select(CHECKPOINTS.c.position).where(CHECKPOINTS.c.name == CHECKPOINT)).scalar() or 0)


def set_checkpoint(conn: Connection, position: int, now: datetime) -> None:
    if not conn.execute(CHECKPOINTS.update().where(CHECKPOINTS.c.name == CHECKPOINT)
                        .values(position=position, updated_at=now)).rowcount:
        conn.execute(CHECKPOINTS.insert().values(name=CHECKPOINT, position=position, updated_at=now))


def changed_streams(conn: Connection, since: int, until: int, batch: int) -> Iterator[list[Event]]:
    """The whole stream of every candidate with an event at a global position in (`since`, `until`], one stream
    at a time, read `batch` streams per query."""
    # No DISTINCT in SQL: SQLite would answer it by walking the whole stream_id index instead of the position
    # range of the primary key.
    ids = sorted(set(conn.execute(select(EVENTS.c.stream_id)
                                  .where(EVENTS.c.position > since, EVENTS.c.position <= until)).scalars()))
    for start in range(0, len(ids), batch):
        rows = conn.execute(select(EVENTS).where(EVENTS.c.stream_id.in_(ids[start:start + batch]))
                            .order_by(EVENTS.c.stream_id, EVENTS.c.version)).all()
        yield from group_by_stream(row_to_event(row) for row in rows)


def replace_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Store freshly folded rows in place of those of the same candidates."""
    conn.execute(delete(FACTS).where(FACTS.c.id.in_([r["id"] for r in rows])))
    conn.execute(FACTS.insert(), rows)


def clear(conn: Connection) -> None:
    """Drop every row and the checkpoint, so that the next catch-up folds the whole log again."""
    conn.execute(delete(FACTS))
    conn.execute(delete(CHECKPOINTS).where(CHECKPOINTS.c.name == CHECKPOINT))
