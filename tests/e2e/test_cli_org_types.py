"""`ketnap org ... --type`, `plan set --target GROUP=N --from` and `report types` as a bloc's office runs them
(issue 20): the type is dated, a group target over the total is refused with nothing written, and the report by
type is written to Excel with numbers as numbers."""

from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.conftest import Cli


def test_types_are_dated_and_the_report_by_type_goes_to_excel(cli: Cli, tmp_path: Path) -> None:
    cli.run("org", "add", "KHOI", "--name", "Đảng ủy Khối", "--level", "upper")
    cli.run("org", "add", "DB-SO", "--name", "Đảng bộ Sở Y tế", "--level", "grassroots", "--parent", "KHOI",
            "--type", "agency", "--on", "2020-01-01")
    cli.run("org", "add", "CB-CTY", "--name", "Chi bộ Công ty cổ phần Môi trường", "--level", "branch",
            "--parent", "KHOI", "--type", "state_enterprise", "--on", "2020-01-01")
    cli.run("org", "set-type", "CB-CTY", "--type", "joint_stock_enterprise", "--on", "2023-10-01")
    refused = cli.run("org", "set-type", "CB-CTY", "--type", "ngan_hang", "--on", "2024-01-01", expect=2)
    cli.run("membership", "set", "--org", "DB-SO", "--year", "2024", "--members", "120")
    cli.run("membership", "set", "--org", "CB-CTY", "--year", "2024", "--members", "25")
    over = cli.run("plan", "set", "--org", "KHOI", "--period", "2024", "--total", "10", "--target",
                   "enterprise=11", expect=2)
    term = cli.run("plan", "set", "--org", "KHOI", "--period", "2020-2025", "--name", "Nghị quyết Đại hội 2020-2025",
                   "--from", "2020-07-10")

    listed = {o["code"]: o["org_type"] for o in cli.run("org", "list", "--as-of", "2023-09-30")}
    now = {o["code"]: o["org_type"] for o in cli.run("org", "list")}
    text = cli.run("org", "list", as_json=False).output
    report = cli.run("report", "types", "--org", "KHOI", "--term", "Nghị quyết Đại hội 2020-2025", "--as-of",
                     "2024-06-30", "--xlsx", str(tmp_path / "loai-hinh.xlsx"))

    assert {k: listed[k] for k in ("KHOI", "DB-SO", "CB-CTY")} == {"KHOI": None, "DB-SO": "agency",
                                                                   "CB-CTY": "state_enterprise"}
    assert now["CB-CTY"] == "joint_stock_enterprise" and "┃ type" in text and "agency" in text
    assert [v["rule"] for v in refused["violations"]] == ["org_type_unknown"]
    assert [(v["rule"], v["field"]) for v in over["violations"]] == [("plan_target_over_total", "targets")]
    assert cli.run("plan", "list") == [term]
    assert (term["starts_on"], term["total"]) == ("2020-07-10", None)
    assert report["period"]["start"] == "2020-07-10" and report["period"]["end"] == "2024-06-30"
    rows = {r["key"]: r for r in [*report["rows"], *report["groups"]]}
    assert (rows["agency"]["organisations"], rows["joint_stock_enterprise"]["organisations"]) == (1, 1)
    assert (rows["enterprise"]["members"], report["total"]["members"]) == (25, 145)
    sheet = load_workbook(tmp_path / "loai-hinh.xlsx")["Theo loại hình"]
    found = {r[1]: r[2:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert found["Tổng số"] == (2, 145, 0, 0) and found["Trong đó: doanh nghiệp"] == (1, 25, 0, 0)
