"""The read-access log's table: who saw which candidate's file, how, when and from where (Decree 13/2023/NĐ-CP).

Append-only: the application has no UPDATE or DELETE path, and the migration that creates the table adds
triggers so that the database itself refuses both (storage/migrations/versions/access_0001_access_log.py).
No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from datetime import datetime

from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from storage.tables import BigIntPK


class AccessLogRow(SQLModel, table=True):
    """One view of personal data: a candidate's file (`candidate_id`), or a list or export (`scope`, `count`).

    `org` is the candidate's organisation at the time of the view (for a list, the organisation it was limited
    to; none for the whole database): an auditor reads the rows of their organisations only.
    """

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_candidate_at", "candidate_id", "at"),
                      Index("ix_access_log_actor_at", "actor", "at"))
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    at: datetime = Field(sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    role: str | None = Field(default=None, max_length=20)  # none on the CLI (the server's operator)
    via: str = Field(max_length=10)  # web, api or cli
    origin: str = Field(max_length=300)  # the client's address, or "cli:<OS user>"
    view: str = Field(max_length=40)
    candidate_id: str | None = Field(default=None, max_length=64)
    org: str | None = Field(default=None, max_length=64)
    scope: str | None = Field(default=None, max_length=300)
    count: int | None = None
