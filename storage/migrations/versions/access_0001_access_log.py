"""access_log: every view of a candidate's personal data, append-only in the database itself (issue 11, item 7)

Revision ID: access_0001
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "access_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("access",)
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
REFUSAL = "access_log is append-only"

# The database refuses to change or remove a row, whoever asks (TRUNCATE on PostgreSQL is left to the
# privileges: the README says to revoke it from the application's role).
SQLITE_TRIGGERS = [f"CREATE TRIGGER access_log_no_{what.lower()} BEFORE {what} ON access_log "
                   f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END" for what in ("UPDATE", "DELETE")]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
    "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("view", sa.String(length=40), nullable=False),
        sa.Column("candidate_id", sa.String(length=64), nullable=True),
        sa.Column("org", sa.String(length=64), nullable=True),
        sa.Column("scope", sa.String(length=300), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
    )
    op.create_index("ix_access_log_candidate_at", "access_log", ["candidate_id", "at"])
    op.create_index("ix_access_log_actor_at", "access_log", ["actor", "at"])
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for what in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS access_log_no_{what}")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_log_append_only ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
    op.drop_index("ix_access_log_actor_at", table_name="access_log")
    op.drop_index("ix_access_log_candidate_at", table_name="access_log")
    op.drop_table("access_log")
