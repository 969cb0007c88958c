"""The historical-record log in an audit (states/history_records.py): its hash chains are recomputed, so an
edited, deleted, inserted or reordered record is found; its figures are not re-judged (no rule set of their
periods is configured: they are what the organisation's reports said)."""

from dataclasses import replace
from itertools import groupby

from sqlalchemy import Connection

from storage import history_records
from workflow.audit.chain import check_stream
from workflow.audit.findings import Finding

PREFIX = "history:"  # the stream id of a finding: history:<organisation code>


def history_log_findings(conn: Connection) -> list[Finding]:
    """Breaks in each organisation's historical stream."""
    found: list[Finding] = []
    events = sorted(history_records.load_events(conn), key=lambda e: (e.stream_id, e.version))
    for _, stream in groupby(events, key=lambda e: e.stream_id):
        found += [replace(f, stream_id=f"{PREFIX}{f.stream_id}") for f in check_stream(list(stream))]
    return found
