"""reports: plans and sub-targets, membership counts, training classes, the admissions read model (issue 6)

Revision ID: 0003
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("org", sa.String(length=64), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("document", sa.String(length=300), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("rate_basis_points", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org", "first_year", "last_year", "source", "name", name="uq_plan_org_period_source_name"),
    )
    op.create_index("ix_plan_org", "plan", ["org"], unique=False)
    op.create_table(
        "plan_target",
        sa.Column("plan_id", BIGINT_PK, nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "category"),
    )
    op.create_table(
        "membership",
        sa.Column("org", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"]),
        sa.PrimaryKeyConstraint("org", "year"),
    )
    op.create_table(
        "training_class",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("organiser", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["organiser"], ["organisation.code"]),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_training_class_organiser", "training_class", ["organiser"], unique=False)
    op.create_table(
        "report_candidate",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=64), nullable=False),
        sa.Column("admitted_org", sa.String(length=64), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("ethnicity", sa.String(length=100), nullable=True),
        sa.Column("religion", sa.String(length=100), nullable=True),
        sa.Column("youth_union", sa.Boolean(), nullable=False),
        sa.Column("trade_union", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("class_name", sa.String(length=500), nullable=True),
        *(sa.Column(name, sa.Date(), nullable=True) for name in (
            "identified_on", "mentored_on", "enrolled_on", "certified_on", "vetted_on", "branch_vote_on",
            "admission_due_on", "decided_on", "ceremony_due_on", "ceremony_on", "probation_ends_on",
            "recognised_on", "official_on", "dropped_on")),
        sa.Column("dropped_reason", sa.String(length=40), nullable=True),
        sa.Column("dropped_stage", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_candidate_decided", "report_candidate", ["decided_on", "admitted_org"], unique=False)
    op.create_index("ix_report_candidate_ceremony", "report_candidate", ["ceremony_on", "admitted_org"],
                    unique=False)
    op.create_index("ix_report_candidate_class_name", "report_candidate", ["class_name"], unique=False)
    op.create_index("ix_report_candidate_org", "report_candidate", ["org"], unique=False)
    op.create_table(
        "report_checkpoint",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("report_checkpoint")
    for index in ("ix_report_candidate_org", "ix_report_candidate_class_name", "ix_report_candidate_ceremony",
                  "ix_report_candidate_decided"):
        op.drop_index(index, table_name="report_candidate")
    op.drop_table("report_candidate")
    op.drop_index("ix_training_class_organiser", table_name="training_class")
    op.drop_table("training_class")
    op.drop_table("membership")
    op.drop_table("plan_target")
    op.drop_index("ix_plan_org", table_name="plan")
    op.drop_table("plan")
