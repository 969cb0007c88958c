"""report_candidate.readmission: reports count re-admissions (kết nạp lại) separately (issue 12)

The read model is folded from the log; rows folded before this column existed are first admissions, since no
event could record a previous membership then, so the default is their true value.

Revision ID: readmit_0001
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "readmit_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("readmit",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_candidate") as batch:
        batch.add_column(sa.Column("readmission", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("report_candidate") as batch:
        batch.drop_column("readmission")
