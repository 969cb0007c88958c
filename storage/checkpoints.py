"""The checkpoint tables and the reads a checkpoint is built and checked from (ARCHITECTURE.md decision 3).

The digest itself is computed by the audit (workflow/audit/checkpoint.py); this module only reads stream
heads from the log and stores them, streamed in batches so that memory does not grow with the log. Heads
come in code-point order of stream_id whatever the database's collation, because the digest depends on it.
The organisation log's heads are covered too, as streams named `org:<code>` (ORG_PREFIX), and the
historical-record log's as `history:<code>` (HISTORY_PREFIX).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select

from storage import event_store
from storage.event_store import EVENTS
from storage.history_records import HISTORY_EVENTS
from storage.organisations import ORG_EVENTS
from storage.tables import CheckpointHeadRow, CheckpointRow

CHECKPOINTS = CheckpointRow.__table__  # type: ignore[attr-defined]
HEADS = CheckpointHeadRow.__table__  # type: ignore[attr-defined]
BATCH = 5000  # heads fetched and inserted at a time
Head = tuple[str, int, str]  # stream_id, version, hash
ORG_PREFIX = "org:"  # an organisation stream among the heads
HISTORY_PREFIX = "history:"  # an organisation's historical-record stream among the heads


@dataclass(frozen=True)
class Checkpoint:
    id: int
    digest: str
    streams: int
    events: int
    last_position: int
    created_at: datetime
    actor: str
    org_last_position: int | None = None
    history_last_position: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "digest": self.digest, "streams": self.streams, "events": self.events,
                "last_position": self.last_position, "created_at": self.created_at, "actor": self.actor,
                "org_last_position": self.org_last_position, "history_last_position": self.history_last_position}


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(row.id, row.digest, row.streams, row.events, row.last_position, row.created_at, row.actor,
                      row.org_last_position, row.history_last_position)


def _by_code_point(conn: Connection, column: Any) -> Any:
    """Order by code point whatever the database's collation (PostgreSQL's may be a locale's)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def heads_in_log(conn: Connection, last_position: int, org_last_position: int | None = None,
                 history_last_position: int | None = None) -> Iterator[Head]:
    """Each stream's last event at or before `last_position` (and each organisation stream's at or before
    `org_last_position`, named `org:<code>`, and each historical stream's at or before `history_last_position`,
    named `history:<code>`), in code-point order of stream_id."""
    logs = [_heads(conn, EVENTS, last_position, "")]
    if org_last_position is not None:
        logs.append(_heads(conn, ORG_EVENTS, org_last_position, ORG_PREFIX))
    if history_last_position is not None:
        logs.append(_heads(conn, HISTORY_EVENTS, history_last_position, HISTORY_PREFIX))
    yield from merge(*logs, key=lambda h: h[0])


def _heads(conn: Connection, table: Any, last_position: int, prefix: str) -> Iterator[Head]:
    latest = (select(table.c.stream_id, func.max(table.c.version).label("version"))
              .where(table.c.position <= last_position).group_by(table.c.stream_id).subquery())
    query = (select(table.c.stream_id, table.c.version, table.c.hash)
             .join(latest, and_(table.c.stream_id == latest.c.stream_id, table.c.version == latest.c.version))
             .order_by(_by_code_point(conn, table.c.stream_id)).execution_options(yield_per=BATCH))
    for row in conn.execute(query):
        yield prefix + row.stream_id, row.version, row.hash


def org_heads(conn: Connection, checkpoint_id: int, prefix: str = ORG_PREFIX) -> dict[str, tuple[int, str]]:
    """The organisation heads (or, with HISTORY_PREFIX, historical heads) a checkpoint stored: {code: (version,
    hash)} (those logs are small)."""
    rows = conn.execute(select(HEADS.c.stream_id, HEADS.c.version, HEADS.c.hash)
                        .where(HEADS.c.checkpoint_id == checkpoint_id, HEADS.c.stream_id.startswith(prefix)))
    return {r.stream_id[len(prefix):]: (r.version, r.hash) for r in rows}


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
             .where(HEADS.c.checkpoint_id == checkpoint_id, gone, ~HEADS.c.stream_id.startswith(ORG_PREFIX),
                    ~HEADS.c.stream_id.startswith(HISTORY_PREFIX))
             .order_by(HEADS.c.stream_id))
    if only is not None:
        query = query.where(HEADS.c.stream_id.in_(only))
    return [(r.stream_id, r.version) for r in conn.execute(query)]


def history_extent(conn: Connection) -> int:
    """The historical-record log's last position in this transaction (0: empty)."""
    return int(conn.execute(select(func.coalesce(func.max(HISTORY_EVENTS.c.position), 0))).scalar() or 0)


def log_extent(conn: Connection) -> tuple[int, int, int]:
    """The logs as they stand in this transaction: (last position, events, organisation log's last position).
    The last position is the committed head (storage/event_store.py): on PostgreSQL an append still in flight
    may hold a lower position, which a checkpoint must not leave out of its heads when it commits later."""
    last_position = event_store.committed_head(conn)
    counted = select(func.count()).select_from(EVENTS)
    if conn.dialect.name == "postgresql":  # on SQLite nothing lies beyond the head, and a bare count is quicker
        counted = counted.where(EVENTS.c.position <= last_position)
    events = int(conn.execute(counted).scalar() or 0)
    org_last = int(conn.execute(select(func.coalesce(func.max(ORG_EVENTS.c.position), 0))).scalar() or 0)
    return last_position, events, org_last


def open_checkpoint(conn: Connection, now: datetime, actor: str) -> tuple[int, int, int, int, int]:
    """A checkpoint row over the logs as they stand in this transaction, its digest not yet known:
    (id, last position, events, organisation log's last position, historical log's last position).
    `add_heads` and `seal` complete it in the same transaction."""
    last_position, events, org_last = log_extent(conn)
    history_last = history_extent(conn)
    checkpoint_id = conn.execute(CHECKPOINTS.insert().values(
        digest="", streams=0, events=events, last_position=last_position, created_at=now, actor=actor,
        org_last_position=org_last, history_last_position=history_last).returning(CHECKPOINTS.c.id)).scalar_one()
    return int(checkpoint_id), last_position, events, org_last, history_last


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
