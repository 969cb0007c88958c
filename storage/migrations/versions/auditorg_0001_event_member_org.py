"""An index of the organisations each stream was placed in, for the audit of one organisation (issue 14).

`audit verify --org` reads only the streams that ever belonged to the organisation's subtree: those whose
`identify` names one of its organisations (`org`), or whose `transfer` or `transfer_received` moves the
candidate into one (`to_org`). Until now it read the whole log and kept those streams in Python: a province's
audit cost the nation's. This partial expression index holds, for those three event types only (a few events
per stream), the organisation named, so the audit finds its streams by the index. Nothing stored changes.

The expression is written out in storage/audit_reads.py (MEMBER_ORG) exactly as here: a query uses the index
only with the same expression and the same condition on `type`.

Revision ID: auditorg_0001
Revises: 0011
"""
from collections.abc import Sequence

from alembic import op

revision: str = "auditorg_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("auditorg",)
depends_on: str | Sequence[str] | None = None

MEMBER_ORG = {
    "postgresql": "(CASE WHEN type = 'identify' THEN payload ->> 'org' ELSE payload ->> 'to_org' END)",
    "sqlite": "(CASE WHEN type = 'identify' THEN json_extract(payload, '$.org') "
              "ELSE json_extract(payload, '$.to_org') END)",
}
MEMBER_TYPES = "type IN ('identify', 'transfer', 'transfer_received')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(f"CREATE INDEX ix_event_member_org ON event ({MEMBER_ORG[dialect]}, stream_id) "
               f"WHERE {MEMBER_TYPES}")


def downgrade() -> None:
    op.drop_index("ix_event_member_org", table_name="event")
