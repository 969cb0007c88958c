"""Steps entered long after their effective date (ARCHITECTURE.md decision 2): a back-dated entry is legal
(paper comes first) but an auditor asks who enters late, and where."""

from __future__ import annotations  # `ketnap audit late-entries --help` shows the default without the database

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from states.events import Event
from workflow.clock import VIETNAM

if TYPE_CHECKING:
    from sqlalchemy import Engine

# A report filter, not a rule of the procedure: how many days between the document's date and its entry
# an auditor accepts before asking why. Overridden with --min-days.
DEFAULT_MIN_DAYS = 30


def entry_delay(e: Event) -> int:
    """Days from the business date to the local (Vietnam) date on which the step was entered."""
    return (e.recorded_at.astimezone(VIETNAM).date() - e.effective_on).days


@dataclass(frozen=True)
class LateEntry:
    stream_id: str
    version: int
    step: str
    effective_on: date
    recorded_at: datetime
    days: int

    def as_dict(self) -> dict[str, Any]:
        return {"stream_id": self.stream_id, "version": self.version, "step": self.step,
                "effective_on": self.effective_on, "recorded_at": self.recorded_at, "days": self.days}


@dataclass
class LateGroup:
    org: str
    actor: str
    entries: list[LateEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"org": self.org, "actor": self.actor, "count": len(self.entries),
                "max_days": max(e.days for e in self.entries),
                "entries": [e.as_dict() for e in self.entries]}


def _late_in(events: list[Event], min_days: int) -> Iterator[tuple[str, str, LateEntry]]:
    """(org at the time, actor, entry) for each late step; the org follows identify and transfers."""
    org = ""
    for e in events:
        if e.type == "identify":
            org = str(e.payload.get("org", ""))
        days = entry_delay(e)
        if days > min_days:
            yield org, e.actor, LateEntry(e.stream_id, e.version, e.type, e.effective_on, e.recorded_at, days)
        if e.type == "transfer":
            org = str(e.payload.get("to_org", org))


def late_entries(engine: Engine, min_days: int = DEFAULT_MIN_DAYS) -> list[LateGroup]:
    """Steps entered more than `min_days` after their effective date, grouped by organisation and actor."""
    from storage.audit_reads import snapshot
    from workflow.audit.reader import iter_streams

    groups: dict[tuple[str, str], LateGroup] = {}
    with snapshot(engine) as conn:
        for events in iter_streams(conn):
            for org, actor, entry in _late_in(events, min_days):
                groups.setdefault((org, actor), LateGroup(org, actor)).entries.append(entry)
    return [groups[k] for k in sorted(groups)]
