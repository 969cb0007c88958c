"""organisation.org_type and plan.starts_on/ends_on: organisation types and congress terms (issue 20)

`org_type` is the projection of the organisation log's `created`/`typed` events; organisations recorded before it
have no type, which is what their events say. A plan's dates are optional: a plan without them runs over whole
calendar years, as every plan stored before did.

Revision ID: orgtypes_0001
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "orgtypes_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("orgtypes",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("org_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("ends_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("ends_on")
        batch.drop_column("starts_on")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("org_type")
