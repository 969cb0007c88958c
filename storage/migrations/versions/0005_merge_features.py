"""Merge the feature branches (reminders, reports, users, audit heads) into one head.

Revision ID: 0005
Revises: 0002, 0003, 0004, audit_0001
"""
from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004", "audit_0001")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
