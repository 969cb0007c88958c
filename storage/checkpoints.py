"""The checkpoint tables and the reads a checkpoint is built and checked from (ARCHITECTURE.md decision 3).

The digest itself is computed by the audit (workflow/audit/checkpoint.py); this module only reads stream
heads from the log and stores them, streamed in batches so that memory does not grow with the log. Heads
come in code-point order of stream_id whatever the database's collation, because the digest depends on it.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select

from storage.event_store import EVENTS
from storage.tables import CheckpointHeadRow, CheckpointRow

CHECKPOINTS = CheckpointRow.__table__  # type: ignore[attr-defined]
HEADS = CheckpointHeadRow.__table__  # type: ignore[attr-defined]
BATCH = 5000  # heads fetched and inserted at a time
Head = tuple[str, int, str]  # stream_id, version, hash


@dataclass(frozen=True)
class Checkpoint:
    id: int
    digest: str
    streams: int
    events: int
    last_position: int
    created_at: datetime
    actor: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "digest": self.digest, "streams": self.streams, "events": self.events,
                "last_position": self.last_position, "created_at": self.created_at, "actor": self.actor}


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(row.id, row.digest, row.streams, row.events, row.last_position, row.created_at, row.actor)


def _by_code_point(conn: Connection, column: Any) -> Any:
    """Order by code point whatever the database's collation (PostgreSQL's may be a locale's)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def heads_in_log(conn: Connection, last_position: int) -> Iterator[Head]:
    """Each stream's last event at or before `last_position`, in code-point order of stream_id."""
    latest = (select(EVENTS.c.stream_id, func.max(EVENTS.c.version).label("version"))
              .where(EVENTS.c.position <= last_position).group_by(EVENTS.c.stream_id).subquery())
    query = (select(EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.hash)
             .join(latest, and_(EVENTS.c.stream_id == latest.c.stream_id, EVENTS.c.version == latest.c.version))
             .order_by(_by_code_point(conn, EVENTS.c.stream_id)).execution_options(yield_per=BATCH))
    for row in conn.execute(query):
        yield row.stream_id, row.version, row.hash


def stored_heads(conn: Connection, checkpoint_id: int) -> Iterator[Head]:
    """The heads stored with a checkpoint, in the order its digest was computed."""
    query = (select(HEADS.c.stream_id, HEADS.c.version, HEADS.c.hash).where(HEADS.c.checkpoint_id == checkpoint_id)
             .order_by(_by_code_point(conn, HEADS.c.stream_id)).execution_options(yield_per=BATCH))
    for row in conn.execute(query):
        yield row.stream_id, row.version, row.hash


def heads_of(conn: Connection, checkpoint_id: int, stream_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The stored head (version, hash) of each of `stream_ids` the checkpoint covered: one chunk's worth."""
    return {r.stream_id: (r.version, r.hash) for r in conn.execute(
        select(HEADS.c.stream_id, HEADS.c.version, HEADS.c.hash)
        .where(HEADS.c.checkpoint_id == checkpoint_id, HEADS.c.stream_id.in_(stream_ids)))}


def deleted_streams(conn: Connection, checkpoint_id: int, only: Sequence[str] | None = None) -> list[tuple[str, int]]:
    """(stream_id, version) of each head the checkpoint stored whose stream has no events left."""
    gone = ~exists().where(EVENTS.c.stream_id == HEADS.c.stream_id)
    query = (select(HEADS.c.stream_id, HEADS.c.version)
             .where(HEADS.c.checkpoint_id == checkpoint_id, gone).order_by(HEADS.c.stream_id))
    if only is not None:
        query = query.where(HEADS.c.stream_id.in_(only))
    return [(r.stream_id, r.version) for r in conn.execute(query)]


def open_checkpoint(conn: Connection, now: datetime, actor: str) -> tuple[int, int, int]:
    """A checkpoint row over the log as it stands in this transaction, its digest not yet known:
    (id, last position, events). `add_heads` and `seal` complete it in the same transaction."""
    last_position = int(conn.execute(select(func.coalesce(func.max(EVENTS.c.position), 0))).scalar() or 0)
    events = int(conn.execute(select(func.count()).select_from(EVENTS)).scalar() or 0)
    checkpoint_id = conn.execute(CHECKPOINTS.insert().values(
        digest="", streams=0, events=events, last_position=last_position, created_at=now, actor=actor)
        .returning(CHECKPOINTS.c.id)).scalar_one()
    return int(checkpoint_id), last_position, events


def add_heads(conn: Connection, checkpoint_id: int, heads: Sequence[Head]) -> None:
    if heads:
        conn.execute(HEADS.insert(), [{"checkpoint_id": checkpoint_id, "stream_id": stream_id, "version": version,
                                       "hash": hash_} for stream_id, version, hash_ in heads])


def seal(conn: Connection, checkpoint_id: int, digest: str, streams: int) -> None:
    conn.execute(CHECKPOINTS.update().where(CHECKPOINTS.c.id == checkpoint_id)
                 .values(digest=digest, streams=streams))


def find(conn: Connection, digest: str) -> Checkpoint | None:
    """The latest checkpoint with `digest` (written in lower case)."""
    row = conn.execute(select(CHECKPOINTS).where(CHECKPOINTS.c.digest == digest)
                       .order_by(CHECKPOINTS.c.id.desc()).limit(1)).first()
    return None if row is None else _checkpoint(row)


def list_all(conn: Connection) -> list[Checkpoint]:
    return [_checkpoint(r) for r in conn.execute(select(CHECKPOINTS).order_by(CHECKPOINTS.c.id))]
