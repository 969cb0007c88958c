"""Excel export: one sheet per table, Vietnamese headers, real Excel dates, percentages as Excel percentages,
column widths set, the header row frozen and filterable (openpyxl)."""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workflow.reports.labels import COUNTED_ON_VI, DEADLINES_VI, SEX_VI, STAGES_VI

Kind = Literal["text", "int", "date", "percent", "auto"]
DATE_FORMAT = "DD/MM/YYYY"  # how Vietnamese documents write dates
FORMATS: dict[str, str] = {"int": "#,##0", "date": DATE_FORMAT, "percent": "0.0%"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_WIDTH, MIN_WIDTH = 60, 8
# A text starting with one of these is read as a formula by Excel or by a spreadsheet importing it (OWASP
# "CSV injection"): `=HYPERLINK(...)` typed as a name would become a live link in every export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]


def _cell_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "percent":
        return float(value) / 100  # stored as a fraction, shown with Excel's % format
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):  # a control character recorded before states/text.py refused it would crash
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # openpyxl (IllegalCharacterError): shown as �
    return value


def _keep_as_text(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    """A value that Excel could read as a formula stays a plain string cell, quote-prefixed so that editing
    it in Excel keeps it text. Numbers (a negative change) are numbers and are left alone."""
    for i, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = ws.cell(row, i)
            cell.data_type, cell.quotePrefix = "s", True


def _format(value: Any, kind: Kind) -> str | None:
    if kind != "auto":
        return FORMATS.get(kind)
    if isinstance(value, date | datetime):
        return DATE_FORMAT
    if isinstance(value, float):
        return "0.0"
    return "#,##0" if isinstance(value, int) and not isinstance(value, bool) else None


def _shown_length(value: Any) -> int:
    return 10 if isinstance(value, date | datetime) else len(str(value)) if value is not None else 0


def fill_sheet(ws: Worksheet, sheet: Sheet) -> None:
    ws.append([c.header for c in sheet.columns])
    widths = [len(c.header) for c in sheet.columns]
    for number, row in enumerate(sheet.rows, start=2):  # not ws.max_row: it scans every cell (quadratic)
        values = [_cell_value(row.get(c.key), c.kind) for c in sheet.columns]
        ws.append(values)
        _keep_as_text(ws, number, values)
        for i, (value, column) in enumerate(zip(values, sheet.columns, strict=True)):
            fmt = _format(value, column.kind)
            if fmt and value is not None:
                ws.cell(number, i + 1).number_format = fmt
            widths[i] = max(widths[i], _shown_length(value))
    for i, cell in enumerate(ws[1]):
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i + 1)].width = min(MAX_WIDTH, max(MIN_WIDTH, widths[i] + 2))
    ws.freeze_panes = "A2"
    if sheet.columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(ws.max_row, 1)}"


TEMPLATE_ROWS = 2000  # rows of a template covered by its lists and date checks; more rows are still read


def validate_column(ws: Worksheet, letter: str, choices: Sequence[str] | None, is_date: bool) -> None:
    """A template column's drop-down list (`choices`) or date check, so that Excel stops a typo before import."""
    if choices is not None:
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                              error="Chọn trong danh sách", errorTitle="Giá trị không hợp lệ")
    elif is_date:
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                              error="Nhập ngày dạng DD/MM/YYYY", errorTitle="Không phải ngày")
    else:
        return
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    ws.add_data_validation(rule)


def sheet_title(text: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31]


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> None:
    book = Workbook()
    default = book.active
    for sheet in sheets:
        fill_sheet(book.create_sheet(sheet_title(sheet.title)), sheet)
    if default is not None and len(book.sheetnames) > 1:
        book.remove(default)
    book.save(path)


# --- lists --------------------------------------------------------------------------------------------------------

CANDIDATE_COLUMNS = [
    Column("id", "Mã"), Column("full_name", "Họ và tên"), Column("birth_date", "Ngày sinh", "date"),
    Column("sex_vi", "Giới tính"), Column("ethnicity", "Dân tộc"), Column("religion", "Tôn giáo"),
    Column("org", "Chi bộ"), Column("stage_vi", "Giai đoạn"), Column("categories", "Đối tượng"),
    Column("identified_on", "Ngày vào danh sách cảm tình Đảng", "date"),
    Column("decided_on", "Ngày quyết định kết nạp", "date"), Column("ceremony_on", "Ngày lễ kết nạp", "date"),
    Column("probation_ends_on", "Ngày hết thời gian dự bị", "date"),
    Column("official_on", "Ngày công nhận chính thức", "date"),
    Column("dropped_on", "Ngày ra khỏi danh sách", "date"),
]


