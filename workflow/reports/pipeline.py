"""The parts of the admissions report that look at candidates still on their way: how many are at each stage,
which steps are overdue, how many admissions to expect by the end of the period, and what became of the
probationary members (recognised as official, or removed: DOMAIN.md S15, S16, P7)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection

from states.calendar import WorkingCalendar
from states.stages import ACTIVE
from storage import report_reads
from workflow.reports.periods import Period
from workflow.reports.scope import Scope

MILESTONE_KINDS = frozenset({"probation_end"})
ACTIVE_STAGES = frozenset(s.value for s in ACTIVE)  # a date to note, not a step anyone owes


@dataclass
class Status:
    as_of: date
    counted_on: str
    stages: Counter[str] = field(default_factory=Counter)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    past_vote: int = 0
    due_in_period: int = 0
    recognised: int = 0
    left_probation: Counter[str] = field(default_factory=Counter)


def _add(status: Status, group: Any) -> None:
    """Count a group of report_reads.pipeline_groups (`n` candidates alike in all the pipeline looks at).
    Past a passed branch vote, the decision is due within D6's working days; after the decision, the ceremony
    within D8's. A deadline that falls inside the period makes the admission expected in it."""
    n, stage = group.n, group.stage
    if stage in ACTIVE_STAGES:
        status.stages[stage] += n
        if stage == "vetted" and group.vote_passed:
            status.past_vote += n
            status.due_in_period += n * group.admission_due
        elif stage == "admitted" and status.counted_on == "ceremony":
            status.past_vote += n
            status.due_in_period += n * group.ceremony_due
    status.recognised += n * group.recognised
    if group.left_probation:
        status.left_probation[group.left_reason or "other"] += n


def status(conn: Connection, scope: Scope, period: Period, as_of: date, counted_on: str,
           calendar: WorkingCalendar) -> Status:
    """Where the candidates of the root's subtree stood on `as_of`, placed by the tree of that day (their branch
    as their events name it, followed through merges and splits). Counted in SQL per branch and what the
    pipeline looks at (a province's 200,000 candidates are a few thousand groups), per candidate only in a
    branch split among successors. Who left the list or became official before the period is not read."""
    found = Status(as_of, counted_on)
    split: set[str] = set()
    for group in report_reads.pipeline_groups(conn, as_of, period.start, period.end, scope.codes(as_of, as_of)):
        place, shared = scope.placement(group.branch, as_of)
        if not shared:
            split.add(group.branch)
        elif scope.counts(place):
            _add(found, group)
    if split:
        for group in report_reads.pipeline_groups(conn, as_of, period.start, period.end, split, by_candidate=True):
            if scope.counts(scope.place(group.branch, group.candidate, as_of)):
                _add(found, group)
    found.overdue = _overdue(conn, scope, as_of, calendar)
    return found


def _overdue(conn: Connection, scope: Scope, as_of: date, calendar: WorkingCalendar) -> list[dict[str, Any]]:
    """Deadlines open on `as_of` and already past due (from the deadline projection), oldest first. The branch is
    the one the candidate's events name (the read model's), placed by the tree of `as_of`: the deadline rows
    show where the candidate belongs now, which a later restructuring changes."""
    found = []
    for r in report_reads.overdue(conn, as_of, MILESTONE_KINDS, scope.codes(as_of, as_of)):
        place = scope.place(r.org, r.stream_id, as_of)
        if place is not None and scope.counts(place):
            found.append({"id": r.stream_id, "full_name": r.full_name, "org": place.branch, "kind": r.kind,
                          "due_on": r.due_on, "working_days_overdue": calendar.working_days_between(r.due_on, as_of)})
    return found


def forecast_doc(found: Status, counted: int, period: Period, as_of: date) -> dict[str, Any]:
    """The pipeline, recognitions and forecast sections of the report document."""
    open_period = as_of < period.end
    return {
        "pipeline": {"as_of": as_of, "stages": {s.value: found.stages.get(s.value, 0) for s in ACTIVE},
                     "overdue": dict(sorted(Counter(o["kind"] for o in found.overdue).items())),
                     "overdue_items": found.overdue},
        "probation": {"recognised": found.recognised, "removed": found.left_probation.get("removed_from_probation", 0),
                      "left_by_reason": dict(sorted(found.left_probation.items()))},
        "forecast": {"open_period": open_period, "counted": counted,
                     "past_branch_vote": found.past_vote if open_period else 0,
                     "due_in_period": found.due_in_period if open_period else 0,
                     "expected_total": counted + (found.due_in_period if open_period else 0)},
    }
