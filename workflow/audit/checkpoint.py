"""Checkpoints: one digest over every stream head, written in the minutes by an auditor, that later proves
nothing recorded before it was deleted or rewritten (ARCHITECTURE.md decision 3).

The digest is a Merkle tree hash (RFC 6962 shape: leaves 0x00 || data, nodes 0x01 || left || right) over
the heads `(stream_id, version, hash)` in code-point order of stream_id. Each head is the last event of
its stream at the checkpoint's global position; the heads are stored with the checkpoint so that a later
verify can name the stream that changed, and the digest authenticates those stored heads.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from states.events import Event
from storage import checkpoints as store
from storage.checkpoints import Checkpoint
from workflow.audit.findings import CHECKPOINT, REWRITTEN, STREAM_DELETED, TRUNCATED, UNCOVERED, Finding

INSERT_BATCH = store.BATCH


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


def create(conn: Connection, now: datetime, actor: str) -> Checkpoint:
    """Record a checkpoint over the log as it stands in this transaction and return it with its digest; the
    heads stream from the log into the tree and the table a batch at a time."""
    checkpoint_id, last_position, events, org_last, history_last = store.open_checkpoint(conn, now, actor)
    tree, batch = MerkleRoot(), []
    for head in store.heads_in_log(conn, last_position, org_last, history_last):
        tree.add(*head)
        batch.append(head)
        if len(batch) >= INSERT_BATCH:
            store.add_heads(conn, checkpoint_id, batch)
            batch = []
    store.add_heads(conn, checkpoint_id, batch)
    digest = tree.hexdigest()
    store.seal(conn, checkpoint_id, digest, tree.leaves)
    return Checkpoint(checkpoint_id, digest, tree.leaves, events, last_position, now, actor, org_last, history_last)


def digest_now(conn: Connection) -> tuple[str, int, int]:
    """(digest, streams, events) of the log as it stands in this transaction: what `create` would record, without
    recording anything (a backup's manifest carries it, and a restored copy must give it again)."""
    last_position, events, org_last = store.log_extent(conn)
    tree = MerkleRoot()
    for head in store.heads_in_log(conn, last_position, org_last, store.history_extent(conn)):
        tree.add(*head)
    return tree.hexdigest(), tree.leaves, events


def find(conn: Connection, digest: str) -> Checkpoint | None:
    """A digest as an auditor copied it: surrounding spaces and capitals do not matter."""
    return store.find(conn, digest.strip().lower())


def list_all(conn: Connection) -> list[Checkpoint]:
    """Every checkpoint, oldest first (`ketnap audit checkpoint --list`)."""
    return store.list_all(conn)


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
        if merkle_root(store.stored_heads(self.conn, self.checkpoint.id)) == self.digest:
            self.heads_trusted = True
            return
        log_root = merkle_root(store.heads_in_log(self.conn, self.checkpoint.last_position,
                                                  self.checkpoint.org_last_position,
                                                  self.checkpoint.history_last_position))
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
        heads = store.heads_of(self.conn, self.checkpoint.id, [s[0].stream_id for s in streams])
        found: list[Finding] = []
        for events in streams:
            head = heads.get(events[0].stream_id)
            found.extend(self._compare(events, head))
        return found

    def check_org_log(self, events: Sequence[Event]) -> list[Finding]:
        """The organisation streams against the heads the checkpoint stored (none before the organisation log)."""
        if self.checkpoint is None:
            return []
        return self._check_log(events, store.ORG_PREFIX, self.checkpoint.org_last_position,
                               "the organisation's whole history is gone")

    def check_history_log(self, events: Sequence[Event]) -> list[Finding]:
        """The historical-record streams against the heads the checkpoint stored (none before that log)."""
        if self.checkpoint is None:
            return []
        return self._check_log(events, store.HISTORY_PREFIX, self.checkpoint.history_last_position,
                               "the organisation's historical records are gone")

    def _check_log(self, events: Sequence[Event], prefix: str, last: int | None, gone: str) -> list[Finding]:
        if not self.heads_trusted or self.checkpoint is None or last is None:
            return []
        heads = store.org_heads(self.conn, self.checkpoint.id, prefix)
        streams: dict[str, list[Event]] = {}
        for e in events:
            streams.setdefault(e.stream_id, []).append(e)
        found: list[Finding] = []
        for code, stream in sorted(streams.items()):
            named = [e._replace(stream_id=prefix + code) for e in sorted(stream, key=lambda e: e.version)]
            found += self._compare(named, heads.pop(code, None), last)
        for code, (version, _) in sorted(heads.items()):
            found.append(Finding(STREAM_DELETED, prefix + code, version,
                                 f"{gone} (the checkpoint saw {version} event(s))"))
        return found

    def _compare(self, events: list[Event], head: tuple[int, str] | None,
                 last_position: int | None = None) -> list[Finding]:
        assert self.checkpoint is not None
        stream = events[0].stream_id
        last = self.checkpoint.last_position if last_position is None else last_position
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
        return [Finding(STREAM_DELETED, stream_id, version, f"the whole stream is gone (the checkpoint saw "
                        f"{version} event(s))")
                for stream_id, version in store.deleted_streams(self.conn, self.checkpoint.id, only)]
