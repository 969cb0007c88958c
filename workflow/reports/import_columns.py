"""The columns of the import workbook: one row per candidate, one group of columns per PROCEDURE.md step (the
step's date, then its fields), with Vietnamese headers and the Vietnamese words accepted in each cell."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from states import labels
from states.errors import Violation
from states.fields import Category, DropReason, Education, LeftReason
from workflow.reports.categories import OCCUPATIONS
from workflow.reports.labels import DROP_REASONS_VI
from workflow.reports.rules import violation


@dataclass(frozen=True)
class Col:
    step: str
    field: str  # the step's field path ("introducers.0.name"); "on" is the step's date
    header: str
    kind: str = "text"  # text, date, int, bool, categories, or a key of ENUMS (sex, education, left_reason...)
    required: bool = False
    hint: str = ""

    @property
    def is_date_of_step(self) -> bool:
        return self.field == "on" or (self.step in DATE_FROM_FIELD and self.field == DATE_FROM_FIELD[self.step])


# A certificate's step is dated by its issue date: one column instead of two equal dates.
DATE_FROM_FIELD = {"certify_training": "issued_on", "certify_new_member_course": "issued_on"}
# Fields the import fills itself: a cleared vetting (not_cleared is refused, G8) and both comment sources (S7).
CONSTANTS: dict[str, dict[str, Any]] = {
    "conclude_vetting": {"conclusion": "cleared"},
    "collect_comments": {"sources": ["residence", "mass_organisations"]},
}


def _intro(n: int, word: str) -> list[Col]:
    return [Col("introduce", f"introducers.{n}.name", f"Người giới thiệu thứ {word}"),
            Col("introduce", f"introducers.{n}.official_since", f"Ngày vào Đảng chính thức của người giới thiệu "
                f"thứ {word}", "date"),
            Col("introduce", f"introducers.{n}.months_together", f"Số tháng cùng công tác với người giới thiệu "
                f"thứ {word}", "int")]


COLUMNS: list[Col] = [
    Col("identify", "org", "Mã chi bộ", required=True, hint="Mã của chi bộ (ketnap org list)"),
    Col("identify", "full_name", "Họ và tên", required=True),
    Col("identify", "birth_date", "Ngày sinh", "date", required=True, hint="DD/MM/YYYY"),
    Col("identify", "sex", "Giới tính", "sex", required=True, hint="Nam / Nữ"),
    Col("identify", "education", "Trình độ học vấn", "education", required=True,
        hint="Tiểu học, THCS, THPT, Cao đẳng, Đại học, Sau đại học"),
    Col("identify", "ethnicity", "Dân tộc"),
    Col("identify", "religion", "Tôn giáo", hint="để trống hoặc 'Không' nếu không theo tôn giáo"),
    Col("identify", "youth_union", "Đoàn viên", "bool", hint="x hoặc Có"),
    Col("identify", "trade_union", "Công đoàn viên", "bool", hint="x hoặc Có"),
    Col("identify", "categories", "Đối tượng", "categories", hint="cách nhau bởi dấu chấm phẩy (;)"),
    Col("identify", "remote_area", "Vùng sâu, vùng xa, miền núi, hải đảo", "bool"),
    Col("identify", "village_elder", "Già làng, người có uy tín", "bool"),
    *(Col("identify", f"previous_membership.{field}", header, kind, hint=hint) for field, header, kind, hint in (
        ("admitted_on", "Kết nạp lại: ngày vào Đảng lần trước", "date", "chỉ điền khi kết nạp lại (R1-R3)"),
        ("left_on", "Kết nạp lại: ngày ra khỏi Đảng", "date", ""),
        ("left_reason", "Kết nạp lại: lý do ra khỏi Đảng", "left_reason", ""),
        ("convicted", "Kết nạp lại: đã bị kết án (tội ít nghiêm trọng)", "bool", "x hoặc Có"),
        ("record_cleared_on", "Kết nạp lại: ngày được xóa án tích", "date", ""),
        ("readmitted_before", "Kết nạp lại: đã từng được kết nạp lại", "bool", "x hoặc Có"))),
    Col("identify", "on", "Ngày vào danh sách cảm tình Đảng", "date", required=True),
    Col("assign_helper", "on", "Ngày phân công giúp đỡ", "date"),
    Col("assign_helper", "helper", "Đảng viên được phân công giúp đỡ"),
    Col("enrol_training", "on", "Ngày vào lớp bồi dưỡng nhận thức về Đảng", "date"),
    Col("enrol_training", "class_name", "Tên lớp bồi dưỡng"),
    Col("certify_training", "issued_on", "Ngày cấp giấy chứng nhận bồi dưỡng", "date"),
    Col("certify_training", "certificate_no", "Số giấy chứng nhận bồi dưỡng"),
    Col("submit_application", "on", "Ngày nộp đơn xin vào Đảng", "date"),
    Col("declare_history", "on", "Ngày khai lý lịch", "date"),
    Col("conclude_vetting", "on", "Ngày kết luận thẩm tra lý lịch", "date"),
    Col("conclude_vetting", "certified_by", "Cơ quan thẩm tra, kết luận"),
    Col("introduce", "on", "Ngày giới thiệu", "date"),
    *_intro(0, "nhất"), *_intro(1, "hai"),
    Col("introduce", "union_resolution.body", "Nghị quyết giới thiệu của", "union_body", hint="Đoàn / Công đoàn"),
    Col("introduce", "union_resolution.number", "Số nghị quyết giới thiệu"),
    Col("introduce", "union_resolution.on", "Ngày nghị quyết giới thiệu", "date"),
    Col("collect_comments", "on", "Ngày tổng hợp nhận xét (nơi cư trú, đoàn thể)", "date"),
    Col("branch_vote", "on", "Ngày chi bộ xét đề nghị kết nạp", "date"),
    Col("branch_vote", "official_members", "Số đảng viên chính thức của chi bộ", "int"),
    Col("branch_vote", "in_favour", "Số đảng viên tán thành kết nạp", "int"),
    Col("branch_vote", "resolution_no", "Số nghị quyết chi bộ"),
    # issue 13 item 3 (V1, QĐ294 §9.3.2): who is left out of the denominator; blank: none
    Col("branch_vote", "temporarily_elsewhere", "Số đảng viên sinh hoạt tạm thời nơi khác (xét kết nạp)", "int"),
    Col("branch_vote", "exempted_absent", "Số đảng viên được miễn sinh hoạt vắng mặt (xét kết nạp)", "int"),
    Col("branch_vote", "present", "Số đảng viên có mặt (xét kết nạp)", "int"),
    Col("committee_vote", "on", "Ngày đảng ủy cơ sở xét kết nạp", "date"),
    Col("committee_vote", "committee_members", "Số cấp ủy viên", "int"),
    Col("committee_vote", "in_favour", "Số cấp ủy viên tán thành kết nạp", "int"),
    Col("decide_admission", "on", "Ngày quyết định kết nạp", "date"),
    Col("decide_admission", "decision_no", "Số quyết định kết nạp"),
    Col("decide_admission", "decided_by", "Mã cấp ủy quyết định kết nạp"),
    Col("decide_admission", "received_on", "Ngày chi bộ nhận quyết định", "date"),
    Col("decide_admission", "consent_ref", "Văn bản đồng ý của cấp trên (trên 60 tuổi, già làng)"),
    Col("decide_admission", "readmission_consent.document_no", "Số văn bản đồng ý kết nạp lại của cấp trên"),
    Col("decide_admission", "readmission_consent.signed_on", "Ngày văn bản đồng ý kết nạp lại", "date"),
    Col("hold_ceremony", "on", "Ngày lễ kết nạp", "date"),
    Col("hold_ceremony", "probation_helper", "Đảng viên giúp đỡ đảng viên dự bị"),
    Col("submit_member_history", "on", "Ngày hoàn thành lý lịch đảng viên", "date"),
    Col("certify_new_member_course", "issued_on", "Ngày cấp giấy chứng nhận lớp đảng viên mới", "date"),
    Col("certify_new_member_course", "certificate_no", "Số giấy chứng nhận lớp đảng viên mới"),
    # issue 13 item 6 (D16, P9): a probationary member transferred to another branch and received there; the
    # receiving branch is the one the transfer names (COPIED)
    Col("transfer_probationary", "on", "Ngày chuyển sinh hoạt đảng (đảng viên dự bị)", "date"),
    Col("transfer_probationary", "to_org", "Mã chi bộ nơi chuyển đến"),
    Col("transfer_probationary", "transfer_ref", "Số giấy giới thiệu sinh hoạt đảng"),
    Col("transfer_received", "on", "Ngày chi bộ nơi đến tiếp nhận", "date"),
    Col("review_vote", "on", "Ngày chi bộ xét công nhận chính thức", "date"),
    Col("review_vote", "official_members", "Số đảng viên chính thức khi xét chính thức", "int"),
    Col("review_vote", "in_favour", "Số đảng viên tán thành khi xét chính thức", "int"),
    Col("review_vote", "temporarily_elsewhere", "Số đảng viên sinh hoạt tạm thời nơi khác (xét chính thức)", "int"),
    Col("review_vote", "exempted_absent", "Số đảng viên được miễn sinh hoạt vắng mặt (xét chính thức)", "int"),
    Col("review_vote", "present", "Số đảng viên có mặt (xét chính thức)", "int"),
    Col("review_vote", "recommendation", "Chi bộ đề nghị", "recommendation", hint="Công nhận / Xóa tên"),
    Col("committee_review_vote", "on", "Ngày đảng ủy cơ sở xét công nhận chính thức", "date"),
    Col("committee_review_vote", "committee_members", "Số cấp ủy viên khi xét chính thức", "int"),
    Col("committee_review_vote", "in_favour", "Số cấp ủy viên tán thành khi xét chính thức", "int"),
    Col("recognise_official", "on", "Ngày quyết định công nhận chính thức", "date"),
    Col("recognise_official", "decision_no", "Số quyết định công nhận chính thức"),
    Col("recognise_official", "decided_by", "Mã cấp ủy quyết định công nhận"),
    Col("drop", "on", "Ngày đưa ra khỏi danh sách / xóa tên", "date"),
    Col("drop", "reason", "Lý do", "reason"),
    Col("drop", "decision_no", "Số quyết định xóa tên"),
    Col("drop", "note", "Ghi chú"),
]
STEP_ORDER = list(dict.fromkeys(c.step for c in COLUMNS))
# Fields a step takes from another step of the same row: (step, field) -> (step, field)
COPIED: dict[tuple[str, str], tuple[str, str]] = {("transfer_received", "to_org"): ("transfer_probationary", "to_org")}
assert len({c.header for c in COLUMNS}) == len(COLUMNS), "headers must be unique"


def fold(text: str) -> str:
    """How headers and words are compared: NFC, case-folded, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


