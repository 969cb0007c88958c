"""What each deadline kind of PROCEDURE.md asks of whom, and the rule behind it (DOMAIN.md section 2).

`responsible` is the body that must act; an overdue deadline escalates to the level above it: the deciding
committee answers to its upper committee (D6, D12), the branch reports to its direct upper committee (D8).
Numbers are read from the deadline's own rule set, so a reminder quotes the rule that set its due date.
"""

from dataclasses import dataclass

from states.rules import RuleSet


@dataclass(frozen=True)
class KindInfo:
    kind: str
    research: str  # the research row behind it (DOMAIN.md), for developers; people read `link`
    responsible: str  # secretary (the branch) or office (the competent committee)
    step: str  # the step that closes it (PROCEDURE.md, Deadlines)
    vi: str
    en: str
    rule_vi: str
    rule_en: str
    number: str  # RuleSet attribute quoted as {n}
    short_vi: str = ""  # for subject lines
    short_en: str = ""

    @property
    def link(self) -> str:
        """Its entry in the rule reference (workflow/rule_reference.py): what a reminder cites."""
        return f"/rules#deadline-{self.kind}"


KINDS: dict[str, KindInfo] = {k.kind: k for k in (
    KindInfo("certificate_expiry", "D2", "secretary", "decide_admission",
             "Xét kết nạp trước khi giấy chứng nhận bồi dưỡng nhận thức về Đảng hết hạn",
             "Admission considered before the Party-awareness certificate expires",
             "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng có giá trị {n} tháng; quá hạn thì chi bộ phải "
             "giới thiệu người vào Đảng học lại để được cấp giấy chứng nhận mới.",
             "The Party-awareness certificate is valid for {n} months; after that the branch must send the "
             "candidate to retake the course.", "certificate_valid_months",
             short_vi="Hạn giấy chứng nhận", short_en="Certificate expiry"),
    KindInfo("admission_decision", "D6", "office", "decide_admission",
             "Cấp ủy có thẩm quyền ra quyết định kết nạp", "Admission decision by the competent committee",
             "Trong {n} ngày làm việc kể từ ngày chi bộ có nghị quyết đề nghị kết nạp, cấp ủy có thẩm quyền phải "
             "xem xét, quyết định; quá hạn không có lý do chính đáng phải kiểm điểm trách nhiệm trước cấp ủy "
             "cấp trên.",
             "The competent committee decides within {n} working days of the branch's resolution; missing it "
             "without good reason must be explained to the upper committee.", "working_days.admission_decision",
             short_vi="Quyết định kết nạp", short_en="Admission decision"),
    KindInfo("ceremony", "D8", "secretary", "hold_ceremony", "Tổ chức lễ kết nạp đảng viên",
             "Admission ceremony",
             "Chậm nhất {n} ngày làm việc kể từ ngày nhận quyết định kết nạp, chi bộ phải tổ chức lễ kết nạp; "
             "quá hạn phải báo cáo và được cấp ủy cấp trên trực tiếp đồng ý.",
             "The branch holds the ceremony within {n} working days of receiving the decision; later than that "
             "it must report to and obtain the consent of its direct upper committee.", "working_days.ceremony",
             short_vi="Lễ kết nạp", short_en="Ceremony"),
    KindInfo("member_history", "D9", "secretary", "submit_member_history", "Hoàn thành lý lịch đảng viên",
             "Party-member history form",
             "Trong {n} ngày làm việc kể từ ngày kết nạp, đảng viên mới phải hoàn thành lý lịch đảng viên.",
             "The new member completes the party-member history form within {n} working days of the ceremony.",
             "working_days.member_history",
             short_vi="Lý lịch đảng viên", short_en="Member history"),
    KindInfo("probation_end", "D10", "secretary", "review_vote", "Kết thúc thời gian dự bị",
             "End of probation",
             "Thời gian dự bị là {n} tháng kể từ ngày chi bộ tổ chức lễ kết nạp.",
             "Probation lasts {n} months from the ceremony.", "probation_months",
             short_vi="Hết dự bị", short_en="End of probation"),
    KindInfo("probation_review", "D11", "secretary", "review_vote",
             "Chi bộ xét công nhận đảng viên chính thức", "Branch review for official membership",
             "Chậm nhất {n} ngày làm việc kể từ ngày đảng viên hết thời gian dự bị, chi bộ phải xét công nhận "
             "đảng viên chính thức.",
             "The branch reviews the member within {n} working days of the end of probation.",
             "working_days.probation_review",
             short_vi="Xét chính thức", short_en="Probation review"),
    KindInfo("recognition_decision", "D12", "office", "recognise_official",
             "Cấp ủy có thẩm quyền quyết định công nhận đảng viên chính thức",
             "Recognition decision by the competent committee",
             "Trong {n} ngày làm việc kể từ ngày chi bộ có nghị quyết đề nghị công nhận đảng viên chính thức, cấp "
             "ủy có thẩm quyền phải xem xét, quyết định; quá hạn không có lý do chính đáng phải kiểm điểm trách "
             "nhiệm trước cấp ủy cấp trên.",
             "The competent committee decides within {n} working days of the branch's resolution; missing it "
             "without good reason must be explained to the upper committee.",
             "working_days.recognition_decision",
             short_vi="Quyết định chính thức", short_en="Recognition decision"),
    KindInfo("transfer_presentation", "D16", "secretary", "transfer_received",
             "Đảng viên dự bị xuất trình giấy giới thiệu sinh hoạt đảng tại chi bộ nơi đến",
             "Transferred probationary member presents the transfer at the receiving branch",
             "Trong {n} ngày làm việc kể từ ngày quyết định chuyển sinh hoạt đảng có hiệu lực, đảng viên phải xuất "
             "trình giấy giới thiệu sinh hoạt đảng với chi ủy nơi chuyển đến.",
             "Within {n} working days of the day the transfer takes effect the member presents the transfer paper "
             "to the receiving branch's committee.", "working_days.transfer_presentation",
             short_vi="Xuất trình chuyển sinh hoạt", short_en="Transfer presentation"),
)}

ROLE_LABELS = {
    "vi": {"secretary": "Bí thư chi bộ", "office": "Văn phòng cấp ủy", "upper": "Cấp ủy cấp trên"},
    "en": {"secretary": "Branch secretary", "office": "Committee office", "upper": "Upper-level committee"},
}


def info(kind: str) -> KindInfo:
    """Raises: KeyError for a kind PROCEDURE.md does not define."""
    return KINDS[kind]


def rule_number(kind: str, rules: RuleSet) -> int:
    value: object = rules
    for part in info(kind).number.split("."):
        value = getattr(value, part)
    assert isinstance(value, int), f"{info(kind).number} is a number of the rule set"
    return value


def rule_sentence(kind: str, rules: RuleSet, language: str) -> str:
    k = info(kind)
    return (k.rule_vi if language == "vi" else k.rule_en).format(n=rule_number(kind, rules))


def label(kind: str, language: str) -> str:
    k = info(kind)
    return k.vi if language == "vi" else k.en


def short_label(kind: str, language: str) -> str:
    k = info(kind)
    return k.short_vi if language == "vi" else k.short_en
