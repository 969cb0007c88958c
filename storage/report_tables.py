"""Tables of the reports feature (issue 6): plans, membership counts, training classes, and the admissions read
model rebuilt from the event log.

Plans, membership counts and classes are reference data entered by committee offices, like organisations.
`report_candidate` is a projection: one row of report facts per candidate, rebuilt from the events and never a
second source of truth. No `from __future__ import annotations` here (sqlmodel#196).
"""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.tables import BigIntPK


class PlanRow(SQLModel, table=True):
    """A plan (kế hoạch, chỉ tiêu) of one organisation for one year or several years (a congress term).

    `source` says whose target it is: the organisation's own resolution, or the one assigned from above; an
    organisation may hold several plans for one period (DOMAIN.md section 8, E2, E3, E8). The target is a
    number of admissions (`total`) or a rate of the membership at the start of each year (`rate_basis_points`,
    1% = 100, E3, E4).
    """

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("org", "first_year", "last_year", "source", "name", name="uq_plan_org_period_source_name"),
    )
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    org: str = Field(foreign_key="organisation.code", index=True, max_length=64)
    first_year: int
    last_year: int
    source: str = Field(max_length=20)  # resolution, assigned
    name: str = Field(default="", max_length=300)
    document: str | None = Field(default=None, max_length=300)
    total: int | None = None
    rate_basis_points: int | None = None
    starts_on: date | None = None  # issue 20: a term runs from its congress's date (None: 1 January of first_year)
    ends_on: date | None = None  # ... to the next congress (None: 31 December of last_year)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)


class PlanTargetRow(SQLModel, table=True):
    """A sub-target of a plan for one category of new members (students, private enterprise, women...)."""

    __tablename__ = "plan_target"
    plan_id: int = Field(sa_column=Column(BigIntPK, ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True))
    category: str = Field(primary_key=True, max_length=40)
    target: int


class MembershipRow(SQLModel, table=True):
    """Official and probationary members of an organisation at the start of a year: the base of the admission
    rate (E3: 3-4% of total membership; E4: 7% of the membership at the start of the year)."""

    __tablename__ = "membership"
    org: str = Field(foreign_key="organisation.code", primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    members: int
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)


class TrainingClassRow(SQLModel, table=True):
    """A Party-awareness class (lớp bồi dưỡng nhận thức về Đảng, DOMAIN.md S2). Its roster is not stored here:
    it is read from the `enrol_training` events whose `class_name` is the class's name."""

    __tablename__ = "training_class"
    code: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=500, unique=True)
    organiser: str = Field(foreign_key="organisation.code", index=True, max_length=64)
    starts_on: date
    ends_on: date
    place: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)


class ReportCandidateRow(SQLModel, table=True):
    """Projection: the facts reports need about one candidate, folded from its events (with corrections).

    `admitted_org` is the branch on the decision date (a later transfer does not move the admission);
    `dropped_stage` is the stage the candidate left, so removals during probation can be told apart.
    """

    __tablename__ = "report_candidate"
    __table_args__ = (
        Index("ix_report_candidate_decided", "decided_on", "admitted_org"),
        Index("ix_report_candidate_ceremony", "ceremony_on", "admitted_org"),
    )
    id: str = Field(primary_key=True, max_length=64)
    version: int
    org: str = Field(index=True, max_length=64)
    admitted_org: str | None = Field(default=None, max_length=64)
    stage: str = Field(max_length=20)
    full_name: str = Field(max_length=300)
    sex: str = Field(max_length=1)
    birth_date: date | None = None
    ethnicity: str | None = Field(default=None, max_length=100)
    religion: str | None = Field(default=None, max_length=100)
    youth_union: bool = False
    trade_union: bool = False
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    class_name: str | None = Field(default=None, index=True, max_length=500)
    identified_on: date | None = None
    mentored_on: date | None = None
    enrolled_on: date | None = None
    certified_on: date | None = None
    vetted_on: date | None = None
    branch_vote_on: date | None = None
    admission_due_on: date | None = None
    decided_on: date | None = None
    ceremony_due_on: date | None = None
    ceremony_on: date | None = None
    probation_ends_on: date | None = None
    recognised_on: date | None = None
    official_on: date | None = None
    dropped_on: date | None = None
    dropped_reason: str | None = Field(default=None, max_length=40)
    dropped_stage: str | None = Field(default=None, max_length=20)
    readmission: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # issue 12


class ReportCheckpointRow(SQLModel, table=True):
    """How far the report read model has folded the log (the global position of the last event seen)."""

    __tablename__ = "report_checkpoint"
    name: str = Field(primary_key=True, max_length=40)
    position: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
