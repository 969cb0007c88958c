"""Indexes for the paged lists (issue 19): every list is read a page at a time in the order of an index.

- deadline (status, due_on, id, org, stream_id): open deadlines soonest first, the page after a cursor
  (`deadlines`, the sweep), their count with the organisation checked in the index, and the candidates with an
  overdue deadline (`--overdue` lists) read from the index alone; replaces (status, due_on), its prefix.
  PostgreSQL needs the id named to walk (due_on, id) in order (SQLite appends the rowid to every index).
- deadline (status, org, due_on, id): one organisation's open deadlines in due order, and their count.
- candidate (search_name, id) and (org, search_name, id): the web's and the API's pages by name, and the CLI's
  by organisation then name; they replace (search_name) and (org), their prefixes.
- outbox (status, id): `outbox list --failed`, newest first, and its count.

Revision ID: paging_0001
Revises: 0011
"""
from collections.abc import Sequence

from alembic import op

revision: str = "paging_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("paging",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_deadline_open_due", "deadline", ["status", "due_on", "id", "org", "stream_id"])
    op.drop_index("ix_deadline_status_due", table_name="deadline")
    op.create_index("ix_deadline_status_org_due", "deadline", ["status", "org", "due_on", "id"])
    op.create_index("ix_candidate_name", "candidate", ["search_name", "id"])
    op.drop_index("ix_candidate_search_name", table_name="candidate")
    op.create_index("ix_candidate_org_name", "candidate", ["org", "search_name", "id"])
    op.drop_index("ix_candidate_org", table_name="candidate")
    op.create_index("ix_outbox_status_id", "outbox", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_status_id", table_name="outbox")
    op.create_index("ix_candidate_org", "candidate", ["org"])
    op.drop_index("ix_candidate_org_name", table_name="candidate")
    op.create_index("ix_candidate_search_name", "candidate", ["search_name"])
    op.drop_index("ix_candidate_name", table_name="candidate")
    op.drop_index("ix_deadline_status_org_due", table_name="deadline")
    op.create_index("ix_deadline_status_due", "deadline", ["status", "due_on"])
    op.drop_index("ix_deadline_open_due", table_name="deadline")