class Words:
    """The words accepted for one coded cell: the code itself or any of its Vietnamese names."""

    def __init__(self, pairs: dict[str, list[str]]) -> None:
        self.lookup = {fold(word): code for code, words in pairs.items() for word in [code, *words]}
        self.shown = [words[0] if words else code for code, words in pairs.items()]

    def get(self, value: Any) -> str | None:
        return self.lookup.get(fold(str(value)))


SEX = Words({"M": ["Nam"], "F": ["Nữ", "Nu"]})
EDUCATION = Words({
    Education.NONE.value: ["Không", "Chưa đi học"], Education.PRIMARY.value: ["Tiểu học"],
    Education.LOWER_SECONDARY.value: ["THCS", "Trung học cơ sở"],
    Education.UPPER_SECONDARY.value: ["THPT", "Trung học phổ thông"], Education.COLLEGE.value: ["Cao đẳng"],
    Education.UNIVERSITY.value: ["Đại học"], Education.POSTGRADUATE.value: ["Sau đại học", "Thạc sĩ", "Tiến sĩ"]})
CATEGORIES = Words({c.value: [OCCUPATIONS[c.value]] for c in Category}
                   | {"student": [OCCUPATIONS["student"], "Học sinh", "Sinh viên"],
                      "private_enterprise": [OCCUPATIONS["private_enterprise"], "Doanh nghiệp tư nhân"]})
