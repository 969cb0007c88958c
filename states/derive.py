"""What the engine computes when a step is accepted: votes passed, late marks, and the deadlines each step
opens and closes (PROCEDURE.md, Deadlines). Stored in the event so replays never recompute them."""

from datetime import date
from typing import Any

from states import votes
from states.dates import add_months
from states.step import Check

ALL_KINDS = ("certificate_expiry", "admission_decision", "ceremony", "member_history", "probation_end",
             "probation_review", "recognition_decision", "transfer_presentation")


def _open(k: Check, kind: str, due_on: date, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "due_on": due_on.isoformat(), "rule_set": k.rules.id, "calendar": k.cal.version,
            **{key: value.isoformat() if isinstance(value, date) else value for key, value in extra.items()}}


def _changes(opened: list[dict[str, Any]] | None = None, closed: list[str] | None = None) -> dict[str, Any]:
    return {"deadlines": {"open": opened or [], "close": closed or []}}


def certify_training(k: Check) -> dict[str, Any]:
    """D2: a certificate expires 60 months after it is issued; a new certificate replaces the old clock."""
    issued: date = k.f.issued_on  # type: ignore[union-attr]
    return _changes([_open(k, "certificate_expiry", add_months(issued, k.rules.certificate_valid_months))])


def _vote_outcome(k: Check, members_field: str, threshold_name: str) -> dict[str, Any]:
    f: Any = k.f
    threshold = getattr(k.rules, threshold_name)
    return {"passed": threshold.reached(f.in_favour, getattr(f, members_field)), "threshold": str(threshold)}


def _branch_outcome(k: Check) -> dict[str, Any]:
    """V1, V5: 2/3 of the denominator of the rule set of the vote's date (QĐ294 §9.3.2: those convened), which
    is stored with the vote, so a replay or a later rule never recounts it (issue 13 item 3)."""
    f: Any = k.f
    members = votes.denominator(f, k.rules)
    return {"passed": k.rules.vote_threshold.reached(f.in_favour, members), "threshold": str(k.rules.vote_threshold),
            "denominator": members, "denominator_rule": k.rules.vote_denominator}


def branch_vote(k: Check) -> dict[str, Any]:
    """V1; a passed vote opens the committee's 60 working days (D6), a failed one is reported upward."""
    outcome = _branch_outcome(k)
    if not outcome["passed"]:
        return {**outcome, "report_upward": True, **_changes()}
    wd = k.rules.working_days
    due = k.cal.add_working_days(k.on, wd.admission_decision)
    extended = k.cal.add_working_days(k.on, wd.admission_decision + wd.admission_decision_extension)
    return {**outcome, **_changes([_open(k, "admission_decision", due, extendable_to=extended)])}


def committee_vote(k: Check) -> dict[str, Any]:
    return _vote_outcome(k, "committee_members", "committee_threshold")


def decide_admission(k: Check) -> dict[str, Any]:
    """D8: the ceremony within 30 working days of the day the branch receives the decision."""
    f: Any = k.f
    received = f.received_on or k.on
    due = k.cal.add_working_days(received, k.rules.working_days.ceremony)
    return {**_readmission_party_age(k),
            **_changes([_open(k, "ceremony", due)], ["certificate_expiry", "admission_decision"])}


def _readmission_party_age(k: Check) -> dict[str, Any]:
    """A re-admitted member's party age: from the first admission, less the time outside the Party, when the
    rule set says so (config.yaml readmission.party_age, UNVERIFIED); stored so a replay never recomputes it."""
    pm, wait = k.c.previous_membership, k.rules.readmission
    if pm is None or wait is None or wait.party_age != "first_admission_less_gap":
        return {}
    served = date.fromisoformat(pm["left_on"]) - date.fromisoformat(pm["admitted_on"])
    return {"party_age_from": (k.on - served).isoformat()}


def hold_ceremony(k: Check) -> dict[str, Any]:
    """D9, D10, D11: probation runs 12 months from the ceremony; a late ceremony is reported (D8)."""
    ceremony = k.c.deadlines.get("ceremony")
    late = bool(ceremony and ceremony.is_open and k.on > ceremony.due_on)
    ends = add_months(k.on, k.rules.probation_months)
    wd = k.rules.working_days
    opened = [
        _open(k, "member_history", k.cal.add_working_days(k.on, wd.member_history)),
        _open(k, "probation_end", ends),
        _open(k, "probation_review", k.cal.add_working_days(ends, wd.probation_review)),
    ]
    return {"late": late, "report_upward": late, "probation_ends_on": ends.isoformat(),
            **_changes(opened, ["ceremony"])}


def submit_member_history(k: Check) -> dict[str, Any]:
    history = k.c.deadlines.get("member_history")
    return {"late": bool(history and k.on > history.due_on), **_changes(closed=["member_history"])}


def review_vote(k: Check) -> dict[str, Any]:
    """V5, D12, D19: a passed vote opens the committee's 30 working days; the third failure is reported."""
    outcome = _branch_outcome(k)
    if not outcome["passed"]:
        failures = sum(1 for v in k.c.review_votes if not v.passed) + 1
        report = failures % k.rules.review_failures_before_report == 0
        return {**outcome, "failures": failures, "report_upward": report, **_changes()}
    f: Any = k.f
    if f.recommendation == "remove":
        return {**outcome, **_changes(closed=["probation_review"])}
    wd = k.rules.working_days
    due = k.cal.add_working_days(k.on, wd.recognition_decision)
    extended = k.cal.add_working_days(k.on, wd.recognition_decision + wd.recognition_decision_extension)
    return {**outcome, **_changes([_open(k, "recognition_decision", due, extendable_to=extended)],
                                  ["probation_review"])}


def committee_review_vote(k: Check) -> dict[str, Any]:
    return _vote_outcome(k, "committee_members", "committee_threshold")


def _all_open(k: Check) -> list[str]:
    return [kind for kind in ALL_KINDS if kind in k.c.deadlines and k.c.deadlines[kind].is_open]


def recognise_official(k: Check) -> dict[str, Any]:
    """D13: official from the day probation ends, whatever the decision's date."""
    ends = k.c.probation_ends_on
    return {"official_on": ends.isoformat() if ends else None, **_changes(closed=_all_open(k))}


def extend_deadline(k: Check) -> dict[str, Any]:
    """D6, D12: the new due date counts the extra working days from the old one, with the calendar of the day."""
    f: Any = k.f
    d = k.c.deadlines[f.deadline.value]
    due = k.cal.add_working_days(d.due_on, f.extra_working_days)
    moved = {"kind": d.kind, "due_on": due.isoformat(), "extended_from": d.due_on.isoformat(),
             "rule_set": k.rules.id, "calendar": k.cal.version}
    return {"deadlines": {"open": [], "close": [], "extend": [moved]}}


def transfer_probationary(k: Check) -> dict[str, Any]:
    """D16 (QĐ294 6.3.1a): the member presents the transfer at the receiving branch within 60 working days of
    the day it takes effect (the step's date)."""
    due = k.cal.add_working_days(k.on, k.rules.working_days.transfer_presentation)
    return _changes([_open(k, "transfer_presentation", due)])


def transfer_received(k: Check) -> dict[str, Any]:
    """D16: presented after the deadline is recorded all the same, marked late."""
    d = k.c.deadlines.get("transfer_presentation")
    late = bool(d and d.is_open and k.on > d.due_on)
    return {"late": late, **_changes(closed=["transfer_presentation"])}


def drop(k: Check) -> dict[str, Any]:
    return _changes(closed=_all_open(k))
