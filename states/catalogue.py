"""Every rule the engine enforces, with the DOMAIN.md row that explains it and a sentence in vi and en.

A guard never returns a bare False: it names a rule from this table (ARCHITECTURE.md decision 5).
Message templates take keyword parameters; `{regulation}` in `point` is the rule set's regulation.
"""

from dataclasses import dataclass
from typing import Any

from states.errors import Violation
from states.rules import RuleSet


@dataclass(frozen=True)
class Rule:
    id: str
    ref: str
    point: str
    vi: str
    en: str

    def violation(self, rules: RuleSet | None, *, field: str | None = None, **params: Any) -> Violation:
        """This rule broken: its sentences filled with `params`, its source with the rule set's regulation."""
        values = {"field": field, **{k: _show(v) for k, v in params.items()}}
        return Violation(
            rule=self.id,
            ref=self.ref,
            source=self.point.format(regulation=rules.regulation if rules else "ketnap"),
            message_vi=self.vi.format(**values),
            message_en=self.en.format(**values),
            field=field,
        )


_RULES = [
    Rule("field_missing", "PROCEDURE.md Steps", "ketnap input",
         "Thiếu trường bắt buộc '{field}'.", "The required field '{field}' is missing."),
    Rule("field_invalid", "PROCEDURE.md Steps", "ketnap input",
         "Trường '{field}' không hợp lệ: {detail}.", "The field '{field}' is not valid: {detail}."),
    Rule("field_unknown", "PROCEDURE.md Steps", "ketnap input",
         "Bước {step} không có trường '{field}'.", "The step {step} has no field '{field}'."),
    Rule("text_line_break", "PROCEDURE.md Steps; states/text.py", "ketnap input",
         "Trường '{field}' chỉ ghi trên một dòng, nhưng có ký tự xuống dòng {char} ở vị trí {position}.",
         "The field '{field}' is a single line, but it contains the line break {char} at position {position}."),
    Rule("text_control_character", "PROCEDURE.md Steps; states/text.py", "ketnap input",
         "Trường '{field}' chứa ký tự điều khiển {char} ở vị trí {position}; hãy gõ lại giá trị.",
         "The field '{field}' contains the control character {char} at position {position}; type the value "
         "again."),
    Rule("text_bidi_character", "PROCEDURE.md Steps; states/text.py", "ketnap input",
         "Trường '{field}' chứa ký tự đổi chiều văn bản {char} ở vị trí {position}, làm chữ hiện sai thứ tự.",
         "The field '{field}' contains the text-direction control {char} at position {position}, which makes "
         "the text display in a false order."),
    Rule("text_invisible", "PROCEDURE.md Steps; states/text.py", "ketnap input",
         "Trường '{field}' không có ký tự nào nhìn thấy được.", "The field '{field}' has no visible character."),
    Rule("name_without_letter", "PROCEDURE.md Steps; states/text.py", "ketnap input",
         "Trường '{field}' là một tên nhưng không có chữ cái nào.",
         "The field '{field}' is a name but contains no letter."),
    Rule("date_in_future", "PROCEDURE.md Steps (on)", "ketnap input",
         "Ngày {field} ({value}) ở tương lai (hôm nay là {today}).",
         "The date {field} ({value}) is in the future (today is {today})."),
    Rule("date_before_identified", "DOMAIN.md S0", "{regulation}",
         "Ngày {value} trước ngày đưa vào danh sách cảm tình Đảng ({identified_on}).",
         "The date {value} is before the person was put on the list ({identified_on})."),
    Rule("org_not_found", "DOMAIN.md S0; ARCHITECTURE.md decision 11", "ketnap organisations",
         "Không có tổ chức đảng mã '{org}'.", "There is no organisation with code '{org}'."),
    Rule("org_not_branch", "DOMAIN.md S0", "ĐL Art. 4; {regulation}",
         "Tổ chức '{org}' là cấp {level}; người vào Đảng phải thuộc chi bộ hoặc tổ chức cơ sở đảng.",
         "Organisation '{org}' is a {level}; a candidate belongs to a branch or grassroots organisation."),
    Rule("certificate_issued_in_future", "DOMAIN.md S2", "QĐ 1147-QĐ/BTGDVTW Art. 9",
         "Giấy chứng nhận ghi ngày cấp {issued_on} ở tương lai.",
         "The certificate's issue date {issued_on} is in the future."),
    Rule("history_before_application", "DOMAIN.md S3, S4", "HD 06-HD/TW 2025 §3 (order of the dossier)",
         "Phải nộp đơn xin vào Đảng trước khi khai lý lịch.",
         "The application letter must be submitted before the personal history is declared."),
    Rule("vetting_needs_certificate", "DOMAIN.md S2, G5", "{regulation}",
         "Chưa ghi nhận giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.",
         "No Party-awareness course certificate has been recorded."),
    Rule("vetting_needs_application", "DOMAIN.md S3", "{regulation}",
         "Chưa nộp đơn xin vào Đảng (mẫu 1-KNĐ).", "The application letter (form 1-KNĐ) has not been submitted."),
    Rule("vetting_needs_history", "DOMAIN.md S4, G8", "{regulation}",
         "Chưa khai lý lịch người xin vào Đảng (mẫu 2-KNĐ).",
         "The personal history (form 2-KNĐ) has not been declared."),
    Rule("vetting_not_cleared", "DOMAIN.md S5, G8", "HD 01-HD/TW §3.4; {regulation}",
         "Kết luận thẩm tra lý lịch không đạt: hãy ghi bước 'drop' với lý do vetting_failed.",
         "The background check did not clear the candidate: record 'drop' with reason vetting_failed."),
    Rule("introducer_count", "DOMAIN.md G6, S6", "ĐL Art. 4(2); {regulation} §3.2.1",
         "Cần 2 đảng viên chính thức giới thiệu, hoặc 1 đảng viên và nghị quyết giới thiệu của Đoàn/Công đoàn "
         "(hiện có {count} người, nghị quyết: {resolution}).",
         "Two official members must introduce, or one member and a Youth/Trade Union resolution "
         "(now {count} introducer(s), resolution: {resolution})."),
    Rule("introducer_not_official", "DOMAIN.md G6, G6a", "ĐL Art. 4(2); {regulation} §3.2.1",
         "Người giới thiệu {name} chưa là đảng viên chính thức vào ngày {on} (chính thức từ {since}).",
         "Introducer {name} was not an official member on {on} (official since {since})."),
    Rule("introducer_months_together", "DOMAIN.md D5, G6", "{regulation} §3.2.1",
         "Người giới thiệu {name} mới cùng công tác {months} tháng; cần ít nhất {minimum} tháng.",
         "Introducer {name} has worked with the candidate for {months} months; at least {minimum} are needed."),
    Rule("youth_union_resolution_required", "DOMAIN.md G7, S6", "ĐL Art. 4(2); {regulation}",
         "Người vào Đảng trong độ tuổi thanh niên là đoàn viên: cần nghị quyết giới thiệu của BCH Đoàn cơ sở "
         "(mẫu 4-KNĐ).",
         "A youth-age Youth Union member must be introduced by the Youth Union committee's resolution "
         "(form 4-KNĐ)."),
    Rule("comment_sources", "DOMAIN.md S7", "ĐL Art. 4(3)",
         "Nguồn nhận xét '{value}' không hợp lệ; dùng residence hoặc mass_organisations.",
         "Comment source '{value}' is not valid; use residence or mass_organisations."),
    Rule("vote_counts", "DOMAIN.md V1, V2, V5", "ĐL Art. 4(3); {regulation}",
         "Số tán thành ({in_favour}) lớn hơn số {denominator} ({members}).",
         "Votes in favour ({in_favour}) exceed the number of {denominator} ({members})."),
    Rule("vote_needs_introducers", "DOMAIN.md S6, S8", "ĐL Art. 4(2)-(3)",
         "Chi bộ chỉ xét khi đã có người giới thiệu hợp lệ (mẫu 3-KNĐ).",
         "The branch can only vote once valid introducers are recorded (form 3-KNĐ)."),
    Rule("vote_needs_comments", "DOMAIN.md S7, S8", "ĐL Art. 4(3)",
         "Chưa tổng hợp nhận xét của {missing} (mẫu 5-KNĐ).",
         "Comments from {missing} have not been collected (form 5-KNĐ)."),
    Rule("vote_before_dossier", "DOMAIN.md S6, S7, S8", "ĐL Art. 4(3)",
         "Nghị quyết chi bộ ngày {on} trước ngày {what_vi} ({previous_on}): việc giới thiệu và lấy ý kiến "
         "nhận xét phải có trước khi chi bộ xét kết nạp.",
         "The branch vote of {on} is dated before {what_en} ({previous_on}): the introduction and the comments "
         "come before the branch considers the case."),
    Rule("dated_before_last_step", "DOMAIN.md section 1; PROCEDURE.md Steps", "ketnap warning",
         "Đã ghi, nhưng ngày trên văn bản ({on}) trước ngày của bước đã ghi gần nhất ({previous_on}): hãy "
         "kiểm tra lại ngày.",
         "Recorded, but the date on the document ({on}) is before the recorded step {previous} ({previous_on}): "
         "check the date."),
    Rule("age_minimum", "DOMAIN.md D1, G1", "{regulation} 1.1.1",
         "Vào ngày chi bộ xét ({on}) người vào Đảng mới {years} tuổi {months} tháng; phải đủ {minimum} tuổi "
         "(tính theo tháng).",
         "On the branch vote date ({on}) the candidate is {years} years {months} months old; "
         "{minimum} full years are required (counted in months)."),
    Rule("age_maximum", "DOMAIN.md D1, G1, G2", "{regulation} 1.1.1; HD 06-HD/TW 2025 §1",
         "Vào ngày chi bộ xét ({on}) người vào Đảng đã quá {maximum} tuổi: cần văn bản đồng ý của ban thường vụ "
         "cấp ủy trực thuộc Trung ương (consent_ref).",
         "On the branch vote date ({on}) the candidate is over {maximum}: the written consent of the provincial "
         "standing committee is needed (consent_ref)."),
    Rule("education_minimum", "DOMAIN.md G3, G3a, G3b", "{regulation} 1.1.1; HD 06-HD/TW 2025 §1",
         "Trình độ học vấn '{education}' chưa đạt mức tối thiểu '{minimum}'.",
         "Education '{education}' is below the minimum '{minimum}'."),
    Rule("village_elder_consent", "DOMAIN.md G3b", "HD 06-HD/TW 2025 §1",
         "Già làng, người có uy tín chưa tốt nghiệp tiểu học: cần văn bản đồng ý của ban thường vụ cấp ủy trực "
         "thuộc Trung ương (consent_ref).",
         "A village elder below primary education needs the provincial standing committee's written consent "
         "(consent_ref)."),
    Rule("certificate_missing", "DOMAIN.md G5, D2", "{regulation}",
         "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.",
         "There is no Party-awareness course certificate."),
    Rule("certificate_expired", "DOMAIN.md D2, G5", "{regulation} (HD 06-HD/TW 2025 §5.4 from 2025)",
         "Giấy chứng nhận cấp ngày {issued_on} chỉ có giá trị {valid} tháng, đến {expires}; chi bộ xét ngày "
         "{on}: người vào Đảng phải học lại.",
         "The certificate issued on {issued_on} is valid {valid} months, until {expires}; the branch vote is on "
         "{on}: the candidate must retake the course."),
    Rule("committee_vote_needs_branch_vote", "DOMAIN.md S9, V2", "HD 01-HD/TW 2021 §3.6c; {regulation}",
         "Đảng ủy cơ sở chỉ xét sau khi chi bộ đã biểu quyết đạt (mẫu 6-KNĐ).",
         "The grassroots committee votes only after a passed branch vote (form 6-KNĐ)."),
    Rule("vote_before_previous", "DOMAIN.md S9, S15", "{regulation}",
         "Ngày {field} ({on}) trước ngày {previous} ({previous_on}).",
         "The date of {field} ({on}) is before {previous} ({previous_on})."),
    Rule("branch_vote_not_passed", "DOMAIN.md V1, S8", "ĐL Art. 4(3); {regulation}",
         "Chưa có nghị quyết chi bộ đề nghị kết nạp với ít nhất {threshold} đảng viên chính thức tán thành.",
         "There is no branch resolution with at least {threshold} of official members in favour."),
    Rule("committee_vote_not_passed", "DOMAIN.md V2, V3, S9", "HD 01-HD/TW 2021 §3.6c; {regulation}",
         "Chưa có nghị quyết đảng ủy cơ sở với ít nhất {threshold} cấp ủy viên tán thành.",
         "There is no grassroots committee resolution with at least {threshold} of its members in favour."),
    Rule("comments_missing", "DOMAIN.md S7", "ĐL Art. 4(3)",
         "Chưa tổng hợp nhận xét của {missing}.", "Comments from {missing} have not been collected."),
    Rule("introducers_missing", "DOMAIN.md G6, S6", "ĐL Art. 4(2)",
         "Chưa có người giới thiệu vào Đảng.", "No introducers have been recorded."),
    Rule("decided_by_not_competent", "DOMAIN.md S10, section 4 (authority)", "{regulation} §4.3.2",
         "Cấp ủy '{decided_by}' không có thẩm quyền kết nạp cho tổ chức này; cấp có thẩm quyền là '{competent}'.",
         "Committee '{decided_by}' is not competent for this branch; the competent body is '{competent}'."),
    Rule("received_before_decision", "DOMAIN.md D8", "{regulation} §4.1",
         "Ngày nhận quyết định ({received_on}) trước ngày quyết định ({on}).",
         "The decision was received ({received_on}) before it was signed ({on})."),
    Rule("ceremony_before_decision", "DOMAIN.md D8, S11", "{regulation} §4.1",
         "Lễ kết nạp ({on}) trước ngày chi bộ nhận quyết định ({received_on}).",
         "The ceremony ({on}) is before the branch received the decision ({received_on})."),
    Rule("review_before_probation_end", "DOMAIN.md G10, S14", "ĐL Art. 5(2); {regulation} §4.2",
         "Nghị quyết chi bộ ({on}) phải sau khi hết 12 tháng dự bị ({ends_on}).",
         "The branch resolution ({on}) must come after probation ends ({ends_on})."),
    Rule("committee_review_needs_review_vote", "DOMAIN.md S15", "{regulation} §4.2",
         "Đảng ủy cơ sở chỉ xét sau nghị quyết chi bộ đề nghị công nhận (mẫu 13-KNĐ).",
         "The grassroots committee reviews only after a passed branch review vote (form 13-KNĐ)."),
    Rule("recognition_needs_review_vote", "DOMAIN.md S14, V5", "ĐL Art. 5(2); {regulation} §4.2",
         "Chưa có nghị quyết chi bộ đề nghị công nhận đảng viên chính thức đạt {threshold}.",
         "There is no passed branch resolution ({threshold}) recommending recognition."),
    Rule("recognition_needs_committee_review", "DOMAIN.md S15", "{regulation} §4.2",
         "Chưa có nghị quyết đảng ủy cơ sở đề nghị công nhận đạt {threshold} (mẫu 15-KNĐ).",
         "There is no passed grassroots committee resolution ({threshold}) recommending recognition "
         "(form 15-KNĐ)."),
    Rule("new_member_course_missing", "DOMAIN.md G11, P5", "HD 06-HD/TW 2025 §8",
         "Chưa có giấy chứng nhận học lớp bồi dưỡng đảng viên mới.",
         "There is no certificate of the new-member course."),
    Rule("removal_needs_vote", "DOMAIN.md P7, V7, S16", "ĐL Art. 5(2); {regulation} §4.2",
         "Xóa tên đảng viên dự bị cần nghị quyết chi bộ đề nghị xóa tên đạt {threshold}.",
         "Removing a probationary member needs a passed branch resolution ({threshold}) recommending removal."),
    Rule("removal_needs_decision", "DOMAIN.md S16", "ĐL Art. 5(2)",
         "Xóa tên đảng viên dự bị cần số quyết định (decision_no).",
         "Removing a probationary member needs the decision number (decision_no)."),
    Rule("correct_target", "PROCEDURE.md correct; ARCHITECTURE.md decision 1", "ketnap log",
         "Không có sự kiện phiên bản {version} để đính chính.", "There is no event version {version} to correct."),
    Rule("correct_field", "PROCEDURE.md correct", "ketnap log",
         "Bước {step} không có trường '{field}' để đính chính.", "The step {step} has no field '{field}' to correct."),
    Rule("transfer_same_org", "DOMAIN.md P9, D16", "{regulation} 6.3",
         "Người vào Đảng đã thuộc tổ chức '{org}'.", "The candidate already belongs to '{org}'."),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def violation(rule_id: str, rules: RuleSet | None, *, field: str | None = None, **params: Any) -> Violation:
    """Build the violation of `rule_id`, filling its sentences with `params`."""
    return RULES[rule_id].violation(rules, field=field, **params)


def _show(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)
