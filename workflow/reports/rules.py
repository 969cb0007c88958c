"""Rules of batch operations and of the Excel import, in the shape of states/catalogue.py (id, the document
that explains it, a sentence in Vietnamese and in English), so a refusal reads the same everywhere."""

from typing import Any

from states import labels
from states.catalogue import Rule
from states.errors import StepNotAllowed, Violation
from states.labels import Said

_RULES = [
    Rule("step_not_allowed", "PROCEDURE.md Stages", "ketnap (quy trình)",
         "Bước “{step}” không thực hiện được khi đang ở giai đoạn “{stage}”; các bước được phép: {allowed}.",
         "The step {step} is not allowed in stage {stage}; allowed here: {allowed}."),
    Rule("candidate_not_found", "PROCEDURE.md Steps", "ketnap (dữ liệu nhập)",
         "Không có người vào Đảng mã “{candidate}”.", "There is no candidate with id '{candidate}'."),
    Rule("import_header_missing", "README: Excel import", "ketnap (nhập Excel)",
         "Trang '{sheet}' thiếu cột bắt buộc '{header}'.", "Sheet '{sheet}' lacks the required column '{header}'."),
    Rule("import_date_invalid", "README: Excel import", "ketnap (nhập Excel)",
         "Ô '{header}' có giá trị '{value}' không phải là ngày (dùng ô kiểu ngày hoặc DD/MM/YYYY).",
         "The cell '{header}' holds '{value}', which is not a date (use a date cell or DD/MM/YYYY)."),
    Rule("import_value_invalid", "README: Excel import", "ketnap (nhập Excel)",
         "Ô '{header}' có giá trị '{value}' không hợp lệ; dùng một trong: {allowed}.",
         "The cell '{header}' holds '{value}', which is not valid; use one of: {allowed}."),
    Rule("import_fields_without_date", "README: Excel import", "ketnap (nhập Excel)",
         "Đã điền '{header}' nhưng chưa điền ngày của bước ('{date_header}').",
         "'{header}' is filled in but the step's date ('{date_header}') is empty."),
    Rule("import_duplicate_candidate", "ARCHITECTURE.md decision 1 (nothing recorded twice)", "ketnap (nhập Excel)",
         "{name} (sinh ngày {birth_date}, {org}) đã có {where}.",
         "{name} (born {birth_date}, {org}) is already {where_en}."),
    Rule("import_already_imported", "ARCHITECTURE.md decision 1 (nothing recorded twice)", "ketnap (nhập Excel)",
         "Tệp có cùng nội dung (SHA-256 {sha256}) đã được nhập lúc {recorded_at}.",
         "A file with the same content (SHA-256 {sha256}) was imported at {recorded_at}."),
    Rule("import_file_unreadable", "README: Excel import", "ketnap (nhập Excel)",
         "Không đọc được tệp như một tệp Excel (.xlsx): {reason}.",
         "The file cannot be read as an Excel workbook (.xlsx): {reason}."),
    Rule("import_no_sheet", "README: Excel import", "ketnap (nhập Excel)",
         "Không có trang nào có dòng tiêu đề của mẫu nhập (cột '{header}').",
         "No sheet has the template's header row (column '{header}')."),
]

_RULES += [
    Rule("plan_target_unknown", "README: Plans and reports; docs/ORG_TYPES.md", "ketnap (kế hoạch)",
         "Chỉ tiêu theo đối tượng “{key}” không phải một đối tượng hay nhóm đối tượng; chỉ nhận: {known}.",
         "The sub-target '{key}' names no category or group; known: {known}."),
    Rule("plan_target_over_total", "README: Plans and reports; docs/ORG_TYPES.md", "ketnap (kế hoạch)",
         "Chỉ tiêu theo đối tượng “{heading}” ({target}) vượt tổng chỉ tiêu ({total}).",
         "The sub-target '{key}' ({target}) exceeds the total target ({total})."),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def violation(rule_id: str, *, field: str | None = None, **params: Any) -> Violation:
    return RULES[rule_id].violation(None, field=field, **params)


def not_allowed(err: StepNotAllowed) -> Violation:
    return violation("step_not_allowed", field="step", step=labels.step(err.step),
                     stage=labels.stage(err.stage) if err.stage else Said("(chưa vào danh sách)", "(new)"),
                     allowed=[labels.step(s) for s in err.allowed] or Said("không có", "-"))
