"""Every rule the engine enforces, with a sentence in vi and en, and where the product explains it: /rules.

A guard never returns a bare False: it names a rule from this table (ARCHITECTURE.md decision 5). Message
templates take keyword parameters; `{regulation}` in `point` is the implementing regulation in force on the
step's date and `{guidance}` the Secretariat's guidance then in force (DOMAIN.md section 7 caveat: each has its
own date), so a value a guidance sets cites that guidance. A parameter may be a
`Said` (states/labels.py) with its own words in each language; `{field}` is always shown by the field's
Vietnamese label in the Vietnamese sentence, dates are dd/mm/yyyy there and ISO in English.

The second column (`research`) names the rows of the research notes (DOMAIN.md, PROCEDURE.md, kept outside the
product) the rule rests on; it is for developers only. What a user reads is the rule reference generated from
this table (workflow/rule_reference.py: /rules and docs/RULES.md).
"""

from dataclasses import dataclass
from typing import Any

from states import labels
from states.errors import Violation
from states.labels import Said
from states.rules import RuleSet

RULES_PAGE = "/rules"


def rule_link(rule_id: str) -> str:
    """Where the product explains a rule: its anchored entry of the rule reference."""
    return f"{RULES_PAGE}#{rule_id}"


@dataclass(frozen=True)
class Rule:
    id: str
    research: str  # DOMAIN.md / PROCEDURE.md rows: the research behind the rule, for developers
    point: str
    vi: str
    en: str

    @property
    def ref(self) -> str:
        return rule_link(self.id)

    def sentences(self, *, field: str | None = None, **params: Any) -> Said:
        """Both sentences filled with `params`: labels and dd/mm/yyyy in Vietnamese, keys and ISO in English."""
        values = {k: labels.said(v) for k, v in params.items()}
        values["field"] = labels.field(field) if field is not None else Said("—", "-")
        return Said(self.vi.format(**{k: v.vi for k, v in values.items()}),
                    self.en.format(**{k: v.en for k, v in values.items()}))

    def violation(self, rules: RuleSet | None, *, field: str | None = None, **params: Any) -> Violation:
        """This rule broken: its sentences filled with `params`, its source with the regulation and guidance in
        force, and both documents' ids (the rules that judged it)."""
        said = self.sentences(field=field, **params)
        return Violation(
            rule=self.id,
            ref=self.ref,
            source=self.point.format(regulation=rules.regulation if rules else "ketnap",
                                     guidance=rules.guidance_title if rules else "ketnap"),
            message_vi=said.vi,
            message_en=said.en,
            field=field,
            rule_set=rules.id if rules else None,
            guidance=rules.guidance if rules else None,
        )


