"""The words a person reads for the engine's codes: step, field, option and level labels, in vi and en.

They live in states/ because rule sentences (states/catalogue.py) name fields and values by these labels; the
web (workflow/web/i18n.py) and the CLI read the same tables, so a field is called the same everywhere.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

STAGES: dict[str, tuple[str, str]] = {
    "identified": ("Quần chúng ưu tú", "Identified"),
    "mentored": ("Được phân công giúp đỡ", "Mentored"),
    "training_class": ("Học lớp nhận thức về Đảng", "Training class"),
    "vetted": ("Đã thẩm tra lý lịch", "Vetted"),
    "admitted": ("Có quyết định kết nạp", "Admitted"),
    "probationary": ("Đảng viên dự bị", "Probationary member"),
    "official": ("Đảng viên chính thức", "Official member"),
    "dropped": ("Không tiếp tục / xóa tên", "Dropped"),
}

STEPS: dict[str, tuple[str, str]] = {
    "identify": ("Đưa vào danh sách quần chúng ưu tú", "Identify an outstanding person"),
    "assign_helper": ("Phân công đảng viên giúp đỡ", "Assign a helper"),
    "enrol_training": ("Cử đi học lớp nhận thức về Đảng", "Enrol in the awareness course"),
    "certify_training": ("Giấy chứng nhận lớp nhận thức về Đảng", "Awareness course certificate"),
    "submit_application": ("Nộp đơn xin vào Đảng", "Submit the application"),
    "declare_history": ("Khai lý lịch người xin vào Đảng", "Declare the personal history"),
    "conclude_vetting": ("Kết luận thẩm tra lý lịch", "Conclude the background check"),
    "introduce": ("Đảng viên / đoàn thể giới thiệu", "Introductions"),
    "collect_comments": ("Lấy ý kiến nhận xét", "Collect comments"),
    "branch_vote": ("Chi bộ biểu quyết đề nghị kết nạp", "Branch vote"),
    "committee_vote": ("Đảng ủy cơ sở biểu quyết", "Committee vote"),
    "decide_admission": ("Quyết định kết nạp", "Admission decision"),
    "hold_ceremony": ("Lễ kết nạp", "Admission ceremony"),
    "submit_member_history": ("Khai lý lịch đảng viên", "Party-member history"),
    "certify_new_member_course": ("Giấy chứng nhận lớp đảng viên mới", "New-member course certificate"),
    "review_vote": ("Chi bộ xét công nhận chính thức", "Branch probation review vote"),
    "committee_review_vote": ("Đảng ủy cơ sở xét công nhận", "Committee probation review vote"),
    "recognise_official": ("Quyết định công nhận đảng viên chính thức", "Recognition as an official member"),
    "extend_deadline": ("Gia hạn thời hạn quyết định", "Extend a decision deadline"),
    "drop": ("Đưa ra khỏi danh sách / xóa tên", "Drop"),
    "transfer": ("Chuyển sinh hoạt", "Transfer"),
    "transfer_probationary": ("Chuyển sinh hoạt đảng của đảng viên dự bị", "Transfer a probationary member"),
    "transfer_received": ("Chi bộ nơi đến tiếp nhận sinh hoạt đảng", "Transfer received"),
    "correct": ("Sửa một bước đã ghi", "Correct an earlier step"),
}

FIELDS: dict[str, tuple[str, str]] = {
    "on": ("Ngày ghi trên văn bản", "Date on the document"),
    "org": ("Chi bộ (mã)", "Branch (code)"),
    "full_name": ("Họ và tên", "Full name"),
    "birth_date": ("Ngày sinh", "Birth date"),
    "sex": ("Giới tính", "Sex"),
    "education": ("Trình độ học vấn", "Education"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "religion": ("Tôn giáo", "Religion"),
    "youth_union": ("Đoàn viên TNCS Hồ Chí Minh", "Youth Union member"),
    "trade_union": ("Đoàn viên công đoàn", "Trade Union member"),
    "categories": ("Đối tượng", "Categories"),
    "remote_area": ("Vùng cao, biên giới, hải đảo, dân tộc thiểu số", "Remote or ethnic-minority area"),
    "village_elder": ("Già làng, người có uy tín", "Village elder or prestigious person"),
    "helper": ("Đảng viên giúp đỡ", "Helper (official member)"),
    "class_name": ("Tên lớp", "Class"),
    "certificate_no": ("Số giấy chứng nhận", "Certificate number"),
    "issued_on": ("Ngày cấp", "Issued on"),
    "conclusion": ("Kết luận", "Conclusion"),
    "certified_by": ("Cơ quan kết luận", "Certified by"),
    "introducers": ("Người giới thiệu", "Introducers"),
    "name": ("Họ tên", "Name"),
    "official_since": ("Là đảng viên chính thức từ", "Official member since"),
    "months_together": ("Số tháng cùng công tác", "Months worked together"),
    "union_resolution": ("Nghị quyết giới thiệu của đoàn thể", "Union resolution"),
    "body": ("Đoàn thể", "Body"),
    "number": ("Số nghị quyết", "Number"),
    "sources": ("Nguồn nhận xét", "Comment sources"),
    "official_members": ("Số đảng viên chính thức", "Official members"),
    "in_favour": ("Số tán thành", "In favour"),
    "resolution_no": ("Số nghị quyết", "Resolution number"),
    "present": ("Số có mặt", "Present"),
    "temporarily_elsewhere": ("Số đảng viên sinh hoạt tạm thời nơi khác", "Members temporarily active elsewhere"),
    "exempted_absent": ("Số đảng viên được miễn sinh hoạt, vắng mặt", "Exempted members absent"),
    "convened": ("Số đảng viên chính thức được triệu tập", "Official members convened"),
    "against": ("Số không tán thành", "Against"),
    "chair": ("Chủ trì cuộc họp", "Chair of the meeting"),
    "secretary": ("Thư ký cuộc họp", "Secretary of the meeting"),
    "signer": ("Người ký", "Signed by"),
    "committee_members": ("Số cấp ủy viên", "Committee members"),
    "decision_no": ("Số quyết định", "Decision number"),
    "decided_by": ("Cấp ủy quyết định (mã)", "Decided by (code)"),
    "received_on": ("Ngày chi bộ nhận quyết định", "Received by the branch on"),
    "consent_ref": ("Văn bản đồng ý (trên 60 tuổi)", "Consent (over 60)"),
    "probation_helper": ("Đảng viên giúp đỡ thời kỳ dự bị", "Probation helper"),
    "previous_membership": ("Đã từng là đảng viên (kết nạp lại)", "Previous membership (re-admission)"),
    "admitted_on": ("Ngày kết nạp lần trước", "Admitted on (previously)"),
    "left_on": ("Ngày ra khỏi Đảng", "Left the Party on"),
    "left_reason": ("Lý do ra khỏi Đảng", "Reason for leaving"),
    "convicted": ("Đã bị kết án (tội ít nghiêm trọng)", "Convicted (less serious crime)"),
    "record_cleared_on": ("Ngày được xóa án tích", "Criminal record cleared on"),
    "readmitted_before": ("Đã được kết nạp lại một lần", "Already re-admitted once"),
    "readmission_consent": ("Văn bản đồng ý kết nạp lại của ban thường vụ tỉnh ủy, thành ủy",
                            "Provincial standing committee's consent to re-admission"),
    "document_no": ("Số văn bản", "Document number"),
    "signed_on": ("Ngày ký", "Signed on"),
    "recommendation": ("Đề nghị", "Recommendation"),
    "reason": ("Lý do", "Reason"),
    "deadline": ("Thời hạn được gia hạn", "Deadline extended"),
    "extra_working_days": ("Số ngày làm việc gia hạn", "Extra working days"),
    "note": ("Ghi chú", "Note"),
    "to_org": ("Chuyển đến (mã tổ chức)", "To organisation (code)"),
    "transfer_ref": ("Số giấy giới thiệu sinh hoạt đảng", "Transfer paper number"),
    "corrects": ("Sửa bước số (phiên bản)", "Corrects version"),
    "fields": ("Giá trị đúng (JSON)", "Corrected values (JSON)"),
}

OPTIONS: dict[str, tuple[str, str]] = {
    "F": ("Nữ", "Female"), "M": ("Nam", "Male"),
    "none": ("Chưa qua đào tạo", "None"), "primary": ("Tiểu học", "Primary"),
    "lower_secondary": ("Trung học cơ sở", "Lower secondary"),
    "upper_secondary": ("Trung học phổ thông", "Upper secondary"), "college": ("Cao đẳng", "College"),
    "university": ("Đại học", "University"), "postgraduate": ("Sau đại học", "Postgraduate"),
    "student": ("Học sinh, sinh viên", "Student"),
    "private_enterprise": ("Doanh nghiệp tư nhân", "Private enterprise"),
    "state_enterprise": ("Doanh nghiệp nhà nước", "State enterprise"),
    "public_servant": ("Cán bộ, công chức, viên chức", "Public servant"),
    "armed_forces": ("Lực lượng vũ trang", "Armed forces"), "farmer": ("Nông dân", "Farmer"),
    "worker": ("Công nhân", "Worker"), "teacher": ("Giáo viên", "Teacher"),
    "health_worker": ("Y tế", "Health worker"), "other": ("Khác", "Other"),
    "cleared": ("Đạt", "Cleared"), "not_cleared": ("Không đạt", "Not cleared"),
    "youth_union": ("Đoàn TNCS Hồ Chí Minh", "Youth Union"), "trade_union": ("Công đoàn", "Trade Union"),
    "residence": ("Chi ủy, ban công tác mặt trận nơi cư trú", "Place of residence"),
    "mass_organisations": ("Đoàn thể chính trị - xã hội", "Mass organisations"),
    "recognise": ("Công nhận đảng viên chính thức", "Recognise"), "remove": ("Xóa tên", "Remove"),
    "off_list": ("Đưa ra khỏi danh sách", "Taken off the list"),
    "vetting_failed": ("Thẩm tra không đạt", "Vetting failed"), "vote_failed": ("Biểu quyết không đạt",
                                                                               "Vote failed"),
    "not_admitted": ("Không được kết nạp", "Not admitted"),
    "removed_from_probation": ("Xóa tên trong thời kỳ dự bị", "Removed during probation"),
    "withdrew": ("Tự rút", "Withdrew"), "deceased": ("Từ trần", "Deceased"),
    "abandoned_activities": ("Tự ý bỏ sinh hoạt đảng", "Abandoned party activities"),
    "asked_to_leave": ("Xin ra khỏi Đảng", "Asked to leave"),
    "serious_disunity": ("Gây mất đoàn kết nội bộ nghiêm trọng", "Caused serious disunity"),
    "corruption_conviction": ("Bị kết án về tội tham nhũng", "Convicted of corruption"),
    "serious_crime_conviction": ("Bị kết án về tội phạm nghiêm trọng trở lên", "Convicted of a serious crime"),
    "family_hardship": ("Xin ra khỏi Đảng vì hoàn cảnh gia đình đặc biệt khó khăn",
                        "Left for especially difficult family reasons"),
    "population_policy": ("Vi phạm chính sách dân số, kế hoạch hóa gia đình",
                          "Population or family-planning violation"),
    "expelled": ("Bị khai trừ (lý do khác)", "Expelled (other reason)"),
    "struck_off": ("Bị xóa tên (lý do khác)", "Struck off (other reason)"),
    "admission_decision": ("Thời hạn quyết định kết nạp", "Admission decision deadline"),
    "recognition_decision": ("Thời hạn quyết định công nhận đảng viên chính thức",
                             "Recognition decision deadline"),
    "transfer_presentation": ("Thời hạn xuất trình giấy giới thiệu sinh hoạt đảng",
                              "Deadline to present the transfer"),
}

LEVELS: dict[str, tuple[str, str]] = {  # states/organisations.py LEVELS
    "province": ("Đảng bộ tỉnh, thành phố", "Province"),
    "commune": ("Đảng bộ xã, phường, đặc khu", "Commune, ward or special zone"),
    "upper": ("Cấp trên trực tiếp cơ sở", "Upper level"),
    "grassroots": ("Đảng bộ cơ sở", "Grassroots committee"),
    "branch": ("Chi bộ", "Branch"),
}

_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# Names that appear in violations without being a field of a step's model.
FIELDS.update({
    "certificate": ("Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng", "Party-awareness course certificate"),
    "kind": ("Loại thay đổi", "Kind of change"),
    "code": ("Mã tổ chức", "Organisation code"),
    "parent": ("Trực thuộc (mã)", "Parent (code)"),
    "password": ("Mật khẩu", "Password"),
    "step": ("Bước", "Step"),
    "decision": ("Số quyết định", "Decision"),
    "issuer": ("Cơ quan ban hành", "Issued by"),
    "level": ("Cấp", "Level"),
    "org_type": ("Loại hình tổ chức cơ sở đảng", "Organisation type"),
    "targets": ("Chỉ tiêu theo đối tượng", "Sub-targets"),
    "admits": ("Được ủy quyền kết nạp", "Authorised to admit"),
    "into": ("Hợp nhất vào (mã)", "Merged into (code)"),
    "parts": ("Phân chia", "Parts"),
    "event": ("Sự kiện", "Event"),
    # historical records (states/history_records.py)
    "period": ("Kỳ số liệu", "Period"),
    "admitted": ("Số kết nạp", "Admitted"),
    "readmitted": ("Số kết nạp lại", "Re-admitted"),
    "source": ("Nguồn số liệu", "Source"),
    "version": ("Lần ghi", "Entry"),
    "file": ("Tệp", "File"),
})


@dataclass(frozen=True)
class Said:
    """One thing said in both languages: a label, a date, a list, a translated detail of a rule's sentence."""

    vi: str
    en: str

    def __str__(self) -> str:
        return self.en


def pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The label of `key` in `lang`; an unknown key shows itself, so nothing is ever blank."""
    pair = table.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[0] if lang == "vi" else pair[1]


def both(table: dict[str, tuple[str, str]], key: str) -> Said:
    """The Vietnamese label, and in English the code itself: English messages name what a program sends."""
    return Said(pick(table, key, "vi"), key)


def option(value: str) -> Said:
    return both(OPTIONS, value)


def stage(name: str) -> Said:
    return both(STAGES, name)


def step(name: str) -> Said:
    return both(STEPS, name)


def level(value: str) -> Said:
    return both(LEVELS, value)


_PART = re.compile(r"([A-Za-z_]+)|\[(\d+)\]|\.(\d+)")


def field(name: str) -> Said:
    """`introducers[0].months_together` -> "Số tháng cùng công tác (Người giới thiệu thứ 1)": the last part's
    label, then the parts it sits in, outermost last. In English, the name as sent."""
    names: list[str] = []
    index: dict[int, int] = {}
    for m in _PART.finditer(name or "fields"):
        if m.group(1):
            names.append(m.group(1))
        else:
            index[len(names) - 1] = int(m.group(2) or m.group(3))
    if not names:
        return Said(name, name)
    parts = [FIELDS.get(key, (key, key))[0] + (f" thứ {index[i] + 1}" if i in index else "")
             for i, key in enumerate(names)]
    if len(parts) == 1:
        return Said(parts[0], name)
    return Said(f"{parts[-1]} ({', '.join(reversed(parts[:-1]))})", name)


def day(value: date) -> Said:
    """dd/mm/yyyy for people reading Vietnamese, ISO in English."""
    return Said(value.strftime("%d/%m/%Y"), value.isoformat())


def said(value: Any) -> Said:
    """Any parameter of a sentence in both languages: dates the local way, lists joined, the rest as text."""
    if isinstance(value, Said):
        return value
    if isinstance(value, bool):
        return Said("có" if value else "không", "yes" if value else "no")
    if isinstance(value, datetime):  # stored in UTC (naive on SQLite); people read Vietnam time, named
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return Said(moment.astimezone(_VIETNAM).strftime("%d/%m/%Y %H:%M (giờ Việt Nam)"),
                    moment.isoformat(timespec="minutes"))
    if isinstance(value, date):
        return day(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [said(v) for v in value]
        return Said(", ".join(i.vi for i in items), ", ".join(i.en for i in items))
    return Said(str(value), str(value))
