"""The upkeep of the report read model (`report_candidate`, one row of report facts per candidate).

Every step writes its candidate's row in its own transaction (`store`, like the `candidate` and `deadline`
projections, ARCHITECTURE.md decision 4), so a report reads the rows as they are and never folds the log on a
read: the first report of a period costs what the second does (issue 19). Folding the log is explicit:
`rebuild` (`ketnap report rebuild`) folds every stream again, and `adopt` (run by `ketnap init`) folds, once,
the events a database recorded before its steps kept the rows, from the checkpoint the old read path left.
The fold itself is states/report_facts.py's; streams are read and rows stored a batch at a time, so memory
stays flat however long the log.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, delete, inspect, select

from states.events import Event
from states.report_facts import facts_of
from storage.event_store import EVENTS, group_by_stream, iter_streams, last_position, row_to_event
from storage.projections import upsert_statement
from storage.report_tables import ReportCandidateRow, ReportCheckpointRow

FACTS = ReportCandidateRow.__table__  # type: ignore[attr-defined]
CHECKPOINTS = ReportCheckpointRow.__table__  # type: ignore[attr-defined]
CHECKPOINT = "report_candidate"  # the last global position an explicit fold (rebuild, adopt) reached
# Present once the database's steps keep the rows themselves (written by `adopt`); its position is the head of
# the log when they started to.
MAINTAINED = "report_candidate.by_steps"
BATCH = 500
LOCK_KEY = 0x6B6E7270  # "knrp": one report catch-up at a time on PostgreSQL


def lock(conn: Connection) -> None:
    """Wait for any other catch-up on PostgreSQL (released at the end of the transaction), so two reports never
    fold and write the same rows at once; SQLite's single writer already serialises them."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


def checkpoint(conn: Connection, name: str = CHECKPOINT) -> int:
    """The global position of the last event folded; 0 before the first fold."""
    return int(conn.execute(select(CHECKPOINTS.c.position).where(CHECKPOINTS.c.name == name)).scalar() or 0)


def set_checkpoint(conn: Connection, position: int, now: datetime, name: str = CHECKPOINT) -> None:
    if not conn.execute(CHECKPOINTS.update().where(CHECKPOINTS.c.name == name)
                        .values(position=position, updated_at=now)).rowcount:
        conn.execute(CHECKPOINTS.insert().values(name=name, position=position, updated_at=now))


def store(conn: Connection, facts: dict[str, Any]) -> None:
    """Write one candidate's row as its step left it (an upsert run on the driver: every step calls it)."""
    upsert_statement(conn, FACTS, tuple(facts), ("id",)).execute(conn, facts).close()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def catch_up(conn: Connection, now: datetime) -> int:
    """Fold the streams with an event after the checkpoint; returns how many candidates were refolded."""
    lock(conn)
    since, until = checkpoint(conn), last_position(conn) or 0
    if until <= since:
        return 0
    streams = iter_streams(conn) if since == 0 else changed_streams(conn, since, until, BATCH)
    done = 0
    for chunk in _chunks((facts_of(s) for s in streams), BATCH):
        replace_rows(conn, chunk)
        done += len(chunk)
    set_checkpoint(conn, until, now)
    return done


def rebuild(conn: Connection, now: datetime) -> int:
    """Drop every row and fold the whole log again (run it while nobody records: a step committed during the
    fold keeps the row it wrote)."""
    clear(conn)
    return catch_up(conn, now)


def adopt(conn: Connection, now: datetime) -> int:
    """Once per database (`ketnap init`): fold what the log holds beyond the checkpoint of the old read path,
    which folded on a report's read, then mark the rows as kept by the steps. Returns the candidates folded."""
    if not inspect(conn).has_table(CHECKPOINTS.name):
        return 0
    if conn.execute(select(CHECKPOINTS.c.name).where(CHECKPOINTS.c.name == MAINTAINED)).first() is not None:
        return 0
    done = catch_up(conn, now)
    set_checkpoint(conn, last_position(conn) or 0, now, MAINTAINED)
    return done


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
