"""The facts reports need about one candidate (a `report_candidate` row), folded from its events.

Pure, like the rest of states/: the step path folds the row of the candidate it has just recorded in the step's
transaction, and `ketnap report rebuild` (storage/report_model.py) folds every stream again; both call
`facts_of`, so the maintained row and the rebuilt one cannot differ.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from states.candidate import Candidate, apply, corrections_of
from states.events import Event

# Steps whose date is a milestone the reports need and the Candidate state does not keep.
MILESTONES = {"assign_helper": "mentored_on", "enrol_training": "enrolled_on"}


def _on(event: Event, overrides: dict[int, dict[str, Any]]) -> date:
    """The event's business date, as corrected by a later `correct` event if one changed it."""
    fixed = overrides.get(event.version, {}).get("fields", {}).get("on")
    return date.fromisoformat(fixed) if fixed else event.effective_on


def _org_on(c: Candidate, day: date) -> str:
    """The branch the candidate belonged to on `day` (transfers move later steps, not earlier ones)."""
    org = c.transfers[0][1] if c.transfers else c.org
    for moved_on, _from, to in c.transfers:
        if moved_on <= day:
            org = to
    return org


def _open_due(c: Candidate, kind: str) -> date | None:
    deadline = c.deadlines.get(kind)
    return deadline.due_on if deadline is not None and deadline.is_open else None


def _fold(events: Sequence[Event], overrides: dict[int, dict[str, Any]]) -> tuple[Candidate, dict[str, Any]]:
    c = Candidate(id=events[0].stream_id)
    extra: dict[str, Any] = {"dropped_stage": None}
    for event in events:
        before = c.stage
        apply(c, event, overrides or None)
        if event.type in MILESTONES:
            extra[MILESTONES[event.type]] = _on(event, overrides)
        elif event.type == "drop" and before is not None:
            extra["dropped_stage"] = before.value
    return c, extra


def facts_of(events: Sequence[Event], replayed: Candidate | None = None) -> dict[str, Any]:
    """The report facts of one candidate: replay with corrections, plus the dates replay does not keep.

    `replayed`: the candidate `replay(events)` gives, when the caller has it (the step path): the events are then
    only scanned for the milestones, not applied again, unless one of them is a `drop` (the stage left is the
    one before it, which only a replay tells).
    """
    overrides = corrections_of(events)
    if replayed is None or any(e.type == "drop" for e in events):
        c, extra = _fold(events, overrides)
    else:
        c, extra = replayed, {"dropped_stage": None}
        for event in events:
            if event.type in MILESTONES:
                extra[MILESTONES[event.type]] = _on(event, overrides)
    vote = c.last_passed_branch_vote
    assert c.stage is not None, "a stream starts with identify"
    return {
        "id": c.id, "version": c.version, "org": c.org, "stage": c.stage.value, "full_name": c.full_name,
        "admitted_org": _org_on(c, c.decided_on) if c.decided_on else None, "sex": c.sex,
        "birth_date": c.birth_date, "ethnicity": c.ethnicity, "religion": c.religion, "youth_union": c.youth_union,
        "trade_union": c.trade_union, "categories": list(c.categories), "class_name": c.class_name,
        "identified_on": c.identified_on, "mentored_on": extra.get("mentored_on"),
        "enrolled_on": extra.get("enrolled_on"), "certified_on": c.certificate_issued_on, "vetted_on": c.vetted_on,
        "branch_vote_on": vote.on if vote else None, "admission_due_on": _open_due(c, "admission_decision"),
        "decided_on": c.decided_on, "ceremony_due_on": _open_due(c, "ceremony"), "ceremony_on": c.ceremony_on,
        "probation_ends_on": c.probation_ends_on, "recognised_on": c.recognised_on, "official_on": c.official_on,
        "dropped_on": c.dropped_on, "dropped_reason": c.dropped_reason, "dropped_stage": extra["dropped_stage"],
        "readmission": c.readmission,
    }
