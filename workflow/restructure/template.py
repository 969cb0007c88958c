"""The workbooks `ketnap org restructure` writes: the template a committee office fills (Vietnamese headers, a
note on every header, lists to pick the change and the level from, date checks, a guide sheet with an example),
and the preview of what a plan does (the changes, the candidates carried, what stays with the organisations
that end)."""

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflow.reports.import_columns import Col
from workflow.reports.labels import STAGES_VI
from workflow.reports.xlsx import DATE_FORMAT, Column, Sheet, fill_sheet, validate_column, write_workbook
from workflow.restructure import columns as cols
from workflow.restructure.workbook import Applied

DATA_SHEET = "Kế hoạch sắp xếp"
GUIDE_SHEET = "Hướng dẫn"
# Codes and candidate ids are text: Excel would turn "0123" or "123456789012" into numbers and lose digits.
CODES = (cols.CODE, cols.PARENT, cols.SUCCESSOR, cols.PART, cols.DECISION)
WIDTHS = {"code": 16, "kind": 20, "name": 40, "level": 18, "parent": 18, "successor": 18, "part": 22,
          "admits": 14, "org_type": 22, "on": 14, "decision": 16, "issuer": 30, "note": 30}
MEANING = {
    "created": "Tổ chức mới, có từ ngày hiệu lực. Mã tổ chức là mã mới.",
    "renamed": "Tên mới từ ngày hiệu lực; lịch sử giữ tên cũ.",
    "moved": "Đặt tổ chức (cùng mọi tổ chức trực thuộc) dưới cấp trên mới. Quần chúng vẫn ở chi bộ của mình; "
             "cấp ủy có thẩm quyền có thể đổi.",
    "level_changed": "Cấp mới từ ngày hiệu lực.",
    "authorised": "Đảng ủy cơ sở được (Có) hoặc thôi (Không) được ủy quyền kết nạp đảng viên.",
    "merged": "Tổ chức kết thúc; các tổ chức trực thuộc và quần chúng đang trong quy trình chuyển sang tổ chức "
              "kế tục.",
    "split": "Tổ chức kết thúc; mỗi tổ chức trực thuộc, hoặc mỗi quần chúng của chi bộ bị chia tách, chuyển sang "
             "tổ chức kế tục ghi cùng dòng. Mỗi bộ phận một dòng, cùng Mã tổ chức và Ngày hiệu lực; phải nêu đủ.",
    "typed": "Loại hình tổ chức cơ sở đảng mới từ ngày hiệu lực; báo cáo tính theo loại hình cũ trước ngày đó.",
    "dissolved": "Tổ chức kết thúc. Không được còn tổ chức trực thuộc hay quần chúng đang trong quy trình: chuyển "
                 "hoặc hợp nhất trước (có thể ngay trong tệp này).",
}
RULES_VI = [
    "Mỗi dòng là một thay đổi (chia tách: mỗi bộ phận một dòng). Cả tệp được ghi trong một lần: nếu có dòng sai, "
    "không thay đổi nào được ghi và ketnap liệt kê từng lỗi theo trang, dòng, cột.",
    "Thứ tự các dòng không quan trọng: ketnap xét theo ngày hiệu lực; trong cùng một ngày, thành lập trước, "
    "đổi tên / đổi cấp / ủy quyền, rồi chuyển trực thuộc, hợp nhất / chia tách, giải thể sau cùng.",
    "Ngày: ô kiểu ngày hoặc DD/MM/YYYY. Mỗi thay đổi được xét theo cây tổ chức đang có hiệu lực vào ngày đó.",
    "Chạy thử trước: ketnap org restructure TỆP.xlsx --dry-run (không ghi gì, liệt kê quần chúng được chuyển, "
    "hạn đang mở, kế hoạch, đầu mối liên hệ, lớp học và người dùng gắn với tổ chức kết thúc).",
    "Trang này không được đọc khi áp dụng; chỉ đọc các trang có dòng tiêu đề của mẫu.",
]
EXAMPLE = [  # giải thể huyện Điện Biên ngày 01/07/2025 (HD 31-HD/BTCTW)
    {"code": "XA-TN", "kind": "Thành lập", "name": "Đảng bộ xã Thanh Nưa", "level": "Xã/phường/đặc khu",
     "parent": "TINH-DB"},
    {"code": "DU-THPT-TN", "kind": "Chuyển trực thuộc", "parent": "XA-TN"},
    {"code": "DU-THPT-TN", "kind": "Đổi tên", "name": "Đảng bộ Trường THPT Thanh Nưa"},
    {"code": "XA-TH", "kind": "Hợp nhất", "successor": "XA-TN"},
    {"code": "CB-KT", "kind": "Chia tách", "part": "c-0001", "successor": "CB-KT1"},
    {"code": "CB-KT", "kind": "Chia tách", "part": "c-0002", "successor": "CB-KT2"},
    {"code": "H-DB", "kind": "Giải thể"},
]


