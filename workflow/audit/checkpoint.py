"""Checkpoints: one digest over every stream head, written in the minutes by an auditor, that later proves
nothing recorded before it was deleted or rewritten (ARCHITECTURE.md decision 3).

The digest is a Merkle tree hash (RFC 6962 shape: leaves 0x00 || data, nodes 0x01 || left || right) over
the heads `(stream_id, version, hash)` in code-point order of stream_id. Each head is the last event of
its stream at the checkpoint's global position; the heads are stored with the checkpoint so that a later
verify can name the stream that changed, and the digest authenticates those stored heads.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select

from states.events import Event
from storage.event_store import EVENTS
from storage.tables import CheckpointHeadRow, CheckpointRow
from workflow.audit.findings import CHECKPOINT, REWRITTEN, STREAM_DELETED, TRUNCATED, UNCOVERED, Finding

CHECKPOINTS = CheckpointRow.__table__  # type: ignore[attr-defined]
HEADS = CheckpointHeadRow.__table__  # type: ignore[attr-defined]
INSERT_BATCH = 5000


class MerkleRoot:
    """Streaming Merkle tree hash: memory is O(log n) whatever the number of leaves."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.leaves = 0

    def add(self, stream_id: str, version: int, hash_: str) -> None:
        data = json.dumps([stream_id, version, hash_], ensure_ascii=False, separators=(",", ":"))
        node = (1, hashlib.sha256(b"\x00" + data.encode("utf-8")).digest())
        while self._stack and self._stack[-1][0] == node[0]:
            size, left = self._stack.pop()
            node = (size * 2, hashlib.sha256(b"\x01" + left + node[1]).digest())
        self._stack.append(node)
        self.leaves += 1

    def hexdigest(self) -> str:
        if not self._stack:
            return hashlib.sha256(b"").hexdigest()
        root = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            root = hashlib.sha256(b"\x01" + left + root).digest()
        return root.hex()


def merkle_root(heads: Iterable[tuple[str, int, str]]) -> str:
    tree = MerkleRoot()
    for stream_id, version, hash_ in heads:
        tree.add(stream_id, version, hash_)
    return tree.hexdigest()


def _by_code_point(conn: Connection, column: Any) -> Any:
    """Order by code point whatever the database's collation (PostgreSQL's may be a locale's)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def heads_in_log(conn: Connection, last_position: int) -> Iterator[tuple[str, int, str]]:
    """Each stream's last event at or before `last_position`, in code-point order of stream_id."""
    latest = (select(EVENTS.c.stream_id, func.max(EVENTS.c.version).label("version"))
              .where(EVENTS.c.position <= last_position).group_by(EVENTS.c.stream_id).subquery())
    query = (select(EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.hash)
             .join(latest, and_(EVENTS.c.stream_id == latest.c.stream_id, EVENTS.c.version == latest.c.version))
             .order_by(_by_code_point(conn, EVENTS.c.stream_id)).execution_options(yield_per=INSERT_BATCH))
    for row in conn.execute(query):
        yield row.stream_id, row.version, row.hash


def stored_heads(conn: Connection, checkpoint_id: int) -> Iterator[tuple[str, int, str]]:
    query = (select(HEADS.c.stream_id, HEADS.c.version, HEADS.c.hash).where(HEADS.c.checkpoint_id == checkpoint_id)
             .order_by(_by_code_point(conn, HEADS.c.stream_id)).execution_options(yield_per=INSERT_BATCH))
    for row in conn.execute(query):
        yield row.stream_id, row.version, row.hash


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


def create(conn: Connection, now: datetime, actor: str) -> Checkpoint:
    """Record a checkpoint over the log as it stands in this transaction and return it with its digest."""
    last_position = int(conn.execute(select(func.coalesce(func.max(EVENTS.c.position), 0))).scalar() or 0)
    events = int(conn.execute(select(func.count()).select_from(EVENTS)).scalar() or 0)
    checkpoint_id = conn.execute(CHECKPOINTS.insert().values(
        digest="", streams=0, events=events, last_position=last_position, created_at=now, actor=actor)
        .returning(CHECKPOINTS.c.id)).scalar_one()
    tree, batch = MerkleRoot(), []
    for stream_id, version, hash_ in heads_in_log(conn, last_position):
        tree.add(stream_id, version, hash_)
        batch.append({"checkpoint_id": checkpoint_id, "stream_id": stream_id, "version": version, "hash": hash_})
        if len(batch) >= INSERT_BATCH:
            conn.execute(HEADS.insert(), batch)
            batch = []
    if batch:
        conn.execute(HEADS.insert(), batch)
    digest = tree.hexdigest()
    conn.execute(CHECKPOINTS.update().where(CHECKPOINTS.c.id == checkpoint_id)
                 .values(digest=digest, streams=tree.leaves))
    return Checkpoint(checkpoint_id, digest, tree.leaves, events, last_position, now, actor)


