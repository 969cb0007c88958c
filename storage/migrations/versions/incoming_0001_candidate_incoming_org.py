"""The receiving branch of a probationary member's transfer not yet received, on the candidate row (D16, P9).

A transfer sent (`transfer_probationary`) leaves the member in the sending branch until the receiving branch
records `transfer_received`; meanwhile the receiving branch's secretary must find the file. Until now nothing
listed it there, and opening it replayed the stream to learn where the transfer waits. `candidate.incoming_org`
holds that branch while the transfer waits (NULL otherwise), written by each step's own transaction like every
projection column (storage/projections.py candidate_values) and compared by `audit verify`.

The backfill reads the few events that decide it (the transfers and their corrections) and applies them in
order exactly as the replay does (states/candidate.py: `transfer_probationary` sets it, `transfer_received`
clears it, a `correct` replaces the corrected event's fields). Nothing stored changes in the log.

Revision ID: incoming_0001
Revises: 0011
"""
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "incoming_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("incoming",)
depends_on: str | Sequence[str] | None = None

DECIDING = "SELECT stream_id, version, type, payload FROM event " \
    "WHERE type IN ('transfer_probationary', 'transfer_received', 'correct') ORDER BY stream_id, version"


def _payload(raw: Any) -> dict[str, Any]:
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def pending_transfers(rows: Sequence[Any]) -> dict[str, str]:
    """The receiving branch of each stream whose last transfer sent is not received, from its deciding events."""
    by_stream: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    for stream_id, version, kind, raw in rows:
        by_stream.setdefault(stream_id, []).append((int(version), kind, _payload(raw)))
    pending: dict[str, str] = {}
    for stream_id, events in by_stream.items():
        fixes: dict[int, dict[str, Any]] = {}
        for _, kind, p in events:
            if kind == "correct":
                target = int(p["corrects"])
                fixes[target] = {**fixes.get(target, {}), **p["fields"]}
        to_org: str | None = None
        for version, kind, p in events:
            if kind == "transfer_probationary":
                to_org = str({**p, **fixes.get(version, {})}["to_org"])
            elif kind == "transfer_received":
                to_org = None
        if to_org is not None:
            pending[stream_id] = to_org
    return pending


def upgrade() -> None:
    op.add_column("candidate", sa.Column("incoming_org", sa.String(length=64), nullable=True))
    op.create_index("ix_candidate_incoming_org", "candidate", ["incoming_org"])
    conn = op.get_bind()
    for stream_id, to_org in pending_transfers(conn.execute(sa.text(DECIDING)).all()).items():
        conn.execute(sa.text("UPDATE candidate SET incoming_org = :org WHERE id = :id"), {"org": to_org, "id": stream_id})


def downgrade() -> None:
    op.drop_index("ix_candidate_incoming_org", table_name="candidate")
    op.drop_column("candidate", "incoming_org")