_RULES = [
    Rule("field_missing", "PROCEDURE.md Steps", "ketnap (dữ liệu nhập)",
         "Chưa điền “{field}” (bắt buộc).", "The required field '{field}' is missing."),
    Rule("field_invalid", "PROCEDURE.md Steps", "ketnap (dữ liệu nhập)",
         "“{field}” không hợp lệ: {detail}.", "The field '{field}' is not valid: {detail}."),
    Rule("field_unknown", "PROCEDURE.md Steps", "ketnap (dữ liệu nhập)",
         "Bước “{step}” không có trường “{field}”.", "The step {step} has no field '{field}'."),
    Rule("text_line_break", "PROCEDURE.md Steps; states/text.py", "ketnap (dữ liệu nhập)",
         "“{field}” chỉ ghi trên một dòng, nhưng có ký tự xuống dòng {char} ở vị trí {position}.",
         "The field '{field}' is a single line, but it contains the line break {char} at position {position}."),
    Rule("text_control_character", "PROCEDURE.md Steps; states/text.py", "ketnap (dữ liệu nhập)",
         "“{field}” chứa ký tự điều khiển {char} ở vị trí {position}; hãy gõ lại giá trị.",
         "The field '{field}' contains the control character {char} at position {position}; type the value "
         "again."),
    Rule("text_bidi_character", "PROCEDURE.md Steps; states/text.py", "ketnap (dữ liệu nhập)",
         "“{field}” chứa ký tự đổi chiều văn bản {char} ở vị trí {position}, làm chữ hiện sai thứ tự.",
         "The field '{field}' contains the text-direction control {char} at position {position}, which makes "
         "the text display in a false order."),
    Rule("text_invisible", "PROCEDURE.md Steps; states/text.py", "ketnap (dữ liệu nhập)",
         "“{field}” không có ký tự nào nhìn thấy được.", "The field '{field}' has no visible character."),
    Rule("name_without_letter", "PROCEDURE.md Steps; states/text.py", "ketnap (dữ liệu nhập)",
         "“{field}” là một tên nhưng không có chữ cái nào.",
         "The field '{field}' is a name but contains no letter."),
    Rule("date_in_future", "PROCEDURE.md Steps (on)", "ketnap (dữ liệu nhập)",
         "“{field}” ({value}) là một ngày trong tương lai (hôm nay là {today}).",
         "The date {field} ({value}) is in the future (today is {today})."),
    Rule("date_before_identified", "DOMAIN.md S0", "{regulation}",
         "Ngày {value} trước ngày đưa vào danh sách cảm tình Đảng ({identified_on}).",
         "The date {value} is before the person was put on the list ({identified_on})."),
    Rule("org_not_found", "DOMAIN.md S0; ARCHITECTURE.md decision 11", "ketnap (tổ chức)",
         "Không có tổ chức đảng mã “{org}”.", "There is no organisation with code '{org}'."),
    Rule("org_not_branch", "DOMAIN.md S0", "ĐL Điều 4; {regulation}",
         "Tổ chức “{org}” thuộc cấp “{level}”; người vào Đảng phải thuộc chi bộ hoặc tổ chức cơ sở đảng.",
         "Organisation '{org}' is a {level}; a candidate belongs to a branch or grassroots organisation."),
    Rule("certificate_issued_in_future", "DOMAIN.md S2", "QĐ 1147-QĐ/BTGDVTW Điều 9",
         "Giấy chứng nhận ghi ngày cấp {issued_on} ở tương lai.",
         "The certificate's issue date {issued_on} is in the future."),
    Rule("history_before_application", "DOMAIN.md S3, S4; section 7 caveat", "HD 06-HD/TW 2025 §3 (thứ tự hồ sơ)",
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
    Rule("vetting_not_cleared", "DOMAIN.md S5, G8", "{guidance} §3.4; {regulation}",
         "Kết luận thẩm tra lý lịch không đạt: hãy ghi bước “Đưa ra khỏi danh sách / xóa tên” với lý do “Thẩm tra "
         "không đạt”.",
         "The background check did not clear the candidate: record 'drop' with reason vetting_failed."),
    Rule("introducer_count", "DOMAIN.md G6, S6", "ĐL Điều 4.2; {regulation} §3.2.1",
         "Cần 2 đảng viên chính thức giới thiệu, hoặc 1 đảng viên và nghị quyết giới thiệu của Đoàn/Công đoàn "
         "(hiện có {count} người, nghị quyết: {resolution}).",
         "Two official members must introduce, or one member and a Youth/Trade Union resolution "
         "(now {count} introducer(s), resolution: {resolution})."),
    Rule("introducer_not_official", "DOMAIN.md G6, G6a", "ĐL Điều 4.2; {regulation} §3.2.1",
         "Người giới thiệu {name} chưa là đảng viên chính thức vào ngày {on} (chính thức từ {since}).",
         "Introducer {name} was not an official member on {on} (official since {since})."),
    Rule("introducer_months_together", "DOMAIN.md D5, G6", "{regulation} §3.2.1",
         "Người giới thiệu {name} mới cùng công tác {months} tháng; cần ít nhất {minimum} tháng.",
         "Introducer {name} has worked with the candidate for {months} months; at least {minimum} are needed."),
    Rule("youth_union_resolution_required", "DOMAIN.md G7, S6", "ĐL Điều 4.2; {regulation}",
         "Người vào Đảng trong độ tuổi thanh niên là đoàn viên: cần nghị quyết giới thiệu của BCH Đoàn cơ sở "
         "(mẫu 4-KNĐ).",
         "A youth-age Youth Union member must be introduced by the Youth Union committee's resolution "
         "(form 4-KNĐ)."),
    Rule("comment_sources", "DOMAIN.md S7", "ĐL Điều 4.3",
         "Nguồn nhận xét “{value}” không hợp lệ; chỉ nhận “Chi ủy, ban công tác mặt trận nơi cư trú” hoặc “Đoàn thể "
         "chính trị - xã hội”.",
         "Comment source '{value}' is not valid; use residence or mass_organisations."),
    Rule("vote_counts", "DOMAIN.md V1, V2, V5", "ĐL Điều 4.3; {regulation}",
         "Số tán thành ({in_favour}) lớn hơn {denominator} ({members}).",
         "Votes in favour ({in_favour}) exceed the number of {denominator} ({members})."),
    Rule("vote_present", "DOMAIN.md V1, V2, V5; issue 12", "ĐL Điều 4.3; {regulation}",
         "Số có mặt ({present}) lớn hơn tổng số thành viên ({members}).",
         "The number present ({present}) exceeds the number of members ({members})."),
    Rule("vote_attendance", "DOMAIN.md V1, V2, V5; issue 12", "ĐL Điều 4.3; {regulation}",
         "Số tán thành ({in_favour}) cộng số không tán thành ({against}) lớn hơn số có mặt ({room}).",
         "Votes in favour ({in_favour}) plus votes against ({against}) exceed the number present ({room})."),
    Rule("vote_none_convened", "DOMAIN.md V1, V5 (QĐ294 §9.3.2); issue 13 item 3", "{regulation} §9.3.2",
         "Số đảng viên sinh hoạt tạm thời nơi khác ({elsewhere}) cộng số đảng viên được miễn sinh hoạt vắng mặt "
         "({exempted_absent}) không được bằng hoặc lớn hơn số đảng viên chính thức ({members}).",
         "Members temporarily active elsewhere ({elsewhere}) plus exempted members absent ({exempted_absent}) "
         "must be fewer than the official members ({members})."),
    Rule("vote_convened", "DOMAIN.md V1, V5 (QĐ294 §9.3.2); issue 13 item 3", "{regulation} §9.3.2",
         "“{field}” ({convened}) phải bằng số đảng viên chính thức ({members}) trừ số sinh hoạt tạm thời nơi khác "
         "({elsewhere}) và số được miễn sinh hoạt vắng mặt ({exempted_absent}), tức {expected}.",
         "{field} ({convened}) must be the official members ({members}) less those temporarily active elsewhere "
         "({elsewhere}) and the exempted members absent ({exempted_absent}), that is {expected}."),
    Rule("vote_needs_introducers", "DOMAIN.md S6, S8", "ĐL Điều 4.2-3",
         "Chi bộ chỉ xét khi đã có người giới thiệu hợp lệ (mẫu 3-KNĐ).",
         "The branch can only vote once valid introducers are recorded (form 3-KNĐ)."),
    Rule("vote_needs_comments", "DOMAIN.md S7, S8", "ĐL Điều 4.3",
         "Chưa tổng hợp nhận xét của {missing} (mẫu 5-KNĐ).",
         "Comments from {missing} have not been collected (form 5-KNĐ)."),
    Rule("vote_before_dossier", "DOMAIN.md S6, S7, S8", "ĐL Điều 4.3",
         "Nghị quyết chi bộ ngày {on} trước ngày {what_vi} ({previous_on}): việc giới thiệu và lấy ý kiến "
         "nhận xét phải có trước khi chi bộ xét kết nạp.",
         "The branch vote of {on} is dated before {what_en} ({previous_on}): the introduction and the comments "
         "come before the branch considers the case."),
    Rule("dated_before_last_step", "DOMAIN.md section 1; PROCEDURE.md Steps", "ketnap (cảnh báo)",
         "Đã ghi, nhưng ngày trên văn bản ({on}) trước ngày của bước “{previous}” đã ghi ({previous_on}): hãy "
         "kiểm tra lại ngày.",
         "Recorded, but the date on the document ({on}) is before the recorded step {previous} ({previous_on}): "
         "check the date."),
    Rule("age_minimum", "DOMAIN.md D1, G1", "{regulation} 1.1.1",
         "Vào ngày chi bộ xét ({on}) người vào Đảng mới {years} tuổi {months} tháng; phải đủ {minimum} tuổi "
         "(tính theo tháng).",
         "On the branch vote date ({on}) the candidate is {years} years {months} months old; "
         "{minimum} full years are required (counted in months)."),
    Rule("age_maximum", "DOMAIN.md D1, G1, G2", "{regulation} 1.1.1; {guidance} §1",
         "Vào ngày chi bộ xét ({on}) người vào Đảng đã quá {maximum} tuổi: cần văn bản đồng ý của ban thường vụ "
         "cấp ủy trực thuộc Trung ương (ghi vào “Văn bản đồng ý (trên 60 tuổi)”).",
         "On the branch vote date ({on}) the candidate is over {maximum}: the written consent of the provincial "
         "standing committee is needed (consent_ref)."),
    Rule("education_minimum", "DOMAIN.md G3, G3a, G3b", "{regulation} 1.1.1; {guidance} §1",
         "Trình độ học vấn “{education}” chưa đạt mức tối thiểu “{minimum}”.",
         "Education '{education}' is below the minimum '{minimum}'."),
    Rule("village_elder_consent", "DOMAIN.md G3b", "HD 06-HD/TW 2025 §1",
         "Già làng, người có uy tín chưa tốt nghiệp tiểu học: cần văn bản đồng ý của ban thường vụ cấp ủy trực "
         "thuộc Trung ương (ghi vào “Văn bản đồng ý (trên 60 tuổi)”).",
         "A village elder below primary education needs the provincial standing committee's written consent "
         "(consent_ref)."),
    Rule("certificate_missing", "DOMAIN.md G5, D2", "{regulation}",
         "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.",
         "There is no Party-awareness course certificate."),
    Rule("certificate_expired", "DOMAIN.md D2, G5", "{guidance} §5.4; {regulation}",
         "Giấy chứng nhận cấp ngày {issued_on} chỉ có giá trị {valid} tháng, đến {expires}; chi bộ xét ngày "
         "{on}: người vào Đảng phải học lại.",
         "The certificate issued on {issued_on} is valid {valid} months, until {expires}; the branch vote is on "
         "{on}: the candidate must retake the course."),
    Rule("committee_vote_needs_branch_vote", "DOMAIN.md S9, V2", "{guidance} §3.6c; {regulation}",
         "Đảng ủy cơ sở chỉ xét sau khi chi bộ đã biểu quyết đạt (mẫu 6-KNĐ).",
         "The grassroots committee votes only after a passed branch vote (form 6-KNĐ)."),
    Rule("vote_before_previous", "DOMAIN.md S9, S15", "{regulation}",
         "“{field}” ({on}) trước ngày của bước “{previous}” ({previous_on}).",
         "The date of {field} ({on}) is before {previous} ({previous_on})."),
    Rule("branch_vote_not_passed", "DOMAIN.md V1, S8", "ĐL Điều 4.3; {regulation}",
         "Chưa có nghị quyết chi bộ đề nghị kết nạp với ít nhất {threshold} đảng viên chính thức tán thành.",
         "There is no branch resolution with at least {threshold} of official members in favour."),
    Rule("committee_vote_not_passed", "DOMAIN.md V2, V3, S9", "{guidance} §3.6c; {regulation}",
         "Chưa có nghị quyết đảng ủy cơ sở với ít nhất {threshold} cấp ủy viên tán thành.",
         "There is no grassroots committee resolution with at least {threshold} of its members in favour."),
    Rule("comments_missing", "DOMAIN.md S7", "ĐL Điều 4.3",
         "Chưa tổng hợp nhận xét của {missing}.", "Comments from {missing} have not been collected."),
    Rule("introducers_missing", "DOMAIN.md G6, S6", "ĐL Điều 4.2",
         "Chưa có người giới thiệu vào Đảng.", "No introducers have been recorded."),
    Rule("decided_by_not_competent", "DOMAIN.md S10, section 4 (authority)", "{regulation} §4.3.2",
         "Cấp ủy “{decided_by}” không có thẩm quyền kết nạp cho tổ chức này; cấp có thẩm quyền là “{competent}”.",
         "Committee '{decided_by}' is not competent for this branch; the competent body is '{competent}'."),
    Rule("decision_vote_incomplete", "DOMAIN.md V3, S10, S15", "HD 06-HD/TW 2025 §3.7a; {regulation}",
         "Biểu quyết của cấp ủy cần ghi cả Số cấp ủy viên và Số tán thành.",
         "A committee's vote records both the number of committee members and the votes in favour."),
    Rule("decision_needs_vote", "DOMAIN.md V3, S10, S15", "HD 06-HD/TW 2025 §3.7a; {regulation}",
         "Đảng ủy cơ sở được ủy quyền chỉ ra quyết định khi ít nhất {threshold} tổng số cấp ủy viên tán thành: "
         "cần ghi Số cấp ủy viên và Số tán thành.",
         "An authorised grassroots committee decides only with at least {threshold} of all its members in "
         "favour: record the number of committee members and the votes in favour."),
    Rule("decision_vote_not_passed", "DOMAIN.md V3, S10, S15", "HD 06-HD/TW 2025 §3.7a; {regulation}",
         "Số tán thành ({in_favour}/{members}) chưa đạt {threshold} tổng số cấp ủy viên.",
         "Votes in favour ({in_favour} of {members}) do not reach {threshold} of all committee members."),
    Rule("received_before_decision", "DOMAIN.md D8", "{regulation} §4.1",
         "Ngày nhận quyết định ({received_on}) trước ngày quyết định ({on}).",
         "The decision was received ({received_on}) before it was signed ({on})."),
    Rule("ceremony_before_decision", "DOMAIN.md D8, S11", "{regulation} §4.1",
         "Lễ kết nạp ({on}) trước ngày chi bộ nhận quyết định ({received_on}).",
         "The ceremony ({on}) is before the branch received the decision ({received_on})."),
    Rule("review_before_probation_end", "DOMAIN.md G10, S14", "ĐL Điều 5.2; {regulation} §4.2",
         "Nghị quyết chi bộ ({on}) phải sau khi hết 12 tháng dự bị ({ends_on}).",
         "The branch resolution ({on}) must come after probation ends ({ends_on})."),
    Rule("committee_review_needs_review_vote", "DOMAIN.md S15", "{regulation} §4.2",
         "Đảng ủy cơ sở chỉ xét sau nghị quyết chi bộ đề nghị công nhận (mẫu 13-KNĐ).",
         "The grassroots committee reviews only after a passed branch review vote (form 13-KNĐ)."),
    Rule("recognition_needs_review_vote", "DOMAIN.md S14, V5", "ĐL Điều 5.2; {regulation} §4.2",
         "Chưa có nghị quyết chi bộ đề nghị công nhận đảng viên chính thức đạt {threshold}.",
         "There is no passed branch resolution ({threshold}) recommending recognition."),
    Rule("recognition_needs_committee_review", "DOMAIN.md S15", "{regulation} §4.2",
         "Chưa có nghị quyết đảng ủy cơ sở đề nghị công nhận đạt {threshold} (mẫu 15-KNĐ).",
         "There is no passed grassroots committee resolution ({threshold}) recommending recognition "
         "(form 15-KNĐ)."),
    Rule("new_member_course_missing", "DOMAIN.md G11, P5", "HD 06-HD/TW 2025 §8",
         "Chưa có giấy chứng nhận học lớp bồi dưỡng đảng viên mới.",
         "There is no certificate of the new-member course."),
    Rule("removal_needs_vote", "DOMAIN.md P7, V7, S16", "ĐL Điều 5.2; {regulation} §4.2",
         "Xóa tên đảng viên dự bị cần nghị quyết chi bộ đề nghị xóa tên đạt {threshold}.",
         "Removing a probationary member needs a passed branch resolution ({threshold}) recommending removal."),
    Rule("removal_needs_decision", "DOMAIN.md S16", "ĐL Điều 5.2",
         "Xóa tên đảng viên dự bị cần ghi “Số quyết định”.",
         "Removing a probationary member needs the decision number (decision_no)."),
    Rule("previous_membership_dates", "DOMAIN.md R1; issue 12 item 5", "ketnap (kiểm tra ngày)",
         "“{field}” ({left_on}) trước “Ngày kết nạp lần trước” ({admitted_on}).",
         "The date of {field} ({left_on}) is before previous_membership.admitted_on ({admitted_on})."),
    Rule("record_cleared_before_admission", "DOMAIN.md R1; issue 12 item 5", "ketnap (kiểm tra ngày)",
         "“{field}” ({record_cleared_on}) trước “Ngày kết nạp lần trước” ({admitted_on}).",
         "The date of {field} ({record_cleared_on}) is before previous_membership.admitted_on ({admitted_on})."),
    Rule("readmission_not_in_rules", "DOMAIN.md section 7 (re-admission rows)", "{regulation}",
         "Bộ quy định này không có quy định kết nạp lại: không thể ghi “{field}”.",
         "This rule set has no re-admission rules: {field} cannot be recorded."),
    Rule("readmission_barred", "DOMAIN.md R2, G12", "{regulation} 3.5.2",
         "Không xem xét kết nạp lại người đã ra khỏi Đảng vì lý do “{reason}”.",
         "A person who left the Party because of '{reason}' is never re-admitted."),
    Rule("readmission_once", "DOMAIN.md R3, G12", "{regulation} 3.5.3",
         "Chỉ kết nạp lại một lần: người này đã được kết nạp lại (“{field}”).",
         "Re-admission is allowed only once: this person was re-admitted before ({field})."),
    Rule("readmission_too_soon", "DOMAIN.md R1, D15, G12", "{regulation} 3.5.1",
         "Ra khỏi Đảng ngày {left_on}, đến ngày quyết định ({on}) mới được {months} tháng; phải ít nhất "
         "{minimum} tháng, tức từ ngày {eligible_on}.",
         "Left the Party on {left_on}: by the decision date ({on}) only {months} months have passed; at least "
         "{minimum} months are needed, that is from {eligible_on}."),
    Rule("readmission_record_not_cleared", "DOMAIN.md R1, D15", "{regulation} 3.5.1",
         "Người đã bị kết án chỉ được xét kết nạp lại sau khi được xóa án tích: chưa ghi “{field}”.",
         "A person who was convicted may be re-admitted only after the record is cleared: {field} is missing."),
    Rule("readmission_too_soon_after_record", "DOMAIN.md R1, D15", "{regulation} 3.5.1",
         "Được xóa án tích ngày {record_cleared_on}, đến ngày quyết định ({on}) mới được {months} tháng; phải "
         "ít nhất {minimum} tháng, tức từ ngày {eligible_on}.",
         "The record was cleared on {record_cleared_on}: by the decision date ({on}) only {months} months have "
         "passed; at least {minimum} months are needed, that is from {eligible_on}."),
    Rule("readmission_consent_missing", "DOMAIN.md R1, G12", "{regulation} 3.5.1",
         "Kết nạp lại cần văn bản đồng ý của ban thường vụ tỉnh ủy, thành ủy trước khi quyết định: chưa ghi "
         "“{field}”.",
         "A re-admission needs the provincial standing committee's written consent before the decision: "
         "{field} is missing."),
    Rule("readmission_consent_after_decision", "DOMAIN.md R1, G12", "{regulation} 3.5.1",
         "“{field}” ({signed_on}) sau ngày quyết định kết nạp ({on}): văn bản đồng ý phải có trước quyết định.",
         "The consent ({field}, {signed_on}) is dated after the admission decision ({on}): it must come first."),
    Rule("correct_target", "PROCEDURE.md correct; ARCHITECTURE.md decision 1", "ketnap (nhật ký sự kiện)",
         "Không có bước nào ở phiên bản {version} để đính chính.", "There is no event version {version} to correct."),
    Rule("correct_field", "PROCEDURE.md correct", "ketnap (nhật ký sự kiện)",
         "Bước “{step}” không có trường “{field}” để đính chính.",
         "The step {step} has no field '{field}' to correct."),
    Rule("extension_deadline_not_open", "DOMAIN.md D6, D12, S10, S15", "{regulation} §4.3.1",
         "Không có “{deadline}” đang mở để gia hạn.",
         "There is no open {deadline} to extend."),
    Rule("extension_once", "DOMAIN.md D6, D12, S10, S15", "{regulation} §4.3.1",
         "“{deadline}” đã được gia hạn ngày {extended_on} (đến {due_on}); chỉ được gia hạn một lần.",
         "The {deadline} was already extended on {extended_on} (to {due_on}); it may be extended only once."),
    Rule("extension_too_long", "DOMAIN.md D6, D12, S10, S15", "{regulation} §4.3.1",
         "“{field}” là {days} ngày; “{deadline}” chỉ được gia hạn tối đa {maximum} ngày làm việc.",
         "{field} is {days}; the {deadline} may be extended by at most {maximum} working days."),
    Rule("transfer_same_org", "DOMAIN.md P9, D16", "{regulation} 6.3",
         "Người vào Đảng đã thuộc tổ chức “{org}”.", "The candidate already belongs to '{org}'."),
    Rule("transfer_pending", "DOMAIN.md D16, P9; issue 13 item 6", "{regulation} 6.3.1",
         "Đã chuyển sinh hoạt đảng sang “{org}” ngày {on} và chi bộ nơi đến chưa tiếp nhận: ghi bước “Chi bộ nơi "
         "đến tiếp nhận sinh hoạt đảng” trước khi chuyển tiếp.",
         "A transfer to '{org}' of {on} has not been received yet: record transfer_received before another "
         "transfer."),
    Rule("transfer_not_sent", "DOMAIN.md D16, P9; issue 13 item 6", "{regulation} 6.3.1",
         "Chưa có quyết định chuyển sinh hoạt đảng nào đang chờ chi bộ nơi đến tiếp nhận.",
         "No transfer of party activities is waiting to be received."),
    Rule("transfer_received_before_sent", "DOMAIN.md D16; issue 13 item 6", "{regulation} 6.3.1",
         "Ngày tiếp nhận ({on}) trước ngày chuyển sinh hoạt đảng có hiệu lực ({sent_on}).",
         "The transfer is received ({on}) before it took effect ({sent_on})."),
    Rule("transfer_received_elsewhere", "DOMAIN.md D16, P9; issue 13 item 6", "{regulation} 6.3.1",
         "Sinh hoạt đảng được chuyển đến “{to_org}”, không phải “{org}”: chỉ chi bộ nơi đến tiếp nhận.",
         "The transfer goes to '{to_org}', not '{org}': only the receiving branch receives it."),
    Rule("review_transfer_pending", "DOMAIN.md P9 (UNVERIFIED: which branch votes); issue 13 item 6",
         "{regulation} 6.3.1; ketnap (cấu hình recognition_vote_by)",
         "Đảng viên dự bị đã chuyển sinh hoạt sang “{org}” ngày {on}: chi bộ nơi đến xét công nhận đảng viên chính "
         "thức sau khi tiếp nhận (điểm chưa được kiểm chứng, theo cấu hình).",
         "The probationary member was transferred to '{org}' on {on}: the receiving branch reviews the probation "
         "once it has received the transfer (unverified; a setting)."),
    Rule("review_by_sending_branch", "DOMAIN.md P9 (UNVERIFIED: which branch votes); issue 13 item 6",
         "{regulation} 6.3.1; ketnap (cấu hình recognition_vote_by)",
         "Theo cấu hình, chi bộ chuyển đi (“{org}”) xét công nhận đảng viên chính thức, nhưng “{to_org}” đã tiếp "
         "nhận đảng viên (điểm chưa được kiểm chứng).",
         "By the settings the sending branch ('{org}') reviews the probation, but '{to_org}' has already received "
         "the member (unverified; a setting)."),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def violation(rule_id: str, rules: RuleSet | None, *, field: str | None = None, **params: Any) -> Violation:
    """Build the violation of `rule_id`, filling its sentences with `params`."""
    return RULES[rule_id].violation(rules, field=field, **params)
