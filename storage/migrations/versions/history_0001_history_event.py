"""history_event: the historical-record log (issue 13, item 5), each organisation's aggregate admissions of past
periods, hash chained like candidate events; the reports count them, the audit proves them unaltered; and
`checkpoint.history_last_position`, how far a checkpoint read that log (its heads are covered as `history:<code>`).

Revision ID: history_0001
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "history_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("history",)
depends_on: str | Sequence[str] | None = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "history_event",
        sa.Column("position", BigIntPK, autoincrement=True, nullable=False),
        sa.Column("stream_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rule_set", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("derived", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("stream_id", "version", name="uq_history_event_stream_version"),
    )
    with op.batch_alter_table("checkpoint") as batch_op:  # NULL: a checkpoint made before the log existed
        batch_op.add_column(sa.Column("history_last_position", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkpoint") as batch_op:
        batch_op.drop_column("history_last_position")
    op.drop_table("history_event")
