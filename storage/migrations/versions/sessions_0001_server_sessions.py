"""web_session, user.must_change_password, api_token.expires_at: sessions that end at once, temporary
passwords, tokens that expire (issue 11, breaks 2 and 10)

Existing users keep signing in as before (must_change_password false). Existing tokens keep a NULL expires_at,
read as created_at + web.token_days (workflow/accounts.py), so an old token expires like a new one.

Revision ID: sessions_0001
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sessions_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("sessions",)
depends_on: str | Sequence[str] | None = None

BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("user", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    op.add_column("api_token", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "web_session",
        sa.Column("id", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", BIGINT_PK, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_session_id_hash", "web_session", ["id_hash"], unique=True)
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_web_session_user_id", table_name="web_session")
    op.drop_index("ix_web_session_id_hash", table_name="web_session")
    op.drop_table("web_session")
    op.drop_column("api_token", "expires_at")
    op.drop_column("user", "must_change_password")
