"""Issue 11, breaks 7 and 8 on the command line: out-of-range report periods and unreadable workbooks end in a
reason and exit 2 with nothing written; a typo in `identify` is corrected with `correct corrects=1`."""

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, vietnam_today


@pytest.mark.parametrize("period", ["9999", "0001", "0001-0002", "9999-Q4", "1929-12..1930-02"])
def test_a_report_period_out_of_range_is_refused_naming_the_accepted_years(cli: Cli, period: str) -> None:
    doc = cli.run("report", "admissions", "--org", "DU-XA", "--period", period, expect=2)
    assert (doc["code"], "1930" in doc["message"], "2100" in doc["message"]) == ("refused", True, True), doc


def _template(path: Path, cli: Cli) -> bytes:
    cli.run("import", "template", str(path))
    return path.read_bytes()


def _broken_xml(data: bytes) -> bytes:
    """A real workbook whose first sheet is not XML any more."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet1.xml") else body)
    return out.getvalue()


def _entity_bomb(data: bytes) -> bytes:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<worksheet><sheetData><row><c><v>&b;</v></c></row></sheetData></worksheet>")
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, bomb if item.filename.endswith("sheet1.xml") else source.read(item))
    return out.getvalue()


HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "not a zip": lambda _: b"PK\x03\x04 this is not a workbook",
    "empty": lambda _: b"",
    "broken xml": _broken_xml,
    "entity bomb": _entity_bomb,
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_or_truncated_workbook_is_refused_with_its_reason_and_nothing_written(
        cli: Cli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(HOSTILE[kind](_template(tmp_path / "mau.xlsx", cli)))
    doc = cli.run("import", "xlsx", str(path), expect=2)
    assert doc["code"] == "import_refused", doc
    reasons = [v["rule"] for v in doc["violations"]]
    assert reasons and set(reasons) <= {"import_file_unreadable", "import_no_sheet"}, doc
    assert cli.run("candidate", "list")["items"] == []


def test_a_typo_in_identify_is_corrected_with_correct_corrects_1(cli: Cli) -> None:
    candidate_id = cli.add_candidate()
    cli.step(candidate_id, "correct", vietnam_today(), {"corrects": 1, "fields": {"full_name": "Nguyễn Thị Hòa"},
                                                        "reason": "typo in the name"})
    shown = cli.run("show", candidate_id)
    assert (shown["full_name"], shown["org"], shown["version"]) == ("Nguyễn Thị Hòa", "CB-01", 2), shown
    cli.run("audit", "verify")  # exit 0: the corrected identify holds when re-checked