def find(conn: Connection, digest: str) -> Checkpoint | None:
    row = conn.execute(select(CHECKPOINTS).where(CHECKPOINTS.c.digest == digest.strip().lower())
                       .order_by(CHECKPOINTS.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return Checkpoint(row.id, row.digest, row.streams, row.events, row.last_position, row.created_at, row.actor)


def list_all(conn: Connection) -> list[Checkpoint]:
    rows = conn.execute(select(CHECKPOINTS).order_by(CHECKPOINTS.c.id))
    return [Checkpoint(r.id, r.digest, r.streams, r.events, r.last_position, r.created_at, r.actor) for r in rows]


class CheckpointCheck:
    """Compares the log with one checkpoint, chunk by chunk, once its stored heads are authenticated."""

    def __init__(self, conn: Connection, digest: str) -> None:
        self.conn, self.digest = conn, digest.strip().lower()
        self.checkpoint = find(conn, self.digest)
        self.findings: list[Finding] = []
        self.heads_trusted = False
        self.summary: dict[str, Any] = {"digest": self.digest, "found": self.checkpoint is not None}
        if self.checkpoint is None:
            self.findings.append(Finding(CHECKPOINT, "", None, f"no checkpoint with digest {self.digest} in the "
                                         "database: it was deleted, or the digest was copied wrongly"))
            return
        self.summary.update(self.checkpoint.as_dict())
        self._authenticate()

    def _authenticate(self) -> None:
        assert self.checkpoint is not None
        if merkle_root(stored_heads(self.conn, self.checkpoint.id)) == self.digest:
            self.heads_trusted = True
            return
        log_root = merkle_root(heads_in_log(self.conn, self.checkpoint.last_position))
        log_intact = log_root == self.digest
        self.summary["log_as_of_checkpoint_intact"] = log_intact
        self.findings.append(Finding(
            CHECKPOINT, "", None, "the heads stored with this checkpoint do not give its digest (the checkpoint "
            "record was altered); " + ("the log up to its position still gives the digest" if log_intact else
                                       "the log up to its position does not give the digest either: something "
                                       "recorded before it was deleted or rewritten")))

    def check_chunk(self, streams: list[list[Event]]) -> list[Finding]:
        """Heads cut short or rewritten, and events placed before the checkpoint that it did not cover."""
        if not self.heads_trusted or self.checkpoint is None or not streams:
            return []
        ids = [s[0].stream_id for s in streams]
        heads = {r.stream_id: (r.version, r.hash) for r in self.conn.execute(
            select(HEADS.c.stream_id, HEADS.c.version, HEADS.c.hash)
            .where(HEADS.c.checkpoint_id == self.checkpoint.id, HEADS.c.stream_id.in_(ids)))}
        found: list[Finding] = []
        for events in streams:
            head = heads.get(events[0].stream_id)
            found.extend(self._compare(events, head))
        return found

    def _compare(self, events: list[Event], head: tuple[int, str] | None) -> list[Finding]:
        assert self.checkpoint is not None
        stream, last = events[0].stream_id, self.checkpoint.last_position
        if head is None:
            early = [e.version for e in events if e.position is not None and e.position <= last]
            return [Finding(UNCOVERED, stream, early[0], f"events at positions before checkpoint "
                            f"{self.checkpoint.digest[:12]} that it did not cover (versions {early})")] if early else []
        version, hash_ = head
        at_head = next((e for e in events if e.version == version), None)
        if at_head is None:
            top = max(e.version for e in events)
            return [Finding(TRUNCATED, stream, version, f"the checkpoint saw version {version}; the stream now "
                            f"ends at version {top}", {"checkpoint_version": version, "now": top})]
        if at_head.hash != hash_:
            return [Finding(REWRITTEN, stream, version, f"version {version} no longer has the hash the checkpoint "
                            "recorded: the stream was rewritten (and re-hashed) since",
                            {"checkpoint_hash": hash_, "now": at_head.hash})]
        return []

    def deleted_streams(self, only: list[str] | None = None) -> list[Finding]:
        """Streams the checkpoint covered that have no events left."""
        if not self.heads_trusted or self.checkpoint is None:
            return []
        gone = ~exists().where(EVENTS.c.stream_id == HEADS.c.stream_id)
        query = (select(HEADS.c.stream_id, HEADS.c.version)
                 .where(HEADS.c.checkpoint_id == self.checkpoint.id, gone).order_by(HEADS.c.stream_id))
        if only is not None:
            query = query.where(HEADS.c.stream_id.in_(only))
        return [Finding(STREAM_DELETED, r.stream_id, r.version, f"the whole stream is gone (the checkpoint saw "
                        f"{r.version} event(s))") for r in self.conn.execute(query)]