def candidate_sheet(rows: Sequence[Mapping[str, Any]]) -> Sheet:
    shown = [{**r, "sex_vi": SEX_VI.get(r.get("sex") or "", r.get("sex")),
              "stage_vi": STAGES_VI.get(r.get("stage") or "", r.get("stage"))} for r in rows]
    return Sheet("Danh sách", CANDIDATE_COLUMNS, shown)


# --- the admissions report ----------------------------------------------------------------------------------------

def _summary(doc: Mapping[str, Any]) -> Sheet:
    prev, probation, forecast = doc["previous"], doc["probation"], doc["forecast"]
    first_year = doc["membership"][0] if doc["membership"] else {}
    items = [
        ("Tổ chức đảng", f"{doc['org']['name']} ({doc['org']['code']})"), ("Kỳ báo cáo", doc["period"]["label"]),
        ("Từ ngày", doc["period"]["start"]), ("Đến ngày", doc["period"]["end"]), ("Số liệu tính đến", doc["as_of"]),
        ("Kết nạp tính theo", COUNTED_ON_VI[doc["counted_on"]]), ("Số đảng viên mới kết nạp", doc["admissions"]),
        ("Trong đó kết nạp lại", doc["readmissions"]),
        *_historical_items(doc),
        (f"Cùng kỳ ({prev['period']['label']})", prev["admissions"]), ("Tăng (+) / giảm (-)", prev["change"]),
        ("Tăng / giảm so với cùng kỳ (%)", prev["change_percent"]),
        ("Đảng viên đầu năm", first_year.get("members")),
        ("Tỷ lệ kết nạp so với đảng viên đầu năm (%)", doc["rate_percent"]),
        ("Công nhận đảng viên chính thức", probation["recognised"]),
        ("Xóa tên đảng viên dự bị", probation["removed"]),
        ("Dự báo số kết nạp đến cuối kỳ", forecast["expected_total"] if forecast["open_period"] else None),
    ]
    before = doc.get("predecessors")
    if before:
        items += [("Ngày thành lập", before["founded_on"]),
                  ("Kết nạp tại chi bộ của tổ chức tiền thân trước ngày thành lập", before["admissions"]),
                  ("Đã tính số của tổ chức tiền thân", "có" if before["included"] else "không")]
        items += [(f"  {o['name']} ({o['code']})", o["admissions"]) for o in before["organisations"]]
    return Sheet("Tổng hợp", [Column("item", "Nội dung"), Column("value", "Số liệu", "auto")],
                 [{"item": k, "value": v} for k, v in items])


