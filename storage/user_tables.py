"""Tables of the people who use ketnap: users, the organisations each may see, and their API tokens.

Passwords and tokens are stored hashed, never in clear (ARCHITECTURE.md decision 11).
No `from __future__ import annotations` here: SQLModel breaks with postponed annotations (sqlmodel#196).
"""

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String, false
from sqlmodel import Field, SQLModel

from storage.tables import BigIntPK


class UserRow(SQLModel, table=True):
    """A person who signs in; `role` is admin, secretary, committee or auditor."""

    __tablename__ = "user"
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=300)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=300)  # argon2; None: token-only account
    active: bool = True
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    # set with a temporary password (an admin's `user add`, `user password`): sign-in leads only to changing it
    must_change_password: bool = Field(default=False, sa_column=Column(Boolean, nullable=False,
                                                                       server_default=false()))


class UserScopeRow(SQLModel, table=True):
    """One organisation (with its whole subtree) a user may see; a user has one or more."""

    __tablename__ = "user_scope"
    user_id: int = Field(sa_column=Column(BigIntPK, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True))
    org_code: str = Field(sa_column=Column(String(64), ForeignKey("organisation.code"), primary_key=True))


class ApiTokenRow(SQLModel, table=True):
    """An API token: only its SHA-256 is kept; the token itself is shown once, when it is created."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    user_id: int = Field(sa_column=Column(BigIntPK, ForeignKey("user.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # NULL (tokens made before expiry existed): created_at + web.token_days, computed when read
    expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class WebSessionRow(SQLModel, table=True):
    """A signed-in browser session (issue 11): the cookie carries a random id, only its SHA-256 is kept here, so
    signing out, a password change or a deactivation ends the session at once. Ended rows stay, with the reason."""

    __tablename__ = "web_session"
    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True, autoincrement=True))
    id_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(sa_column=Column(BigIntPK, ForeignKey("user.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    last_seen_at: datetime = Field(sa_type=DateTime(timezone=True))  # written at most every session_touch_seconds
    ended_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ended_reason: str | None = Field(default=None, max_length=20)  # signed_out, idle, absolute, password_changed...



class SignInThrottleRow(SQLModel, table=True):
    """Recent failed sign-ins of one account or one client address (issue 11): kept in the database so that
    every process and every restart sees the same counts. `blocked_until` is the end of the current delay or
    lockout; a row whose last failure is old enough is stale and deleted."""

    __tablename__ = "sign_in_throttle"
    scope: str = Field(sa_column=Column(String(10), primary_key=True))  # "account" or "address"
    subject: str = Field(sa_column=Column(String(255), primary_key=True))  # the username as typed, or the IP
    failures: int
    last_failed_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    blocked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
