"""Every step of PROCEDURE.md: its fields, the guards that judge it, what it derives, and its form."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from states import derive, guards
from states import fields as sf
from states.errors import UnknownStep
from states.guards import Guard
from states.step import Check
from states.transitions_table import ALLOWED_IN, MOVES, STEP_NAMES


@dataclass(frozen=True)
class StepSpec:
    name: str
    fields: type[sf.Fields]
    requires: tuple[Guard, ...] = ()  # prerequisites: candidate and date only
    checks: tuple[Guard, ...] = ()  # need the step's fields
    derive: Callable[[Check], dict[str, Any]] | None = None
    form: str | None = None  # DOMAIN.md section 6
    summary: str = ""

    @property
    def allowed_in(self) -> list[str]:
        return ["(new)" if s is None else s.value for s in ALLOWED_IN[self.name]]

    @property
    def moves_to(self) -> str | None:
        dests = {d.value for (_, step), d in MOVES.items() if step == self.name}
        return dests.pop() if dests else None


COMMON: tuple[Guard, ...] = (guards.on_not_in_future, guards.on_not_before_identified)

_SPECS = [
    StepSpec("identify", sf.Identify, checks=(guards.org_is_branch, guards.birth_date_in_past),
             summary="put an outstanding person on the branch's list (S0)"),
    StepSpec("assign_helper", sf.AssignHelper, summary="assign an official member to help (S1)"),
    StepSpec("enrol_training", sf.EnrolTraining, summary="enrol in the Party-awareness course (S2)"),
    StepSpec("certify_training", sf.Certificate, checks=(guards.issued_not_in_future,),
             derive=derive.certify_training, form="CN-NTVĐ", summary="record the course certificate (S2, D2)"),
    StepSpec("submit_application", sf.NoFields, form="1-KNĐ", summary="the application letter (S3)"),
    StepSpec("declare_history", sf.NoFields, requires=(guards.application_submitted,), form="2-KNĐ",
             summary="the personal history form (S4)"),
    StepSpec("conclude_vetting", sf.ConcludeVetting, requires=(guards.dossier_ready_for_vetting,),
             checks=(guards.vetting_cleared,), form="2-KNĐ", summary="background check concluded (S5, G8)"),
    StepSpec("introduce", sf.Introduce, checks=(guards.introducers_qualified,), form="3-KNĐ",
             summary="introducers or a union resolution (S6, G6, G7)"),
    StepSpec("collect_comments", sf.CollectComments, form="5-KNĐ",
             summary="comments of mass organisations and the residence (S7)"),
    StepSpec("branch_vote", sf.BranchVote,
             requires=(guards.introducers_recorded, guards.comments_collected, guards.vote_after_dossier,
                       guards.age_at_vote, guards.certificate_valid_at_vote),
             checks=(guards.vote_counts,), derive=derive.branch_vote, form="6-KNĐ",
             summary="the branch votes to propose admission (S8, V1)"),
    StepSpec("committee_vote", sf.CommitteeVote, requires=(guards.branch_vote_passed,),
             checks=(guards.vote_counts,), derive=derive.committee_vote, form="8-KNĐ",
             summary="the grassroots committee votes (S9, V2)"),
    StepSpec("decide_admission", sf.DecideAdmission,
             requires=(guards.branch_vote_passed, guards.qualified_at_branch_vote, guards.introducers_present,
                       guards.comments_present, guards.committee_vote_passed),
             checks=(guards.age_within_maximum, guards.education_sufficient, guards.decision_dates,
                     guards.decided_by_competent),
             derive=derive.decide_admission, form="9-KNĐ", summary="the admission decision (S10)"),
    StepSpec("hold_ceremony", sf.HoldCeremony, requires=(guards.ceremony_after_receipt,),
             derive=derive.hold_ceremony, summary="the admission ceremony; probation starts (S11, D8, D10)"),
    StepSpec("submit_member_history", sf.NoFields, derive=derive.submit_member_history,
             summary="the party-member history form (S12, D9)"),
    StepSpec("certify_new_member_course", sf.Certificate, checks=(guards.issued_not_in_future,),
             summary="the new-member course certificate (P5, G11)"),
    StepSpec("review_vote", sf.ReviewVote, requires=(guards.after_probation,), checks=(guards.vote_counts,),
             derive=derive.review_vote, form="13-KNĐ", summary="the branch reviews the probation (S14, V5)"),
    StepSpec("committee_review_vote", sf.CommitteeVote, requires=(guards.review_vote_passed,),
             checks=(guards.vote_counts,), derive=derive.committee_review_vote, form="15-KNĐ",
             summary="the grassroots committee reviews (S15)"),
    StepSpec("recognise_official", sf.RecogniseOfficial, requires=(guards.recognition_ready,),
             derive=derive.recognise_official, summary="recognised as an official member (S15, D13)"),
    StepSpec("drop", sf.Drop, checks=(guards.removal_allowed,), derive=derive.drop,
             summary="taken off the list, not admitted, or removed (S16)"),
    StepSpec("transfer", sf.Transfer, checks=(guards.org_is_branch,),
             summary="move to another branch; clocks carry over (P9, open question 9)"),
    StepSpec("correct", sf.Correct, summary="correct an earlier event; the original stays in the log"),
]

STEPS: dict[str, StepSpec] = {s.name: s for s in _SPECS}
assert tuple(STEPS) == STEP_NAMES, "every row of the transition table needs a step spec, in the same order"


def known_step(name: str) -> StepSpec:
    """The step called `name`; the one place a step's name is checked (by `decide`, and by the web before it
    reads a form or checks a role).

    Raises:
        UnknownStep, naming every step there is.
    """
    spec = STEPS.get(name)
    if spec is None:
        raise UnknownStep(name, list(STEPS))
    return spec
