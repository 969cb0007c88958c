"""The historical-record log (states/history_records.py): each organisation's aggregate admissions of past
periods, with the envelope and hash chain of candidate events, in a table of its own so that candidate reads,
replays and rule checks never meet it.

No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables import BigIntPK


class HistoryEventRow(SQLModel, table=True):
    """One entry of an organisation's historical stream: a record of a past period's figures, or its withdrawal.
    Append-only: nothing is updated or deleted."""

    __tablename__ = "history_event"
    __table_args__ = (
        UniqueConstraint("stream_id", "version", name="uq_history_event_stream_version"),
    )
    position: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    stream_id: str = Field(max_length=64)  # the organisation's code
    version: int
    type: str = Field(max_length=40)  # history_recorded, history_withdrawn
    effective_on: date  # the last day of the record's period
    recorded_at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    rule_set: str = Field(max_length=40)  # "history": no rule set judges it
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    derived: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
