"""Drop the single-column stream_id indexes: UNIQUE(stream_id, version) and UNIQUE(stream_id, kind) already
index stream_id, and every extra index is one more write on each step.

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_index("ix_event_stream_id")
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.drop_index("ix_deadline_stream_id")


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch_op:
        batch_op.create_index("ix_deadline_stream_id", ["stream_id"], unique=False)
    with op.batch_alter_table("event") as batch_op:
        batch_op.create_index("ix_event_stream_id", ["stream_id"], unique=False)
