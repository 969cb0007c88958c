"""The dated history of each user's role, organisations and active flag (issue 11): `audit verify` judges every
event by what its actor held when it was recorded, as it judges steps by the organisation tree of their date.

Append-only: a change of a user adds a row, no row is ever updated or deleted by the application.
No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index
from sqlmodel import Field, SQLModel

from storage.tables import BigIntPK


class UserHistoryRow(SQLModel, table=True):
    """What one user held from `valid_from` until the next row of theirs; `change` says what changed (created,
    role, orgs, active, or seeded when the table was added)."""

    __tablename__ = "user_history"
    __table_args__ = (Index("ix_user_history_user_valid_from", "user_id", "valid_from"),)
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    user_id: int = Field(sa_column=Column(BigIntPK, ForeignKey("user.id"), nullable=False))
    valid_from: datetime = Field(sa_type=DateTime(timezone=True))
    role: str = Field(max_length=20)
    orgs: list[Any] = Field(sa_column=Column(JSON, nullable=False))  # organisation codes, sorted
    active: bool
    change: str = Field(max_length=40)
