"""checkpoint heads: the stream heads each audit checkpoint covered (issue 4)

Revision ID: audit_0001
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "audit_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkpoint_head",
        sa.Column("checkpoint_id", BIGINT, nullable=False),
        sa.Column("stream_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["checkpoint_id"], ["checkpoint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("checkpoint_id", "stream_id"),
    )


def downgrade() -> None:
    op.drop_table("checkpoint_head")