def _historical_items(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    past = doc.get("historical")
    if not past or not past["records"]:
        return []
    return [(f"Trong đó {past['mark_vi']}", past["admissions"]),
            ("Trong đó ghi từng người", doc["recorded_admissions"])]


def _plan_rows(doc: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plans = [{**p, "org": doc["org"]["code"]} for p in doc["plans"]]
    plans += [{**p, "org": unit["code"]} for unit in doc["sub_units"] for p in unit["plans"]]
    totals = [{**p, "start": p["window"]["start"], "end": p["window"]["end"]} for p in plans]
    targets = [{**t, "org": p["org"], "plan": p["name"] or p["source_vi"], "period": p["period"]}
               for p in plans for t in p["targets"]]
    return totals, targets


def _predecessor_sheets(doc: Mapping[str, Any]) -> list[Sheet]:
    """The plans of the organisations that held the branches before the organisation existed: theirs, listed."""
    before = doc.get("predecessors")
    if not before or not before["plans"]:
        return []
    return [Sheet("Kế hoạch tổ chức tiền thân", [
        Column("org", "Mã"), Column("org_name", "Tổ chức tiền thân"), Column("source_vi", "Nguồn chỉ tiêu"),
        Column("name", "Kế hoạch"), Column("document", "Văn bản"), Column("period", "Giai đoạn"),
        Column("total", "Chỉ tiêu", "int"), Column("rate_percent", "Tỷ lệ chỉ tiêu (%)", "auto")], before["plans"])]


def report_sheets(doc: Mapping[str, Any]) -> list[Sheet]:
    totals, targets = _plan_rows(doc)
    pipeline = doc["pipeline"]
    return [*_report_sheets(doc, totals, targets, pipeline), *_predecessor_sheets(doc), *_historical_sheets(doc)]


def _historical_sheets(doc: Mapping[str, Any]) -> list[Sheet]:
    """The historical records the report counted or left out (workflow/reports/historical.py), marked."""
    past = doc.get("historical")
    if not past or not (past["records"] or past["partial"]):
        return []
    rows = [{**r, "counted": "có"} for r in past["records"]]
    rows += [{**r, "counted": "không: " + r["note_vi"]} for r in past["partial"]]
    return [Sheet("Số liệu lịch sử", [
        Column("org", "Mã tổ chức"), Column("period", "Kỳ"), Column("admitted", "Số kết nạp", "int"),
        Column("readmitted", "Kết nạp lại", "int"), Column("source", "Nguồn số liệu"),
        Column("counted", "Tính vào báo cáo (số liệu lịch sử, không xét lại)")], rows)]


def _report_sheets(doc: Mapping[str, Any], totals: list[dict[str, Any]], targets: list[dict[str, Any]],
                   pipeline: Mapping[str, Any]) -> list[Sheet]:
    return [
        _summary(doc),
        Sheet("Kế hoạch", [Column("org", "Đơn vị"), Column("source_vi", "Nguồn chỉ tiêu"), Column("name", "Kế hoạch"),
                           Column("document", "Văn bản"), Column("period", "Giai đoạn"),
                           Column("start", "Tính từ", "date"), Column("end", "Tính đến", "date"),
                           Column("target", "Chỉ tiêu", "int"), Column("admissions", "Đã kết nạp", "int"),
                           Column("percent", "Tỷ lệ đạt", "percent")], totals),
        Sheet("Chỉ tiêu theo đối tượng", [Column("org", "Đơn vị"), Column("plan", "Kế hoạch"),
                                          Column("period", "Giai đoạn"), Column("heading", "Đối tượng"),
                                          Column("target", "Chỉ tiêu", "int"),
                                          Column("admissions", "Đã kết nạp", "int"),
                                          Column("percent", "Tỷ lệ đạt", "percent")], targets),
        Sheet("Theo đối tượng", [Column("heading", "Đối tượng"), Column("admissions", "Số kết nạp", "int"),
                                 Column("percent_of_admissions", "Tỷ lệ trong tổng số", "percent")],
              doc["categories"]),
        Sheet("Theo đơn vị", [Column("code", "Mã"), Column("name", "Đơn vị"), Column("admissions", "Số kết nạp", "int"),
                              Column("previous", "Cùng kỳ năm trước", "int"),
                              Column("members", "Đảng viên đầu năm", "int"),
                              Column("rate_percent", "Tỷ lệ kết nạp", "percent")], doc["sub_units"]),
        Sheet("Theo tháng", [Column("month", "Tháng"), Column("admissions", "Số kết nạp", "int")], doc["months"]),
        Sheet("Đảng viên đầu năm", [Column("year", "Năm"), Column("members", "Đảng viên đầu năm", "int"),
                                    Column("admissions", "Số kết nạp", "int"),
                                    Column("rate_percent", "Tỷ lệ kết nạp", "percent")], doc["membership"]),
        Sheet("Tiến độ", [Column("stage_vi", "Giai đoạn"), Column("count", "Số người", "int")],
              [{"stage_vi": STAGES_VI[s], "count": n} for s, n in pipeline["stages"].items()]),
        Sheet("Quá hạn", [Column("id", "Mã"), Column("full_name", "Họ và tên"), Column("org", "Chi bộ"),
                          Column("kind_vi", "Việc quá hạn"), Column("due_on", "Hạn", "date"),
                          Column("working_days_overdue", "Số ngày làm việc quá hạn", "int")],
              [{**o, "kind_vi": DEADLINES_VI.get(o["kind"], o["kind"])} for o in pipeline["overdue_items"]]),
    ]


def class_sheets(stats: Mapping[str, Any], rosters: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Sheet]:
    classes = Sheet("Các lớp", [Column("code", "Mã lớp"), Column("name", "Tên lớp"),
                                Column("organiser", "Đơn vị tổ chức"), Column("starts_on", "Khai giảng", "date"),
                                Column("ends_on", "Bế giảng", "date"), Column("trainees", "Số học viên", "int"),
                                Column("certified", "Được cấp giấy chứng nhận", "int"),
                                Column("from_enterprises", "Từ doanh nghiệp", "int"), Column("women", "Nữ", "int"),
                                Column("branches", "Số chi bộ", "int")], stats["classes"])
    return [classes, *(Sheet(f"Lớp {code}", CANDIDATE_COLUMNS, candidate_sheet(rows).rows)
                       for code, rows in rosters.items())]
