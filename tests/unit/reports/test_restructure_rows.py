"""Reading a restructuring workbook, before any database: which cells each change needs or must leave empty, the
rows of one split, the order changes are judged in, the template's shape, and files that are not workbooks."""

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.integration.restructure_data import fill_template, write_plan
from workflow.restructure.columns import CHANGES, COLUMNS
from workflow.restructure.template import DATA_SHEET, GUIDE_SHEET, write_template
from workflow.restructure.workbook import WorkbookRefused, read_plan

BASE = {"on": date(2025, 7, 1), "decision": "1-QĐ/TU"}


def rows(*items: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**BASE, **item} for item in items]


def refused(path: Path, max_unpacked: int = 1_000_000) -> list[tuple[int, str, str]]:
    with pytest.raises(WorkbookRefused) as caught:
        read_plan(path, max_unpacked)
    return [(p.row, p.column, p.violation.rule) for p in caught.value.problems]


def test_each_change_needs_its_cells_and_refuses_the_cells_it_does_not_use(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.xlsx", rows(
        {"code": "X", "kind": "Thành lập", "name": "Xã X"},  # no level
        {"code": "Y", "kind": "Chuyển trực thuộc", "parent": "X", "name": "Tên để đối chiếu"},
        {"code": "Z", "kind": "Giải thể", "decision": None},
        {"code": "W", "kind": "Hợp nhất", "successor": "X", "on": "30/02/2025"},
    ))

    assert refused(path) == [(2, "D", "restructure_cell_missing"), (3, "C", "restructure_cell_unused"),
                             (4, "J", "restructure_required_missing"), (5, "I", "import_date_invalid")]


def test_the_rows_of_a_split_make_one_change_and_a_compact_cell_is_read_too(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.xlsx", rows(
        {"code": "CB", "kind": "Chia tách", "part": "c-1", "successor": "CB1"},
        {"code": "CB", "kind": "Tách", "part": "c-2=CB2;\nc-3 = CB2", "on": "01/07/2025"},
    ))

    _, count, plan = read_plan(path)

    assert count == 2 and len(plan) == 1
    assert dict(plan[0].change.parts) == {"c-1": "CB1", "c-2": "CB2", "c-3": "CB2"}
    assert [r.number for r in plan[0].rows] == [2, 3]


def test_a_part_named_twice_or_a_broken_compact_cell_is_refused(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.xlsx", rows(
        {"code": "CB", "kind": "Chia tách", "part": "c-1", "successor": "CB1"},
        {"code": "CB", "kind": "Chia tách", "part": "c-1", "successor": "CB2"},
        {"code": "CB", "kind": "Chia tách", "part": "c-4=CB1; c-5"},
    ))

    assert refused(path) == [(3, "G", "restructure_part_twice"), (4, "G", "restructure_part_invalid")]


def test_changes_are_judged_by_date_then_creations_first_and_ends_last(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.xlsx", rows(
        {"code": "H", "kind": "Giải thể"},
        {"code": "G", "kind": "Chuyển trực thuộc", "parent": "N"},
        {"code": "B", "kind": "Thành lập", "name": "B", "level": "Chi bộ", "parent": "N"},
        {"code": "A", "kind": "Hợp nhất", "successor": "N"},
        {"code": "N", "kind": "Thành lập", "name": "N", "level": "Xã", "parent": "T"},
        {"code": "G", "kind": "Đổi tên", "name": "G mới", "on": date(2025, 6, 1)},
    ))

    _, _, plan = read_plan(path)

    assert [(p.change.kind, p.change.code) for p in plan] == [
        ("renamed", "G"), ("created", "N"), ("created", "B"), ("moved", "G"), ("merged", "A"), ("dissolved", "H")]


def test_the_template_has_a_note_on_every_header_a_list_of_changes_and_a_guide_that_is_not_read(
        tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path)
    book = load_workbook(path)
    ws = book[DATA_SHEET]

    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert all(c.comment is not None and c.comment.text for c in ws[1])
    lists = [v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"]
    assert any(all(word in formula for word in CHANGES.shown) for formula in lists)
    assert GUIDE_SHEET in book.sheetnames
    with pytest.raises(WorkbookRefused) as empty:
        read_plan(path)
    assert [p.violation.rule for p in empty.value.problems] == ["restructure_no_rows"]


def test_a_filled_template_is_read_from_its_second_row(tmp_path: Path) -> None:
    path = fill_template(tmp_path / "p.xlsx", rows({"code": "H", "kind": "Giải thể"}))

    _, count, plan = read_plan(path)

    assert count == 1 and plan[0].rows[0].number == 2 and plan[0].change.on == date(2025, 7, 1)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _sheet_replaced(template: bytes, change: Any) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(template))
    return _zip({i.filename: change(source.read(i.filename)) if i.filename.endswith("sheet1.xml")
                 else source.read(i.filename) for i in source.infolist()})


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8))
          + b"]>")


@pytest.mark.parametrize("damage", [
    lambda good: good[: len(good) // 2],
    lambda good: b"",
    lambda good: b"PK\x03\x04 not really a zip",
    lambda good: _zip({"hello.txt": b"hi"}),
    lambda good: _sheet_replaced(good, lambda xml: xml[: len(xml) // 2]),
    lambda good: _sheet_replaced(good, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 2_000_000)),
    lambda good: _sheet_replaced(good, lambda xml: LAUGHS + xml.split(b"?>", 1)[-1].replace(
        b"<sheetData>", b"<sheetData><row r='9'><c r='A9' t='inlineStr'><is><t>&i;</t></is></c></row>", 1)),
], ids=["truncated", "empty", "not a zip", "a zip without a workbook", "broken XML", "zip bomb", "entity bomb"])
def test_a_file_that_is_not_a_readable_workbook_is_refused_with_its_reason(tmp_path: Path, damage: Any) -> None:
    good = fill_template(tmp_path / "good.xlsx", rows({"code": "H", "kind": "Giải thể"})).read_bytes()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(damage(good))

    assert refused(path) == [(0, "", "restructure_file_unreadable")]
