"""Every step of PROCEDURE.md: its fields, the guards that judge it, what it derives, and its form."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from states import derive, guards
from states import fields as sf
from states.candidate import Vote
from states.errors import UnknownStep
from states.guards import Guard
from states.step import Check
from states.transitions_table import ALLOWED_IN, MOVES, STEP_NAMES


def _destinations() -> dict[str, str]:
    """The stage each step moves to (steps that move nothing are absent), worked out once from the table."""
    dests: dict[str, set[str]] = {}
    for (_, step), dest in MOVES.items():
        dests.setdefault(step, set()).add(dest.value)
    return {step: found.pop() for step, found in dests.items() if found}


_MOVES_TO = _destinations()


@dataclass(frozen=True)
class StepSpec:
    name: str
    fields: type[sf.Fields]
    requires: tuple[Guard, ...] = ()  # prerequisites: candidate and date only
    checks: tuple[Guard, ...] = ()  # need the step's fields
    derive: Callable[[Check], dict[str, Any]] | None = None
    form: str | None = None  # DOMAIN.md section 6
    summary: str = ""  # for the English interface and the API
    summary_vi: str = ""  # for the Vietnamese interface
    # Whether the step's work is already on record, so it is no longer offered as a next step; None: the step may
    # repeat (a transfer, a correction) or moves the stage on, so it cannot be offered twice anyway.
    done: Callable[[Check], bool] | None = None

    @property
    def allowed_in(self) -> list[str]:
        return ["(new)" if s is None else s.value for s in ALLOWED_IN[self.name]]

    @property
    def moves_to(self) -> str | None:
        return _MOVES_TO.get(self.name)


def _passed(votes: list[Vote]) -> bool:
    return any(v.passed for v in votes)


def _certified(k: Check) -> bool:
    """A certificate that is still valid; an expired one (D2) makes the course, and this step, needed again."""
    return k.c.certificate_issued_on is not None and not guards.certificate_valid_at_vote(k)


def _extendable(k: Check) -> bool:
    """Offered only while a decision deadline (D6, D12) is open and not yet extended."""
    return any(d.is_open and d.extended_on is None
               for kind in sf.ExtendableDeadline if (d := k.c.deadlines.get(kind.value)) is not None)


COMMON: tuple[Guard, ...] = (guards.on_not_in_future, guards.on_not_before_identified)

_SPECS = [
    StepSpec("identify", sf.Identify, checks=(guards.org_is_branch, guards.birth_date_in_past,
                                                     guards.previous_membership_valid),
             summary="put an outstanding person on the branch's list (S0)",
             summary_vi="chi bộ đưa quần chúng ưu tú vào danh sách cảm tình Đảng"),
    StepSpec("assign_helper", sf.AssignHelper, summary="assign an official member to help (S1)",
             summary_vi="phân công một đảng viên chính thức giúp đỡ"),
    StepSpec("enrol_training", sf.EnrolTraining, summary="enrol in the Party-awareness course (S2)",
             summary_vi="cử đi học lớp bồi dưỡng nhận thức về Đảng"),
    StepSpec("certify_training", sf.Certificate, checks=(guards.issued_not_in_future,),
             derive=derive.certify_training, form="CN-NTVĐ", done=_certified,
             summary="record the course certificate (S2, D2)",
             summary_vi="ghi giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng (có giá trị 60 tháng)"),
    StepSpec("submit_application", sf.NoFields, form="1-KNĐ", done=lambda k: k.c.application_on is not None,
             summary="the application letter (S3)",
             summary_vi="người vào Đảng nộp đơn xin vào Đảng"),
    StepSpec("declare_history", sf.NoFields, requires=(guards.application_submitted,), form="2-KNĐ",
             done=lambda k: k.c.history_on is not None,
             summary="the personal history form (S4)",
             summary_vi="người vào Đảng khai lý lịch"),
    StepSpec("conclude_vetting", sf.ConcludeVetting, requires=(guards.dossier_ready_for_vetting,),
             checks=(guards.vetting_cleared,), form="2-KNĐ", summary="background check concluded (S5, G8)",
             summary_vi="cấp ủy kết luận thẩm tra lý lịch"),
    StepSpec("introduce", sf.Introduce, checks=(guards.introducers_qualified,), form="3-KNĐ",
             done=lambda k: k.c.introduced_on is not None,
             summary="introducers or a union resolution (S6, G6, G7)",
             summary_vi="đảng viên chính thức hoặc Đoàn, Công đoàn giới thiệu"),
    StepSpec("collect_comments", sf.CollectComments, form="5-KNĐ",
             done=lambda k: not guards.comments_collected(k),
             summary="comments of mass organisations and the residence (S7)",
             summary_vi="lấy ý kiến nhận xét của đoàn thể và chi ủy nơi cư trú"),
    StepSpec("branch_vote", sf.BranchVote,
             requires=(guards.introducers_recorded, guards.comments_collected, guards.vote_after_dossier,
                       guards.age_at_vote, guards.certificate_valid_at_vote),
             checks=(guards.vote_convened, guards.vote_counts, guards.vote_attendance), derive=derive.branch_vote,
             form="6-KNĐ",
             done=lambda k: _passed(k.c.branch_votes),
             summary="the branch votes to propose admission (S8, V1)",
             summary_vi="chi bộ biểu quyết đề nghị kết nạp (ít nhất 2/3 đảng viên chính thức)"),
    StepSpec("committee_vote", sf.CommitteeVote, requires=(guards.branch_vote_passed,),
             checks=(guards.vote_counts, guards.vote_attendance), derive=derive.committee_vote, form="8-KNĐ",
             done=lambda k: _passed(k.c.committee_votes),
             summary="the grassroots committee votes (S9, V2)",
             summary_vi="đảng ủy cơ sở biểu quyết (ít nhất 2/3 cấp ủy viên)"),
    StepSpec("decide_admission", sf.DecideAdmission,
             requires=(guards.branch_vote_passed, guards.qualified_at_branch_vote, guards.introducers_present,
                       guards.comments_present, guards.committee_vote_passed, guards.readmission_allowed,
                       guards.readmission_waited),
             checks=(guards.age_within_maximum, guards.education_sufficient, guards.decision_dates,
                     guards.decided_by_competent, guards.decision_vote, guards.readmission_consented),
             derive=derive.decide_admission, form="9-KNĐ", summary="the admission decision (S10)",
             summary_vi="cấp ủy có thẩm quyền ra quyết định kết nạp"),
    StepSpec("hold_ceremony", sf.HoldCeremony, requires=(guards.ceremony_after_receipt,),
             derive=derive.hold_ceremony, summary="the admission ceremony; probation starts (S11, D8, D10)",
             summary_vi="chi bộ tổ chức lễ kết nạp; bắt đầu 12 tháng dự bị"),
    StepSpec("submit_member_history", sf.NoFields, derive=derive.submit_member_history,
             done=lambda k: k.c.member_history_on is not None,
             summary="the party-member history form (S12, D9)",
             summary_vi="đảng viên mới khai lý lịch đảng viên"),
    StepSpec("certify_new_member_course", sf.Certificate, checks=(guards.issued_not_in_future,),
             done=lambda k: k.c.new_member_certificate_no is not None,
             summary="the new-member course certificate (P5, G11)",
             summary_vi="ghi giấy chứng nhận lớp bồi dưỡng đảng viên mới"),
    StepSpec("review_vote", sf.ReviewVote, requires=(guards.after_probation, guards.review_by_transfer_branch),
             checks=(guards.vote_convened, guards.vote_counts, guards.vote_attendance), derive=derive.review_vote,
             form="13-KNĐ",
             done=lambda k: _passed(k.c.review_votes), summary="the branch reviews the probation (S14, V5)",
             summary_vi="chi bộ xét công nhận đảng viên chính thức khi hết dự bị"),
    StepSpec("committee_review_vote", sf.CommitteeVote, requires=(guards.review_vote_passed,),
             checks=(guards.vote_counts, guards.vote_attendance), derive=derive.committee_review_vote,
             form="15-KNĐ",
             done=lambda k: _passed(k.c.committee_review_votes),
             summary="the grassroots committee reviews (S15)",
             summary_vi="đảng ủy cơ sở xét công nhận đảng viên chính thức"),
    StepSpec("recognise_official", sf.RecogniseOfficial, requires=(guards.recognition_ready,),
             checks=(guards.decision_vote,),
             derive=derive.recognise_official, summary="recognised as an official member (S15, D13)",
             summary_vi="quyết định công nhận đảng viên chính thức"),
    StepSpec("extend_deadline", sf.ExtendDeadline, checks=(guards.deadline_extendable,),
             derive=derive.extend_deadline, done=lambda k: not _extendable(k),
             summary="the competent committee extends its decision deadline once (D6, D12)",
             summary_vi="cấp ủy có thẩm quyền gia hạn thời hạn quyết định (một lần, trong giới hạn của bộ quy định)"),
    StepSpec("drop", sf.Drop, checks=(guards.removal_allowed,), derive=derive.drop,
             summary="taken off the list, not admitted, or removed (S16)",
             summary_vi="đưa ra khỏi danh sách, không kết nạp, hoặc xóa tên"),
    StepSpec("transfer", sf.Transfer, requires=(guards.no_transfer_pending,), checks=(guards.org_is_branch,),
             summary="move to another branch; clocks carry over (P9, open question 9)",
             summary_vi="chuyển sinh hoạt sang chi bộ khác; các mốc thời gian giữ nguyên"),
    StepSpec("transfer_probationary", sf.TransferProbationary, requires=(guards.no_transfer_pending,),
             checks=(guards.org_is_branch,), derive=derive.transfer_probationary,
             done=lambda k: k.c.pending_transfer is not None,
             summary="the sending branch transfers a probationary member; it is presented at the receiving branch "
                     "within 60 working days (D16, P9)",
             summary_vi="chi bộ chuyển sinh hoạt đảng của đảng viên dự bị; đảng viên xuất trình tại chi bộ nơi đến "
                        "trong 60 ngày làm việc"),
    StepSpec("transfer_received", sf.TransferReceived, requires=(guards.transfer_sent,),
             checks=(guards.received_where_sent,), derive=derive.transfer_received,
             done=lambda k: k.c.pending_transfer is None,
             summary="the receiving branch receives the transfer; the member belongs to it from this day (D16, P9)",
             summary_vi="chi bộ nơi đến tiếp nhận sinh hoạt đảng; đảng viên thuộc chi bộ này từ ngày tiếp nhận"),
    StepSpec("correct", sf.Correct, summary="correct an earlier event; the original stays in the log",
             summary_vi="đính chính một bước đã ghi; bước cũ vẫn giữ trong nhật ký"),
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
