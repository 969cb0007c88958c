"""Drop the index on event.recorded_at: no query filters or sorts on it (`--known-at` filters one stream's
events, already read by the stream index), and every index is one more page written by each step.

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_index("ix_event_recorded_at")


def downgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.create_index("ix_event_recorded_at", ["recorded_at"], unique=False)
