"""The commands of issue 6 as a committee office runs them, on a SQLite file: plans, membership, a class for
two branches, the import template and an import, the report as a table, JSON and Excel, and the list export."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.integration.reports_data import FULL, HEADER, import_row
from workflow.cli.main import app
from workflow.reports.template import DATA_SHEET

ORGS = [["DU-XA", "--name", "Đảng ủy xã Tân Lập", "--level", "commune"],
        ["DU-CS", "--name", "Đảng ủy Trường THPT Tân Lập", "--level", "grassroots", "--parent", "DU-XA"],
        ["CB-01", "--name", "Chi bộ Giáo viên", "--level", "branch", "--parent", "DU-CS"],
        ["CB-02", "--name", "Chi bộ Học sinh", "--level", "branch", "--parent", "DU-CS"]]


class Cli:
    def __init__(self, db: Path) -> None:
        self.url, self.runner = f"sqlite:///{db}", CliRunner()

    def run(self, *args: str, expect: int = 0, as_json: bool = True) -> Any:
        result = self.runner.invoke(app, ["--db", self.url, *(["--json"] if as_json else []), *args],
                                    env={"KETNAP_ACTOR": "văn phòng"})
        assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return json.loads(result.stdout) if as_json else result.stdout


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "ketnap.db")
    c.run("init")
    for org in ORGS:
        c.run("org", "add", *org)
    return c


def fill_template(cli: Cli, path: Path, rows: list[dict[str, Any]]) -> Path:
    cli.run("import", "template", str(path))
    book = load_workbook(path)
    ws = book[DATA_SHEET]
    headers = [c.value for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in headers])
    book.save(path)
    return path


def test_plans_import_and_the_admissions_report_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    admitted = [import_row(i, steps=len(FULL) - 6, shift_days=30 * (i % 5)) for i in range(6)]  # decided 2024
    waiting = [import_row(100 + i, steps=2) for i in range(3)]
    path = fill_template(cli, tmp_path / "nhap.xlsx", admitted + waiting)
    assert cli.run("import", "xlsx", str(path), "--dry-run")["dry_run"] is True
    imported = cli.run("import", "xlsx", str(path))
    assert (imported["rows"], len(imported["candidates"])) == (9, 9)
    again = cli.run("import", "xlsx", str(path), expect=2)
    assert again["violations"][0]["rule"] == "import_already_imported"

    cli.run("plan", "set", "--org", "DU-XA", "--period", "2024", "--total", "4", "--name", "Nghị quyết 2024")
    cli.run("plan", "set", "--org", "DU-XA", "--period", "2024", "--total", "12", "--source", "assigned",
            "--target", "student=2")
    cli.run("membership", "set", "--org", "DU-XA", "--year", "2024", "--members", "150")
    assert len(cli.run("plan", "list", "--org", "DU-XA")) == 2
    doc = cli.run("report", "admissions", "--org", "DU-XA", "--period", "2024", "--xlsx", str(tmp_path / "r.xlsx"))
    assert doc["admissions"] == 6
    assert sorted(p["percent"] for p in doc["plans"]) == [50.0, 150.0]
    assert doc["membership"][0]["rate_percent"] == 4.0
    assert load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Tổng hợp"
    text = cli.run("report", "admissions", "--org", "DU-XA", "--period", "2024", as_json=False)
    assert "Kết nạp: 6" in text and "150%" in text
    local = json.loads(cli.runner.invoke(app, ["--db", cli.url, "report", "admissions", "--org", "DU-XA",
                                               "--period", "2024", "--json"]).stdout)
    assert local["admissions"] == 6


def test_a_bad_row_is_reported_by_sheet_row_and_column(cli: Cli, tmp_path: Path) -> None:
    rows = [import_row(i, steps=3) for i in range(4)]
    rows[2][HEADER["identify", "sex"]] = "?"
    path = fill_template(cli, tmp_path / "sai.xlsx", rows)
    refused = cli.run("import", "xlsx", str(path), expect=2)
    assert refused["error"] == "import_refused"
    assert [(v["sheet"], v["row"], v["column"], v["rule"]) for v in refused["violations"]] == [
        (DATA_SHEET, 4, "D", "import_value_invalid")]
    text = cli.runner.invoke(app, ["--db", cli.url, "import", "xlsx", str(path)]).output
    assert f"{DATA_SHEET}!D4 Giới tính" in text and "không hợp lệ" in text
    assert cli.run("candidate", "list")["items"] == []


def test_a_class_for_two_branches_and_its_statistics(cli: Cli, tmp_path: Path) -> None:
    path = fill_template(cli, tmp_path / "lop.xlsx", [import_row(i, steps=2) for i in range(5)])
    cli.run("import", "xlsx", str(path))
    cli.run("class", "add", "BD-01", "--name", "Lớp bồi dưỡng khóa 1/2024", "--organiser", "DU-XA",
            "--starts", "2024-03-01", "--ends", "2024-03-05")
    enrolled = cli.run("class", "enrol", "BD-01", "--from-org", "DU-CS")
    assert len(enrolled["recorded"]) == 5
    certified = cli.run("class", "certify", "BD-01", "--issued-on", "2024-03-05", "--prefix", "NTVĐ-")
    assert len(certified["recorded"]) == 5
    stats = cli.run("class", "stats", "--org", "DU-XA", "--period", "2024", "--xlsx", str(tmp_path / "lop-tk.xlsx"))
    assert (stats["classes_held"], stats["trainees"], stats["certified"]) == (1, 5, 5)
    assert load_workbook(tmp_path / "lop-tk.xlsx").sheetnames == ["Các lớp", "Lớp BD-01"]
    shown = cli.run("class", "show", "BD-01")
    assert {m["org"] for m in shown["roster"]} == {"CB-01", "CB-02"}
    refused = cli.run("class", "enrol", "BD-01", "nobody", expect=2)
    assert refused["violations"][0]["rule"] == "candidate_not_found"


def test_the_candidate_list_exports_to_excel(cli: Cli, tmp_path: Path) -> None:
    path = fill_template(cli, tmp_path / "ds.xlsx", [import_row(i, steps=1) for i in range(3)])
    cli.run("import", "xlsx", str(path))
    out = tmp_path / "xuat.xlsx"
    assert cli.run("candidate", "export", "--xlsx", str(out), "--org", "CB-01")["rows"] == 1
    ws = load_workbook(out)["Danh sách"]
    assert ws["B2"].value == "Trần Thị Thu 1" and ws["C2"].value.date() == date(1995, 1, 2)
