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
from storage.report_reads import ON_LIST_COLUMNS
from workflow.reports.periods import Period
from workflow.reports.scope import Scope

# The date each stage is entered, latest first: a candidate is in the first stage whose date has come (each one
# a column that report_reads.on_list reads).
STAGE_DATES = (("dropped_on", "dropped"), ("recognised_on", "official"), ("ceremony_on", "probationary"),
               ("decided_on", "admitted"), ("vetted_on", "vetted"), ("enrolled_on", "training_class"),
               ("mentored_on", "mentored"), ("identified_on", "identified"))
_STAGE_AT = tuple((ON_LIST_COLUMNS.index(column), stage) for column, stage in STAGE_DATES)  # by position: fast
ID, ORG, RECOGNISED_ON, DROPPED_ON, DROPPED_STAGE, DROPPED_REASON = (
    ON_LIST_COLUMNS.index(c) for c in ("id", "org", "recognised_on", "dropped_on", "dropped_stage", "dropped_reason"))
MILESTONE_KINDS = frozenset({"probation_end"})
ACTIVE_STAGES = frozenset(s.value for s in ACTIVE)  # a date to note, not a step anyone owes


def stage_on(row: Any, day: date) -> str | None:
    """The stage of an on_list row (ON_LIST_COLUMNS, in order) on `day`."""
    for index, stage in _STAGE_AT:
        entered = row[index]
        if entered is not None and entered <= day:
            return stage
    return None


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


def _expected(status: Status, row: Any, stage: str | None, period: Period) -> None:
    """Past a passed branch vote, the decision is due within D6's working days; after the decision, the
    ceremony within D8's. A deadline that falls inside the period makes the admission expected in it."""
    if stage == "vetted" and row.branch_vote_on is not None and row.branch_vote_on <= status.as_of:
        status.past_vote += 1
        status.due_in_period += bool(row.admission_due_on and row.admission_due_on <= period.end)
    elif stage == "admitted" and status.counted_on == "ceremony":
        status.past_vote += 1
        status.due_in_period += bool(row.ceremony_due_on and row.ceremony_due_on <= period.end)


def status(conn: Connection, scope: Scope, period: Period, as_of: date, counted_on: str,
           calendar: WorkingCalendar) -> Status:
    """Where the candidates of the root's subtree stood on `as_of`, placed by the tree of that day (their branch
    as their events name it, followed through merges and splits)."""
    found = Status(as_of, counted_on)
    # Who left the list or became official before the period has nothing to count in it.
    place = scope.placing(as_of)
    for row in report_reads.on_list(conn, as_of, period.start, scope.codes(as_of, as_of)):
        if not scope.counts(place(row[ORG], row[ID])):  # rows by position: tens of thousands of them
            continue
        stage = stage_on(row, as_of)
        if stage in ACTIVE_STAGES:
            found.stages[stage] += 1
            _expected(found, row, stage, period)
        recognised_on, dropped_on = row[RECOGNISED_ON], row[DROPPED_ON]
        if recognised_on is not None and period.contains(recognised_on):
            found.recognised += 1
        if row[DROPPED_STAGE] == "probationary" and dropped_on and period.contains(dropped_on):
            found.left_probation[row[DROPPED_REASON] or "other"] += 1
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
