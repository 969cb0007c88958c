"""Tables for reminders: the outbox, contacts per organisation and role, the SQLite scheduler lock and the
days whose digest was planned.

No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables import BigIntPK


class OutboxRow(SQLModel, table=True):
    """One reminder, escalation or digest to one role. `key` is UNIQUE (deadline, due date, moment, role),
    so no sweep, restart or second process can write it twice (ARCHITECTURE.md decision 8).

    status: pending -> sending (claimed, leased until `lease_until`) -> sent | pending (retry at
    `available_at`) | failed (an incident: `problem` is no_contact, delivery or exhausted) | cancelled.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index("ix_outbox_status_available", "status", "available_at"),
        Index("ix_outbox_status_id", "status", "id"),  # `outbox list --failed`, newest first (issue 19)
    )
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    key: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # reminder, escalation, digest
    slot: str = Field(max_length=40)  # before-7, due, overdue-2, escalate, digest
    role: str = Field(max_length=20)  # secretary, office, upper
    deadline_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    due_on: date | None = None
    org: str | None = Field(default=None, max_length=64, index=True)
    fire_at: datetime = Field(sa_type=DateTime(timezone=True))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    late: bool = False
    status: str = Field(max_length=12)
    attempts: int = 0
    available_at: datetime = Field(sa_type=DateTime(timezone=True))
    lease_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    claimed_by: str | None = Field(default=None, max_length=120)
    channels_done: str = Field(default="", max_length=100)
    problem: str | None = Field(default=None, max_length=20)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    sent_to: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ContactRow(SQLModel, table=True):
    """How to reach a role of an organisation (ARCHITECTURE.md decision 10): its secretary or its office."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("org", "role", name="uq_contact_org_role"),)
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    org: str = Field(foreign_key="organisation.code", max_length=64)
    role: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    webhook_url: str | None = Field(default=None, max_length=2000)
    language: str = Field(default="vi", max_length=5)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class SchedulerLockRow(SQLModel, table=True):
    """On SQLite one scheduler runs at a time: the holder renews `expires_at`; a dead holder's lock is taken
    over once it expires, or at once when its process is gone from this host."""

    __tablename__ = "scheduler_lock"
    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=200)
    host: str = Field(max_length=200)
    pid: int
    acquired_at: datetime = Field(sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))


class DigestRunRow(SQLModel, table=True):
    """A day whose morning digests were planned, so later sweeps that day skip the grouping work."""

    __tablename__ = "digest_run"
    day: date = Field(primary_key=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    rows: int


class SweepCursorRow(SQLModel, table=True):
    """How far a sweep pass has read the event log (the last global position it scanned), so each sweep reads
    only the events recorded since; the report-upward pass keeps one row named `report_upward`."""

    __tablename__ = "sweep_cursor"
    name: str = Field(primary_key=True, max_length=40)
    position: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
