"""SQLModel tables. The `event` table is the only truth; every other table is a projection of it.

No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

# A BigInteger primary key does not autoincrement on SQLite (ANCHORS.md B.4): use INTEGER there.
BigIntPK = BigInteger().with_variant(Integer, "sqlite")


# Indexes on an expression the two databases spell differently, so made by their migration alone and not
# declared below (tests/integration/test_migrations.py leaves them out of its comparison).
EXPRESSION_INDEXES = frozenset({"ix_event_member_org"})  # auditorg_0001: the organisation a stream was placed in


class EventRow(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("stream_id", "version", name="uq_event_stream_version"),
    )
    position: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    stream_id: str = Field(max_length=64)  # UNIQUE(stream_id, ...) indexes it
    version: int
    type: str = Field(max_length=40)
    effective_on: date
    recorded_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    rule_set: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    derived: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class OrgEventRow(SQLModel, table=True):
    """A dated change of an organisation (states/organisations.py): the tree's own log, with the same envelope
    and hash chain as candidate events but in its own table, so that candidate reads never meet it."""

    __tablename__ = "org_event"
    __table_args__ = (
        UniqueConstraint("stream_id", "version", name="uq_org_event_stream_version"),
    )
    position: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    stream_id: str = Field(max_length=64)  # the organisation's code
    version: int
    type: str = Field(max_length=40)  # created, renamed, moved, level_changed, authorised, merged, split, dissolved
    effective_on: date  # the date in the decision
    recorded_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    rule_set: str = Field(max_length=40)  # "org"
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    derived: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class OrganisationRow(SQLModel, table=True):
    """Projection of the organisation log as every change recorded so far leaves it; `admits` marks a
    grassroots committee authorised to admit (V3)."""

    __tablename__ = "organisation"
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    level: str = Field(max_length=20)  # province, commune, upper, grassroots, branch
    parent_code: str | None = Field(default=None, foreign_key="organisation.code", index=True, max_length=64)
    admits: bool = False
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    founded_on: date | None = None  # None: before anything recorded
    ended_on: date | None = None
    ended_by: str | None = Field(default=None, max_length=20)
    successors: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # None: none
    org_type: str | None = Field(default=None, max_length=40)  # issue 20: loại hình, as the latest change says


class CandidateRow(SQLModel, table=True):
    """Projection: one row per candidate with the current stage and key dates, for lists and reports."""

    __tablename__ = "candidate"
    __table_args__ = (  # the lists' orders, by name and by organisation then name (issue 19)
        Index("ix_candidate_name", "search_name", "id"),
        Index("ix_candidate_org_name", "org", "search_name", "id"),
        Index("ix_candidate_org_stage", "org", "stage"),  # a scope's stage counts, from the index alone (issue 14)
        Index("ix_candidate_incoming_org", "incoming_org"),  # the transfers waiting at a branch (migration incoming)
    )  # and on PostgreSQL a trigram index on search_name (migration pages_0001), which metadata cannot state
    id: str = Field(primary_key=True, max_length=64)
    org: str = Field(max_length=64)  # ix_candidate_org_name leads with it
    stage: str = Field(index=True, max_length=20)
    version: int
    full_name: str = Field(max_length=300)
    search_name: str = Field(max_length=300)  # lower case without diacritics; ix_candidate_name
    birth_date: date | None = None
    sex: str = Field(max_length=1)
    education: str = Field(max_length=20)
    ethnicity: str | None = Field(default=None, max_length=100)
    religion: str | None = Field(default=None, max_length=100)
    youth_union: bool = False
    trade_union: bool = False
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    identified_on: date | None = None
    decided_on: date | None = None
    ceremony_on: date | None = None
    probation_ends_on: date | None = None
    official_on: date | None = None
    dropped_on: date | None = None
    incoming_org: str | None = Field(default=None, max_length=64)  # a transfer sent there, not yet received (D16)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class DeadlineRow(SQLModel, table=True):
    """Projection: one row per candidate and deadline kind; the id stays stable while it is updated."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("stream_id", "kind", name="uq_deadline_stream_kind"),
        Index("ix_deadline_open_due", "status", "due_on", "id", "org", "stream_id"),  # by (due_on, id); covering
        Index("ix_deadline_status_org_due", "status", "org", "due_on", "id"),  # one organisation's, in due order
    )
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    stream_id: str = Field(max_length=64)  # UNIQUE(stream_id, ...) indexes it
    org: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=40)
    due_on: date
    opened_on: date
    status: str = Field(max_length=10)  # open, closed
    closed_on: date | None = None
    closed_by: str | None = Field(default=None, max_length=40)
    rule_set: str = Field(max_length=40)
    calendar: str = Field(max_length=80)


class CheckpointRow(SQLModel, table=True):
    """A digest over every stream head, written down by an auditor to prove later that nothing before it
    was deleted or rewritten (ARCHITECTURE.md decision 3)."""

    __tablename__ = "checkpoint"
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    digest: str = Field(max_length=64, index=True)
    streams: int
    events: int
    last_position: int
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    # how far it read the organisation log; None: made before there was one (candidate streams only)
    org_last_position: int | None = Field(default=None, sa_type=BigInteger)
    # how far it read the historical-record log (issue 13, item 5); None: made before there was one
    history_last_position: int | None = Field(default=None, sa_type=BigInteger)


class CheckpointHeadRow(SQLModel, table=True):
    """The head (last version and its hash) of each stream a checkpoint covered, so that a later verify can
    name the stream that was deleted, cut short or rewritten; the checkpoint's digest authenticates them."""

    __tablename__ = "checkpoint_head"
    checkpoint_id: int = Field(sa_column=Column(BigIntPK, ForeignKey("checkpoint.id", ondelete="CASCADE"),
                                                primary_key=True))
    stream_id: str = Field(max_length=64, primary_key=True)
    version: int
    hash: str = Field(max_length=64)
