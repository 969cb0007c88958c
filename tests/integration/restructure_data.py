"""A district as it stood before 1 July 2025 and the workbook that restructures it (HD 31-HD/BTCTW): the district
ends, its school committee and health-centre branch go under a new commune, the two old communes are merged into
it, and the teachers' branch is split by candidates between two new branches."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from tests.integration.support import record_path, steps_until
from workflow.commands import AddOrganisation
from workflow.reports.import_columns import Col
from workflow.restructure.columns import BY_FIELD, COLUMNS
from workflow.restructure.template import DATA_SHEET, write_template
from workflow.service import Ketnap

ON = date(2025, 7, 1)
DECISION, ISSUER = "1234-QĐ/TU", "Ban Thường vụ Tỉnh ủy Điện Biên"

TREE = [
    AddOrganisation(code="TINH", name="Đảng bộ tỉnh Điện Biên", level="province"),
    AddOrganisation(code="H", name="Đảng bộ huyện Điện Biên", level="upper", parent="TINH"),
    AddOrganisation(code="XA-A", name="Đảng bộ xã Thanh An", level="grassroots", parent="H"),
    AddOrganisation(code="CB-A1", name="Chi bộ bản Noong Nhai", level="branch", parent="XA-A"),
    AddOrganisation(code="XA-B", name="Đảng bộ xã Thanh Xương", level="grassroots", parent="H"),
    AddOrganisation(code="CB-B1", name="Chi bộ bản Pá Ngam", level="branch", parent="XA-B"),
    AddOrganisation(code="DU-THPT", name="Đảng bộ Trường THPT huyện Điện Biên", level="grassroots", parent="H"),
    AddOrganisation(code="CB-GV", name="Chi bộ Giáo viên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CS-YT", name="Chi bộ Trung tâm Y tế huyện", level="grassroots", parent="H"),
]


def add_district(app: Ketnap) -> dict[str, list[str]]:
    """The tree and candidates in flight: {branch: candidate ids}. The teachers' branch has three."""
    for org in TREE:
        app.add_org(org)
    found: dict[str, list[str]] = {}
    for i, (org, stop) in enumerate([("CB-GV", "decide_admission"), ("CB-GV", "introduce"),
                                     ("CB-GV", "enrol_training"), ("CB-A1", "branch_vote"), ("CS-YT", None)]):
        cid = record_path(app, steps_until(stop or "assign_helper"), org=org, full_name=f"Nguyễn Văn {chr(65 + i)}")
        found.setdefault(org, []).append(cid)
    return found


def plan(teachers: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of the restructuring, keyed by column field, in the order an office might write them (the
    district's end first: the order of rows does not matter)."""
    rows: list[dict[str, Any]] = [
        {"code": "H", "kind": "Kết thúc hoạt động"},
        {"code": "XA-N", "kind": "Thành lập", "name": "Đảng bộ xã Thanh An", "level": "Xã/phường/đặc khu",
         "parent": "TINH"},
        {"code": "DU-THPT", "kind": "Chuyển trực thuộc", "parent": "XA-N"},
        {"code": "DU-THPT", "kind": "Đổi tên", "name": "Đảng bộ Trường THPT Thanh An"},
        {"code": "CS-YT", "kind": "Chuyển trực thuộc", "parent": "XA-N"},
        {"code": "XA-A", "kind": "Hợp nhất", "successor": "XA-N"},
        {"code": "XA-B", "kind": "Sáp nhập", "successor": "XA-N"},
        {"code": "CB-GV1", "kind": "Thành lập", "name": "Chi bộ Giáo viên Tự nhiên", "level": "Chi bộ",
         "parent": "DU-THPT"},
        {"code": "CB-GV2", "kind": "Thành lập", "name": "Chi bộ Giáo viên Xã hội", "level": "Chi bộ",
         "parent": "DU-THPT"},
        *({"code": "CB-GV", "kind": "Chia tách", "part": cid, "successor": f"CB-GV{1 + i % 2}"}
          for i, cid in enumerate(teachers)),
    ]
    return [{"on": ON, "decision": DECISION, "issuer": ISSUER, **row} for row in rows]


def fill_template(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """The shipped template, filled from row 2 under its own headers, as an office would."""
    write_template(path)
    book = load_workbook(path)
    ws = book[DATA_SHEET]
    where = {cell.value: cell.column for cell in ws[1]}
    for number, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(number, where[BY_FIELD[key].header]).value = value
    book.save(path)
    return path


def write_plan(path: Path, rows: Iterable[Mapping[str, Any]], order: Sequence[Col] = COLUMNS,
               spell: Callable[[str], str] = str) -> Path:
    """A workbook of our own: the columns in `order`, their headers written as `spell` makes them."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append([spell(c.header) for c in order])
    for row in rows:
        ws.append([row.get(c.field) for c in order])
    book.save(path)
    return path