def _uses(col: Col) -> str:
    if col in cols.COMMON:
        return "mọi loại"
    return ", ".join(cols.CHANGE_VI[k] for k, uses in cols.USES.items() if col in (*uses.required, *uses.optional))


def _note(col: Col) -> str:
    words = {cols.KIND: cols.CHANGES, cols.LEVEL: cols.LEVELS}.get(col)
    listed = f" Một trong: {', '.join(words.shown)}." if words else ""
    return f"{'Bắt buộc. ' if col.required else ''}{col.hint}{listed}"


def _validate(ws: Worksheet, col: Col, letter: str) -> None:
    words = {cols.KIND: cols.CHANGES.shown, cols.LEVEL: cols.LEVELS.shown, cols.ADMITS: ["Có", "Không"]}.get(col)
    validate_column(ws, letter, words, col.kind == "date")


def _data_sheet(book: Workbook) -> None:
    ws = book.create_sheet(DATA_SHEET)
    fill_sheet(ws, Sheet(DATA_SHEET, [Column(c.field, c.header) for c in cols.COLUMNS], []))
    for i, col in enumerate(cols.COLUMNS, start=1):
        cell, letter = ws.cell(1, i), get_column_letter(i)
        cell.comment = Comment(_note(col), "ketnap", width=320, height=160)
        if col.required:
            cell.font = Font(bold=True, color="C00000")
        ws.column_dimensions[letter].width = WIDTHS[col.field]
        if col.kind == "date" or col in CODES:  # the column's own format: typed cells take it, rows stay empty
            ws.column_dimensions[letter].number_format = DATE_FORMAT if col.kind == "date" else "@"
        _validate(ws, col, letter)
    ws.row_dimensions[1].height = 36


def _guide(book: Workbook) -> None:
    ws = book.create_sheet(GUIDE_SHEET)
    fill_sheet(ws, Sheet(GUIDE_SHEET, [Column("letter", "Cột"), Column("header", "Tiêu đề"),
                                       Column("required", "Bắt buộc"), Column("uses", "Dùng cho"),
                                       Column("how", "Cách điền")],
                         [{"letter": get_column_letter(i), "header": c.header, "required": "x" if c.required else "",
                           "uses": _uses(c), "how": _note(c)} for i, c in enumerate(cols.COLUMNS, start=1)]))
    ws.column_dimensions["E"].width = 90
    _block(ws, ["Loại thay đổi", "Cũng viết", "Cần các ô", "Có thể có", "Ý nghĩa"],
           [[cols.CHANGE_VI[k], ", ".join([*words[1:], k]), ", ".join(c.header for c in cols.USES[k].required),
             ", ".join(c.header for c in cols.USES[k].optional), MEANING[k]]
            for k, words in cols.CHANGE_WORDS.items()])
    _block(ws, ["Lưu ý"], [[text] for text in RULES_VI])
    _block(ws, [c.header for c in cols.COLUMNS],
           [[_example_value(c, row) for c in cols.COLUMNS] for row in EXAMPLE],
           title="Ví dụ (không được đọc): giải thể Đảng bộ huyện, theo Quyết định 1234-QĐ/TU ngày 30/06/2025")


