"""sign_in_throttle: failed sign-ins per account and per client address, shared by every process (issue 11)

Revision ID: throttle_0001
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "throttle_0001"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = ("throttle",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "subject"),
    )
    op.create_index("ix_sign_in_throttle_last_failed_at", "sign_in_throttle", ["last_failed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_last_failed_at", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
