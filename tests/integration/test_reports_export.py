"""Excel export: a list written to xlsx reads back with the same values and real dates; the report has one
sheet per table with Vietnamese headers, percentages as Excel percentages and column widths set."""

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from tests.integration.reports_data import admit, people
from tests.integration.support import record_path, steps_until
from workflow.reports.admissions import admissions_report
from workflow.reports.labels import SEX_VI, STAGES_VI
from workflow.reports.periods import parse_period
from workflow.reports.plans import SetPlan, set_plan
from workflow.reports.xlsx import CANDIDATE_COLUMNS, candidate_sheet, report_sheets, write_workbook
from workflow.service import Ketnap


def _cell(value: object) -> object:
    """openpyxl reads an Excel date back as a datetime at midnight."""
    return value.date() if isinstance(value, datetime) else value


def test_a_candidate_list_reads_back_with_the_same_values_and_dates(ketnap: Ketnap, tmp_path: Path) -> None:
    admit(ketnap.engine, date(2024, 2, 29), people(3, org="CB-02", sex="F", ethnicity="Mường", religion="Công giáo",
                                                   categories=["student", "private_enterprise"]))
    record_path(ketnap, steps_until("enrol_training"), full_name="Đặng Văn Ánh", sex="M")
    rows = ketnap.candidates(limit=100)
    path = tmp_path / "danh-sach.xlsx"
    write_workbook(path, [candidate_sheet(rows)])
    ws = load_workbook(path)["Danh sách"]
    assert [c.value for c in ws[1]] == [c.header for c in CANDIDATE_COLUMNS]
    back = [[_cell(c.value) for c in row] for row in ws.iter_rows(min_row=2)]
    expected = [[{"sex_vi": SEX_VI[r["sex"]], "stage_vi": STAGES_VI[r["stage"]],
                  "categories": ", ".join(r["categories"]) or None}.get(c.key, r.get(c.key))
                 for c in CANDIDATE_COLUMNS] for r in rows]
    assert back == expected
    birth = next(c for c in ws[2] if c.column_letter == "C")
    assert birth.is_date and birth.number_format == "DD/MM/YYYY"
    assert all(ws.column_dimensions[letter].width >= len(header)
               for letter, header in (("B", "Họ và tên"), ("J", "Ngày vào danh sách cảm tình Đảng")))


def test_the_report_workbook_has_one_sheet_per_table(ketnap: Ketnap, tmp_path: Path) -> None:
    admit(ketnap.engine, date(2024, 5, 20), people(11, org="CB-01", sex="F"))
    set_plan(ketnap, SetPlan(org="DU-XA", first_year=2024, last_year=2024, total=20, targets={"women": 10}), "t")
    doc = admissions_report(ketnap, "DU-XA", parse_period("2024"))
    path = tmp_path / "bao-cao.xlsx"
    write_workbook(path, report_sheets(doc))
    book = load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "Kế hoạch", "Chỉ tiêu theo đối tượng", "Theo đối tượng", "Theo đơn vị",
                               "Theo tháng", "Đảng viên đầu năm", "Tiến độ", "Quá hạn"]
    plan = book["Kế hoạch"]
    headers = [c.value for c in plan[1]]
    row = dict(zip(headers, plan[2], strict=True))
    assert (row["Chỉ tiêu"].value, row["Đã kết nạp"].value) == (20, 11)
    assert row["Tỷ lệ đạt"].value == 11 / 20 and row["Tỷ lệ đạt"].number_format == "0.0%"
    assert _cell(row["Tính đến"].value) == date(2024, 12, 31)
    women = {h: c.value for h, c in zip([c.value for c in book["Chỉ tiêu theo đối tượng"][1]],
                                        book["Chỉ tiêu theo đối tượng"][2], strict=True)}
    assert (women["Đối tượng"], women["Chỉ tiêu"], women["Đã kết nạp"]) == ("Nữ", 10, 11)
    months = [c.value for c in book["Theo tháng"]["B"][1:]]
    assert months == [m["admissions"] for m in doc["months"]] and sum(months) == 11
    summary = {r[0].value: r[1].value for r in book["Tổng hợp"].iter_rows(min_row=2)}
    assert summary["Số đảng viên mới kết nạp"] == 11
    assert _cell(summary["Từ ngày"]) == date(2024, 1, 1)
