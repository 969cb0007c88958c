"""The Excel import: a generated workbook of more than 500 rows on two sheets (the second with its columns in
another order), valid rows and rows breaking each kind of rule. The whole file imports or nothing does; every
problem names its sheet, row, column and rule; imported events carry the file's name and SHA-256 and the audit
finds nothing wrong afterwards."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from states.stages import Stage
from states.transitions_table import MOVES
from storage.event_store import iter_all
from storage.projections import CANDIDATES
from tests.integration.reports_data import FULL, HEADER, import_row
from tests.integration.support import snapshot
from workflow.audit.verify import verify
from workflow.reports.import_columns import COLUMNS
from workflow.reports.importer import ImportRefused, import_workbook
from workflow.reports.template import DATA_SHEET, write_template
from workflow.service import Ketnap

Row = dict[str, Any]
SHEETS = ("Chi bộ 1", "Chi bộ 2")
ROWS_PER_SHEET = 255  # 510 valid rows in all
HEADERS = [c.header for c in COLUMNS]
ORDER = {SHEETS[0]: HEADERS, SHEETS[1]: list(reversed(HEADERS))}


def valid_rows(sheet: int) -> list[Row]:
    """Rows at every stage of the standard path, moved in time so that dates differ from row to row."""
    first = sheet * ROWS_PER_SHEET
    return [import_row(i, steps=1 + i % len(FULL), shift_days=i % 200) for i in range(first, first + ROWS_PER_SHEET)]


def write(path: Path, sheets: dict[str, list[Row]]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        ws.append(ORDER[title])
        for row in rows:
            ws.append([row.get(h) for h in ORDER[title]])
    book.save(path)
    return path


def letter(sheet: str, header: str) -> str:
    return get_column_letter(ORDER[sheet].index(header) + 1)


def stage_after(steps: int) -> Stage | None:
    stage = None
    for name, _, _ in FULL[:steps]:
        stage = MOVES.get((stage, name), stage)
    return stage


def candidates(app: Ketnap) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(CANDIDATES)).scalar_one())


# --- each kind of rule, broken by one row ----------------------------------------------------------------------

def _introducer_months(row: Row) -> Row:
    return {**row, HEADER["introduce", "introducers.0.months_together"]: 6}


BREAKERS: list[tuple[str, int, Callable[[Row], Row], str, tuple[str, str]]] = [
    # (what, steps done, change, rule expected, column (step, field) expected)
    ("date cell", 3, lambda r: {**r, HEADER["identify", "birth_date"]: "31/02/2000"}, "import_date_invalid",
     ("identify", "birth_date")),
    ("coded word", 3, lambda r: {**r, HEADER["identify", "sex"]: "X"}, "import_value_invalid", ("identify", "sex")),
    ("required cell", 3, lambda r: {**r, HEADER["identify", "full_name"]: None}, "field_missing",
     ("identify", "full_name")),
    ("unknown branch", 3, lambda r: {**r, HEADER["identify", "org"]: "CB-99"}, "org_not_found", ("identify", "org")),
    ("vote counts", 10, lambda r: {**r, HEADER["branch_vote", "in_favour"]: 25}, "vote_counts",
     ("branch_vote", "in_favour")),
    ("age at the vote", 10, lambda r: {**r, HEADER["identify", "birth_date"]: date(2007, 1, 1)}, "age_minimum",
     ("identify", "birth_date")),
    ("step out of order", 11, lambda r: {**r, HEADER["hold_ceremony", "on"]: date(2024, 8, 20),
                                         HEADER["hold_ceremony", "probation_helper"]: "Phạm Văn Bình"},
     "step_not_allowed", ("hold_ceremony", "on")),
    ("field without its date", 11, lambda r: {**r, HEADER["decide_admission", "decision_no"]: "1-QĐ/ĐU"},
     "import_fields_without_date", ("decide_admission", "decision_no")),
    ("date in the future", 12, lambda r: {**r, HEADER["decide_admission", "on"]: date(2027, 1, 5),
                                          HEADER["decide_admission", "received_on"]: None},
     "date_in_future", ("decide_admission", "on")),
    ("introducer tenure", 8, _introducer_months, "introducer_months_together",
     ("introduce", "introducers.0.months_together")),
    ("expired certificate", 10, lambda r: {**r, HEADER["identify", "on"]: date(2017, 6, 1),
                                           HEADER["assign_helper", "on"]: date(2017, 6, 2),
                                           HEADER["certify_training", "issued_on"]: date(2018, 1, 1)},
     "certificate_expired", ("certify_training", "issued_on")),
]


def bad_row(i: int, steps: int, change: Callable[[Row], Row]) -> Row:
    return change(import_row(10_000 + i, steps=steps))


def test_a_valid_workbook_imports_every_row_marked_with_the_file(ketnap: Ketnap, tmp_path: Path) -> None:
    rows = {SHEETS[0]: valid_rows(0), SHEETS[1]: valid_rows(1)}
    path = write(tmp_path / "danh-sach.xlsx", rows)
    result = import_workbook(ketnap, path, actor="văn phòng")
    assert result.rows == len(result.candidates) == candidates(ketnap) == 2 * ROWS_PER_SHEET
    stamps = set()
    with ketnap.engine.connect() as conn:
        events = list(iter_all(conn))
    for e in events:
        imported = e.derived["meta"]["imported"]
        assert (imported["file"], imported["sha256"], e.actor) == ("danh-sach.xlsx", result.sha256, "văn phòng")
        stamps.add((imported["sheet"], imported["row"]))
    assert len(events) == result.events and len(stamps) == result.rows
    stream_of = {(e.derived["meta"]["imported"]["sheet"], e.derived["meta"]["imported"]["row"]): e.stream_id
                 for e in events}
    for offset, sheet in enumerate(SHEETS):  # each row's candidate stands where its last step put it
        for number in range(2, ROWS_PER_SHEET + 2, 37):
            index = offset * ROWS_PER_SHEET + number - 2
            assert ketnap.show(stream_of[sheet, number]).candidate.stage == stage_after(1 + index % len(FULL))
    audit = verify(ketnap.engine, ketnap.rulebook, ketnap.calendar)
    assert audit.ok, [str(f) for f in audit.findings[:5]]
    with pytest.raises(ImportRefused) as again:
        import_workbook(ketnap, path)
    assert [p.violation.rule for p in again.value.problems] == ["import_already_imported"]


def test_rows_breaking_each_rule_import_nothing_and_are_each_reported(ketnap: Ketnap, tmp_path: Path) -> None:
    rows = {SHEETS[0]: valid_rows(0), SHEETS[1]: valid_rows(1)}
    expected = set()
    for i, (_, steps, change, rule, column) in enumerate(BREAKERS):
        sheet = SHEETS[i % 2]
        rows[sheet].insert(17 * i, bad_row(i, steps, change))
        expected.add((sheet, 17 * i + 2, letter(sheet, HEADER[column]), rule))
    duplicate = rows[SHEETS[0]][40]
    rows[SHEETS[1]].append(dict(duplicate))  # the same person twice in the file
    expected.add((SHEETS[1], len(rows[SHEETS[1]]) + 1, letter(SHEETS[1], HEADER["identify", "full_name"]),
                  "import_duplicate_candidate"))
    path = write(tmp_path / "loi.xlsx", rows)
    before = snapshot(ketnap.engine)
    with pytest.raises(ImportRefused) as refused:
        import_workbook(ketnap, path)
    found = {(p.sheet, p.row, p.column, p.violation.rule) for p in refused.value.problems}
    assert expected <= found
    assert {(s, r) for s, r, _, _ in found} == {(s, r) for s, r, _, _ in expected}  # no valid row is blamed
    assert all(p.violation.message_vi and p.violation.message_en for p in refused.value.problems)
    assert snapshot(ketnap.engine) == before


def test_one_bad_row_imports_nothing_and_reports_that_row(ketnap: Ketnap, tmp_path: Path) -> None:
    rows = {SHEETS[0]: valid_rows(0)[:30], SHEETS[1]: valid_rows(1)[:30]}  # the 510-row files are tested above
    failed_vote = {HEADER["branch_vote", "official_members"]: 12, HEADER["branch_vote", "in_favour"]: 7}
    rows[SHEETS[1]].insert(20, bad_row(0, 11, lambda r: {**r, **failed_vote}))  # 7 of 12 is less than 2/3
    path = write(tmp_path / "mot-dong-sai.xlsx", rows)
    before = snapshot(ketnap.engine)
    with pytest.raises(ImportRefused) as refused:
        import_workbook(ketnap, path)
    assert [(p.sheet, p.row, p.column, p.header, p.violation.rule) for p in refused.value.problems] == [
        (SHEETS[1], 22, letter(SHEETS[1], HEADER["committee_vote", "on"]), HEADER["committee_vote", "on"],
         "committee_vote_needs_branch_vote")]
    assert snapshot(ketnap.engine) == before


def test_the_template_imports_what_is_typed_into_it_after_a_dry_run(ketnap: Ketnap, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path)
    book = load_workbook(path)
    ws = book[DATA_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers == HEADERS
    for i in range(3):
        row = import_row(i, steps=5)
        ws.append([_as_typed(row.get(h)) for h in headers])
    book.save(path)
    before = snapshot(ketnap.engine)
    assert import_workbook(ketnap, path, dry_run=True).rows == 3
    assert snapshot(ketnap.engine) == before  # a dry run checks every row and records nothing
    assert import_workbook(ketnap, path).rows == 3
    assert candidates(ketnap) == 3


def _as_typed(value: Any) -> Any:
    """What a secretary types: dates as DD/MM/YYYY text."""
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else value
