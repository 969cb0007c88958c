"""`ketnap import template FILE`: the import workbook with Vietnamese headers, a note on every header, lists
to pick coded values from, date checks, and a sheet that explains every column."""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflow.reports.import_columns import COLUMNS, ENUMS, Col
from workflow.reports.xlsx import Column, Sheet, fill_sheet, validate_column

DATA_SHEET = "Người vào Đảng"
STEP_VI = {
    "identify": "Đưa vào danh sách cảm tình Đảng", "assign_helper": "Phân công đảng viên giúp đỡ",
    "enrol_training": "Học lớp bồi dưỡng", "certify_training": "Giấy chứng nhận bồi dưỡng",
    "submit_application": "Đơn xin vào Đảng", "declare_history": "Lý lịch người xin vào Đảng",
    "conclude_vetting": "Thẩm tra lý lịch", "introduce": "Giới thiệu vào Đảng",
    "collect_comments": "Nhận xét nơi cư trú, đoàn thể", "branch_vote": "Chi bộ xét kết nạp",
    "committee_vote": "Đảng ủy cơ sở xét kết nạp", "decide_admission": "Quyết định kết nạp",
    "hold_ceremony": "Lễ kết nạp", "submit_member_history": "Lý lịch đảng viên",
    "certify_new_member_course": "Lớp đảng viên mới", "review_vote": "Chi bộ xét công nhận chính thức",
    "transfer_probationary": "Chuyển sinh hoạt đảng (đảng viên dự bị)",
    "transfer_received": "Chi bộ nơi đến tiếp nhận sinh hoạt đảng",
    "committee_review_vote": "Đảng ủy cơ sở xét công nhận chính thức",
    "recognise_official": "Quyết định công nhận chính thức", "drop": "Đưa ra khỏi danh sách / xóa tên",
}
HOW_VI = {"date": "ngày (DD/MM/YYYY)", "int": "số nguyên", "bool": "x = có, để trống = không",
          "categories": "các đối tượng, cách nhau bởi dấu ;", "text": "chữ"}
LISTS = ENUMS  # the coded cells offer the words the import accepts


def _how(col: Col) -> str:
    words = LISTS.get(col.kind)
    return "một trong: " + ", ".join(words.shown) if words else HOW_VI.get(col.kind, "chữ")


def _data_sheet(book: Workbook) -> None:
    ws = book.create_sheet(DATA_SHEET)
    fill_sheet(ws, Sheet(DATA_SHEET, [Column(c.field, c.header) for c in COLUMNS], []))
    red = Font(bold=True, color="C00000")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(1, i)
        cell.comment = Comment(f"{STEP_VI[col.step]} ({col.step}.{col.field}): {_how(col)}"
                               + (f". {col.hint}" if col.hint else ""), "ketnap")
        if col.required:
            cell.font = red
        ws.column_dimensions[get_column_letter(i)].width = 18 if col.kind == "date" else 24
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _validate(ws, col, get_column_letter(i))
    ws.row_dimensions[1].height = 60


def _validate(ws: Worksheet, col: Col, letter: str) -> None:
    words = LISTS.get(col.kind)
    validate_column(ws, letter, words.shown if words is not None else None, col.kind == "date")


def write_template(path: Path) -> None:
    book = Workbook()
    default = book.active
    _data_sheet(book)
    guide = book.create_sheet("Hướng dẫn")
    fill_sheet(guide, Sheet("Hướng dẫn", [Column("letter", "Cột"), Column("header", "Tiêu đề"), Column("step", "Bước"),
                                     Column("required", "Bắt buộc"), Column("how", "Cách điền")],
                       [{"letter": get_column_letter(i), "header": c.header, "step": STEP_VI[c.step],
                         "required": "x" if c.required else "", "how": _how(c) + (f". {c.hint}" if c.hint else "")}
                        for i, c in enumerate(COLUMNS, start=1)]))
    guide.cell(len(COLUMNS) + 3, 1).value = (
        "Mỗi dòng là một người; điền ngày của các bước đã làm. Cả tệp được nhập trong một lần: nếu có dòng sai, "
        "không dòng nào được nhập và ketnap liệt kê từng lỗi theo trang, dòng, cột.")
    guide.cell(len(COLUMNS) + 3, 1).font = Font(italic=True)
    guide["A1"].fill = PatternFill("solid", fgColor="DDEBF7")
    if default is not None:
        book.remove(default)
    book.save(path)