def _example_value(col: Col, row: dict[str, str]) -> Any:
    defaults = {"on": date(2025, 7, 1), "decision": "1234-QĐ/TU", "issuer": "Ban Thường vụ Tỉnh ủy Điện Biên"}
    return row.get(col.field, defaults.get(col.field))


def _block(ws: Worksheet, headers: list[str], rows: list[list[Any]], title: str = "") -> None:
    start = ws.max_row + 2
    if title:
        ws.cell(start, 1).value = title
        ws.cell(start, 1).font = Font(bold=True, italic=True)
        start += 1
    for i, header in enumerate(headers, start=1):
        ws.cell(start, i).value = header
        ws.cell(start, i).font = Font(bold=True)
    for r, values in enumerate(rows, start=start + 1):
        for i, value in enumerate(values, start=1):
            cell = ws.cell(r, i)
            cell.value = value
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT


def write_template(path: Path) -> None:
    book = Workbook()
    default = book.active
    _data_sheet(book)
    _guide(book)
    if default is not None:
        book.remove(default)
    book.save(path)


# --- the preview ------------------------------------------------------------------------------------------------------

def _change_rows(applied: Applied) -> list[dict[str, Any]]:
    found = []
    for planned in applied.plan:
        c = planned.change
        detail = {"created": f"{c.name} ({c.level}) dưới {c.parent or '-'}", "renamed": c.name or "",
                  "moved": f"dưới {c.parent}", "level_changed": c.level or "",
                  "authorised": "được ủy quyền" if c.admits else "thôi ủy quyền", "merged": f"vào {c.into}",
                  "split": "; ".join(f"{p}={s}" for p, s in sorted(c.parts.items())), "dissolved": ""}[c.kind]
        found.append({"rows": ", ".join(f"{r.sheet}!{r.number}" for r in planned.rows), "kind": cols.CHANGE_VI[c.kind],
                      "code": c.code, "detail": detail, "on": c.on, "decision": c.decision, "issuer": c.issuer})
    return found


def preview_sheets(applied: Applied) -> list[Sheet]:
    r = applied.result
    return [
        Sheet("Thay đổi", [Column("rows", "Dòng"), Column("kind", "Loại thay đổi"), Column("code", "Mã tổ chức"),
                           Column("detail", "Nội dung"), Column("on", "Ngày hiệu lực", "date"),
                           Column("decision", "Số quyết định"), Column("issuer", "Cơ quan ban hành")],
              _change_rows(applied)),
        Sheet("Quần chúng", [Column("id", "Mã"), Column("full_name", "Họ và tên"), Column("stage", "Giai đoạn"),
                             Column("from_org", "Chi bộ trước"), Column("to_org", "Chi bộ sau"),
                             Column("from_body", "Cấp ủy quyết định trước"),
                             Column("to_body", "Cấp ủy quyết định sau"),
                             Column("open_deadlines", "Số hạn đang mở", "int")],
              [{**vars(m), "stage": STAGES_VI.get(m.stage, m.stage)} for m in r.moved]),
        Sheet("Tổ chức kết thúc", [Column("org", "Mã tổ chức"), Column("plans", "Kế hoạch", "int"),
                                   Column("membership_years", "Số năm có số đảng viên", "int"),
                                   Column("contacts", "Đầu mối liên hệ"), Column("classes", "Lớp bồi dưỡng", "int"),
                                   Column("users", "Người dùng", "int")], [vars(a) for a in r.attached]),
    ]


def write_preview(path: Path, applied: Applied) -> None:
    write_workbook(path, preview_sheets(applied))
