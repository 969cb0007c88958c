"""Idempotency keys of step requests: one row per (user, key), written in the transaction of the step's events.

The row names the events the first request wrote, so a repeated request is answered from those immutable
events, and two concurrent requests with one key meet at the UNIQUE constraint: one commits, the other writes
nothing (issue 11, break 9).
No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, DateTime, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from storage.errors import DuplicateRowError
from storage.tables import BigIntPK


class IdempotencyKeyRow(SQLModel, table=True):
    """A step request's key: who sent it, a hash of what was asked, and the versions of the events it wrote."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("actor", "key", name="uq_idempotency_key_actor_key"),)
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    actor: str = Field(max_length=200)
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    candidate_id: str = Field(max_length=64)
    first_version: int  # the answer: events first_version..last_version of the candidate's stream
    last_version: int
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


KEYS = IdempotencyKeyRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Remembered:
    """What the first request with a key asked (its hash) and answered (a range of its candidate's events)."""

    actor: str
    key: str
    request_hash: str
    candidate_id: str
    first_version: int
    last_version: int


def find(conn: Connection, actor: str, key: str) -> Remembered | None:
    row = conn.execute(select(KEYS.c.request_hash, KEYS.c.candidate_id, KEYS.c.first_version, KEYS.c.last_version)
                       .where(KEYS.c.actor == actor, KEYS.c.key == key)).first()
    if row is None:
        return None
    return Remembered(actor, key, row.request_hash, row.candidate_id, int(row.first_version), int(row.last_version))


def remember(conn: Connection, r: Remembered, now: datetime) -> None:
    """Store the key in the caller's transaction (the step's): committed with its events, or not at all.

    Raises:
        DuplicateRowError: another request with this key committed first (on PostgreSQL this one waited for it
            at the unique index, and its transaction is aborted).
    """
    try:
        conn.execute(insert(KEYS).values(actor=r.actor, key=r.key, request_hash=r.request_hash,
                                         candidate_id=r.candidate_id, first_version=r.first_version,
                                         last_version=r.last_version, created_at=now))
    except IntegrityError as err:
        raise DuplicateRowError(f"idempotency key {r.key!r} of {r.actor}") from err
