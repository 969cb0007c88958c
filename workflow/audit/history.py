"""The historical-record log in an audit (states/history_records.py): its hash chains are recomputed, so an
edited, deleted, inserted or reordered record is found; its figures are not re-judged (no rule set of their
periods is configured: they are what the organisation's reports said)."""

from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

from states.events import Event
from storage.checkpoints import HISTORY_PREFIX as PREFIX  # a finding's stream id: history:<organisation code>
from workflow.audit.chain import check_stream
from workflow.audit.findings import Finding


def history_log_findings(events: Sequence[Event]) -> list[Finding]:
    """Breaks in each organisation's historical stream (`events`: the whole log)."""
    found: list[Finding] = []
    for _, stream in groupby(sorted(events, key=lambda e: (e.stream_id, e.version)), key=lambda e: e.stream_id):
        found += [replace(f, stream_id=f"{PREFIX}{f.stream_id}") for f in check_stream(list(stream))]
    return found
