"""user_history: each user's role, organisations and active flag as a dated history (issue 11)

The seed is the best statement that can be made: a user's changes before this upgrade were never recorded, so
each existing user is taken to have held their current role and organisations since `created_at` (active then,
as every user was added active) and, if they are inactive now, to have become so at the upgrade.

Revision ID: userhist_0001
Revises: 0011
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "userhist_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("userhist",)
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    history = op.create_table(
        "user_history",
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("user_id", BIGINT_PK, nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("orgs", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("change", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_history_user_valid_from", "user_history", ["user_id", "valid_from"], unique=False)
    conn = op.get_bind()
    users = sa.table("user", sa.column("id", BIGINT_PK), sa.column("role", sa.String()),
                     sa.column("active", sa.Boolean()), sa.column("created_at", sa.DateTime(timezone=True)))
    scope = sa.table("user_scope", sa.column("user_id", BIGINT_PK), sa.column("org_code", sa.String()))
    scopes: dict[int, list[str]] = {}
    for user_id, code in conn.execute(sa.select(scope.c.user_id, scope.c.org_code)):
        scopes.setdefault(user_id, []).append(code)
    now = datetime.now(UTC)
    rows = []
    for user_id, role, active, created_at in conn.execute(
            sa.select(users.c.id, users.c.role, users.c.active, users.c.created_at).order_by(users.c.id)):
        orgs = sorted(scopes.get(user_id, []))
        rows.append({"user_id": user_id, "valid_from": created_at, "role": role, "orgs": orgs, "active": True,
                     "change": "seeded"})
        if not active:
            rows.append({"user_id": user_id, "valid_from": now, "role": role, "orgs": orgs, "active": False,
                         "change": "seeded"})
    if rows:
        op.bulk_insert(history, rows)


def downgrade() -> None:
    op.drop_index("ix_user_history_user_valid_from", table_name="user_history")
    op.drop_table("user_history")
