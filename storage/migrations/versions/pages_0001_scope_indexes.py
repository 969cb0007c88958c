"""Indexes that keep the list pages bounded by the user's scope at the nation's size (issue 14).

- candidate (org, stage): the stage counts of a scope (the tabs of the candidate list, the dashboard) read from
  the index alone, one range per organisation, instead of every candidate of the nation (a province at 200,000
  candidates: 3 ms instead of 51).
- PostgreSQL, where the pg_trgm extension can be created: a trigram index on candidate.search_name, so that a
  search with its wildcard in front ("nguyen thi" anywhere in the folded name) reads the rows it matches,
  combined with the scope's organisations, rather than every candidate (a province: 25 ms instead of 75). Where
  the extension is not available the search works as before, by scanning. SQLite has no such index.

Revision ID: pages_0001
Revises: 0011
"""
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision: str = "pages_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("pages",)
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEX = "ix_candidate_search_trgm"  # storage/tables.py names it too (the schema check leaves it out)


def upgrade() -> None:
    op.create_index("ix_candidate_org_stage", "candidate", ["org", "stage"], if_not_exists=True)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        return
    try:
        with bind.begin_nested():  # a role that may not create extensions: the search scans, as before
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError:
        return
    bind.execute(text(f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON candidate USING gin (search_name gin_trgm_ops)"))


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    op.drop_index("ix_candidate_org_stage", table_name="candidate")