RECOMMENDATION = Words({"recognise": ["Công nhận", "Công nhận chính thức"], "remove": ["Xóa tên", "Xoá tên"]})
REASON = Words({r.value: [DROP_REASONS_VI[r.value]] for r in DropReason})
LEFT_REASON = Words({r.value: [labels.option(r.value).vi] for r in LeftReason})
UNION_BODY = Words({"youth_union": ["Đoàn", "Đoàn thanh niên", "Đoàn TNCS Hồ Chí Minh"],
                    "trade_union": ["Công đoàn"]})
YES, NO = {"x", "có", "co", "c", "yes", "y", "1", "true", "đúng"}, {"không", "khong", "k", "no", "n", "0", "false"}
ENUMS = {"sex": SEX, "education": EDUCATION, "recommendation": RECOMMENDATION, "reason": REASON,
         "union_body": UNION_BODY, "left_reason": LEFT_REASON}
DATE_TEXT = [re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")]


class CellError(Exception):
    def __init__(self, found: Violation) -> None:
        super().__init__(found.message_en)
        self.violation = found


def _date(value: Any, col: Col) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel  # a cell read by openpyxl, already loaded (issue 14)

        moment = from_excel(value)
        if isinstance(moment, datetime):
            return moment.date()
    text = str(value).strip()
    for i, pattern in enumerate(DATE_TEXT):
        match = pattern.match(text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            try:
                return date(c, b, a) if i == 0 else date(a, b, c)
            except ValueError:
                break
    raise CellError(violation("import_date_invalid", field=col.field, header=col.header, value=value))


def _enum(value: Any, col: Col, words: Words) -> str:
    found = words.get(value)
    if found is None:
        raise CellError(violation("import_value_invalid", field=col.field, header=col.header, value=value,
                                  allowed=words.shown))
    return found


def _categories(value: Any, col: Col) -> list[str]:
    whole = CATEGORIES.get(value)
    if whole is not None:
        return [whole]
    parts = [p for chunk in re.split(r"[;\n]", str(value))
             for p in ([chunk] if CATEGORIES.get(chunk) else chunk.split(","))]
    return list(dict.fromkeys(_enum(p, col, CATEGORIES) for p in parts if p.strip()))


def _bool(value: Any, col: Col) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(str(value))
    if word in YES or word in NO:
        return word in YES
    raise CellError(violation("import_value_invalid", field=col.field, header=col.header, value=value,
                              allowed=["x", "Có", "Không"]))


def _int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value  # left to the step's field validation, which names the field


def parse_cell(value: Any, col: Col) -> Any:
    """The cell's value in the engine's terms; None for an empty cell.

    Raises:
        CellError: the cell is not a date, or not one of the accepted words.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if col.kind == "date":
        return _date(value, col)
    if col.kind == "bool":
        return _bool(value, col)
    if col.kind == "int":
        return _int(value)
    if col.kind == "categories":
        return _categories(value, col)
    if col.kind in ENUMS:
        return _enum(value, col, ENUMS[col.kind])
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value).strip())
