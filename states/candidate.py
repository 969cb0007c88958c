"""A candidate's state, rebuilt by folding its events in order (ARCHITECTURE.md decision 4).

Replay trusts only the payload and the derived values stored with each event, never today's rules or
calendar, so a history reads the same forever. Corrections replace the corrected event's values.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from states.events import Event
from states.stages import Stage
from states.transitions_table import MOVES


@dataclass(slots=True)
class Vote:
    on: date
    members: int
    in_favour: int
    passed: bool
    recommendation: str | None = None


@dataclass(slots=True)
class Deadline:
    kind: str
    due_on: date
    opened_on: date
    rule_set: str
    calendar: str
    closed_on: date | None = None
    closed_by: str | None = None
    extended_on: date | None = None  # D6, D12: the day the competent committee extended it (once)
    extended_from: date | None = None  # the due date before the extension

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass(slots=True)
class Candidate:
    id: str
    stage: Stage | None = None
    version: int = 0
    last_hash: str = ""
    org: str = ""
    full_name: str = ""
    birth_date: date | None = None
    sex: str = ""
    education: str = ""
    ethnicity: str | None = None
    religion: str | None = None
    youth_union: bool = False
    trade_union: bool = False
    categories: tuple[str, ...] = ()
    remote_area: bool = False
    village_elder: bool = False
    previous_membership: dict[str, Any] | None = None  # issue 12: a re-admission (DOMAIN.md R1-R3)
    identified_on: date | None = None
    helper: str | None = None
    class_name: str | None = None
    certificate_no: str | None = None
    certificate_issued_on: date | None = None
    application_on: date | None = None
    history_on: date | None = None
    vetting_conclusion: str | None = None
    vetted_on: date | None = None
    introducers: tuple[dict[str, Any], ...] = ()
    union_resolution: dict[str, Any] | None = None
    introduced_on: date | None = None
    comment_sources: frozenset[str] = frozenset()
    comments_on: date | None = None  # the latest collection of comments (S7)
    branch_votes: list[Vote] = field(default_factory=list)
    committee_votes: list[Vote] = field(default_factory=list)
    decision_no: str | None = None
    decided_by: str | None = None
    decided_on: date | None = None
    decision_received_on: date | None = None
    readmission_party_age_from: date | None = None  # derived at a re-admission's decision (config, UNVERIFIED)
    ceremony_on: date | None = None
    ceremony_late: bool = False
    probation_helper: str | None = None
    probation_ends_on: date | None = None
    member_history_on: date | None = None
    new_member_certificate_no: str | None = None
    new_member_certificate_on: date | None = None
    review_votes: list[Vote] = field(default_factory=list)
    committee_review_votes: list[Vote] = field(default_factory=list)
    recognition_decision_no: str | None = None
    recognised_on: date | None = None
    dropped_reason: str | None = None
    dropped_on: date | None = None
    transfers: list[tuple[date, str, str]] = field(default_factory=list)
    # D16, P9 (issue 13 item 6): a probationary member's transfer sent and not yet received:
    # {"on", "from_org", "to_org", "transfer_ref"}; the member stays in `org` until the receiving branch records it
    pending_transfer: dict[str, Any] | None = None
    received_from: str | None = None  # the branch that sent the last probationary transfer received (P9)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    deadlines: dict[str, Deadline] = field(default_factory=dict)

    @property
    def official_on(self) -> date | None:
        """The official date is the end of probation, not the decision date (D13)."""
        return self.probation_ends_on if self.stage is Stage.OFFICIAL else None

    @property
    def readmission(self) -> bool:
        """A former member admitted again (kết nạp lại, DOMAIN.md R1-R3)."""
        return self.previous_membership is not None

    @property
    def party_age_from(self) -> date | None:
        """Party age counts from the date written in the admission decision (D14); a re-admitted member's
        may count from the first admission less the time outside the Party, as derived at the decision."""
        if self.decided_on is None:
            return None
        return self.readmission_party_age_from or self.decided_on

    @property
    def last_passed_branch_vote(self) -> Vote | None:
        return next((v for v in reversed(self.branch_votes) if v.passed), None)

    def passed_review(self, recommendation: str) -> Vote | None:
        return next(
            (v for v in reversed(self.review_votes) if v.passed and v.recommendation == recommendation), None
        )

    def open_deadlines(self) -> list[Deadline]:
        return sorted((d for d in self.deadlines.values() if d.is_open), key=lambda d: d.due_on)


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _identify(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.org, c.full_name, c.sex, c.education = p["org"], p["full_name"], p["sex"], p["education"]
    c.birth_date = _d(p["birth_date"])
    c.ethnicity, c.religion = p.get("ethnicity"), p.get("religion")
    c.youth_union, c.trade_union = bool(p.get("youth_union")), bool(p.get("trade_union"))
    c.categories = tuple(p.get("categories", ()))
    c.remote_area, c.village_elder = bool(p.get("remote_area")), bool(p.get("village_elder"))
    c.previous_membership = p.get("previous_membership")
    c.identified_on = e.effective_on


def _assign_helper(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.helper = p["helper"]


def _enrol_training(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.class_name = p.get("class_name")


def _certify_training(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.certificate_no, c.certificate_issued_on = p["certificate_no"], _d(p["issued_on"])


def _submit_application(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.application_on = e.effective_on


def _declare_history(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.history_on = e.effective_on


def _conclude_vetting(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.vetting_conclusion, c.vetted_on = p["conclusion"], e.effective_on


def _introduce(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.introducers = tuple(p.get("introducers", ()))
    c.union_resolution = p.get("union_resolution")
    c.introduced_on = e.effective_on


def _collect_comments(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.comment_sources = c.comment_sources | frozenset(p["sources"])
    c.comments_on = max(c.comments_on or e.effective_on, e.effective_on)


def _vote(p: dict[str, Any], e: Event, members_key: str) -> Vote:
    """`members`: the denominator stored with a branch vote (V1, issue 13 item 3), else the members recorded."""
    return Vote(e.effective_on, int(e.derived.get("denominator", p[members_key])), p["in_favour"],
                bool(e.derived.get("passed")), p.get("recommendation"))


def _branch_vote(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.branch_votes.append(_vote(p, e, "official_members"))


def _committee_vote(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.committee_votes.append(_vote(p, e, "committee_members"))


def _decide_admission(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.decision_no, c.decided_by, c.decided_on = p["decision_no"], p["decided_by"], e.effective_on
    c.decision_received_on = _d(p.get("received_on")) or e.effective_on
    c.readmission_party_age_from = _d(e.derived.get("party_age_from"))


def _hold_ceremony(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.ceremony_on, c.probation_helper = e.effective_on, p["probation_helper"]
    c.ceremony_late = bool(e.derived.get("late"))
    c.probation_ends_on = _d(e.derived.get("probation_ends_on"))


def _submit_member_history(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.member_history_on = e.effective_on


def _certify_new_member_course(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.new_member_certificate_no, c.new_member_certificate_on = p["certificate_no"], _d(p["issued_on"])


def _review_vote(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.review_votes.append(_vote(p, e, "official_members"))


def _committee_review_vote(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.committee_review_votes.append(_vote(p, e, "committee_members"))


def _recognise_official(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.recognition_decision_no, c.recognised_on = p["decision_no"], e.effective_on


def _drop(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.dropped_reason, c.dropped_on = p["reason"], e.effective_on


def _transfer(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.transfers.append((e.effective_on, c.org, p["to_org"]))
    c.org = p["to_org"]


def _transfer_probationary(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.pending_transfer = {"on": e.effective_on, "from_org": c.org, "to_org": p["to_org"],
                          "transfer_ref": p["transfer_ref"]}


def _transfer_received(c: Candidate, p: dict[str, Any], e: Event) -> None:
    """The member belongs to the receiving branch from the day it records the transfer (D16, P9)."""
    c.transfers.append((e.effective_on, c.org, p["to_org"]))
    c.received_from = c.org
    c.org, c.pending_transfer = p["to_org"], None


def _correct(c: Candidate, p: dict[str, Any], e: Event) -> None:
    c.corrections.append({"version": e.version, "corrects": p["corrects"], "fields": p["fields"],
                          "reason": p["reason"], "actor": e.actor, "on": e.effective_on.isoformat()})


def _nothing(c: Candidate, p: dict[str, Any], e: Event) -> None:
    """A step whose whole effect is in its derived values (extend_deadline: the moved due date)."""


APPLY: dict[str, Callable[[Candidate, dict[str, Any], Event], None]] = {
    "identify": _identify, "assign_helper": _assign_helper, "enrol_training": _enrol_training,
    "certify_training": _certify_training, "submit_application": _submit_application,
    "declare_history": _declare_history, "conclude_vetting": _conclude_vetting, "introduce": _introduce,
    "collect_comments": _collect_comments, "branch_vote": _branch_vote, "committee_vote": _committee_vote,
    "decide_admission": _decide_admission, "hold_ceremony": _hold_ceremony,
    "submit_member_history": _submit_member_history, "certify_new_member_course": _certify_new_member_course,
    "review_vote": _review_vote, "committee_review_vote": _committee_review_vote,
    "recognise_official": _recognise_official, "extend_deadline": _nothing, "drop": _drop,
    "transfer": _transfer, "transfer_probationary": _transfer_probationary,
    "transfer_received": _transfer_received, "correct": _correct,
}


def _apply_deadlines(c: Candidate, e: Event, derived: dict[str, Any]) -> None:
    changes = derived.get("deadlines") or {}
    for d in changes.get("extend", ()):  # D6, D12: only extend_deadline writes this key
        extended = c.deadlines.get(d["kind"])
        if extended is not None:
            extended.extended_from, extended.extended_on = extended.due_on, e.effective_on
            extended.due_on, extended.calendar = date.fromisoformat(d["due_on"]), d["calendar"]
    for kind in changes.get("close", ()):
        open_one = c.deadlines.get(kind)
        if open_one is not None and open_one.is_open:
            open_one.closed_on, open_one.closed_by = e.effective_on, e.type
    for d in changes.get("open", ()):
        c.deadlines[d["kind"]] = Deadline(d["kind"], date.fromisoformat(d["due_on"]), e.effective_on,
                                          d["rule_set"], d["calendar"])


def apply(c: Candidate, e: Event, overrides: dict[int, dict[str, Any]] | None = None) -> None:
    """Fold one event into `c`; `overrides` maps a corrected version to its corrected payload and derived."""
    payload, derived = e.payload, e.derived
    if overrides and e.version in overrides:
        fix = overrides[e.version]
        payload = {**payload, **fix["fields"]}
        derived = fix.get("derived") or derived
        e = Event(e.stream_id, e.version, e.type, _d(payload.get("on")) or e.effective_on, e.recorded_at,
                  e.actor, e.rule_set, payload, derived, e.prev_hash, e.hash, e.position)
    APPLY[e.type](c, payload, e)
    _apply_deadlines(c, e, derived)
    dest = MOVES.get((c.stage, e.type))
    if dest is not None:
        c.stage = dest
    c.version = e.version
    c.last_hash = e.hash


def corrections_of(events: Iterable[Event]) -> dict[int, dict[str, Any]]:
    """Later corrections win; each one carries the corrected fields and the re-derived values."""
    overrides: dict[int, dict[str, Any]] = {}
    for e in events:
        if e.type == "correct":
            target = int(e.payload["corrects"])
            previous = overrides.get(target, {"fields": {}})
            overrides[target] = {"fields": {**previous["fields"], **e.payload["fields"]},
                                 "derived": e.derived.get("replaces_derived") or previous.get("derived")}
    return overrides


def replay(events: Iterable[Event], stream_id: str = "") -> Candidate:
    """Rebuild a candidate from its events, applying corrections (PROCEDURE.md `correct`)."""
    ordered = list(events)
    c = Candidate(id=ordered[0].stream_id if ordered else stream_id)
    overrides = corrections_of(ordered)
    for e in ordered:
        apply(c, e, overrides or None)
    return c
