"""A checkpoint also covers the organisation log: `checkpoint.org_last_position` is how far it read it (NULL for
checkpoints made before the organisation log, which cover candidate streams only).

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkpoint") as batch_op:
        batch_op.add_column(sa.Column("org_last_position", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkpoint") as batch_op:
        batch_op.drop_column("org_last_position")
