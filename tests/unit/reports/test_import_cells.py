"""How the import reads cells: Excel dates, dates typed as text, and the Vietnamese words of coded values."""

from datetime import date, datetime

import pytest

from workflow.reports.import_columns import COLUMNS, CellError, Col, parse_cell

BIRTH = next(c for c in COLUMNS if c.field == "birth_date")
SEX = next(c for c in COLUMNS if c.field == "sex")
CATEGORIES = next(c for c in COLUMNS if c.field == "categories")
RECOMMENDATION = next(c for c in COLUMNS if c.field == "recommendation")
YOUTH = next(c for c in COLUMNS if c.field == "youth_union")


@pytest.mark.parametrize("value", [datetime(2000, 3, 15), date(2000, 3, 15), "15/03/2000", "15-03-2000",
                                   "15.03.2000", "2000-03-15", 36600])
def test_dates_are_read_from_date_cells_serial_numbers_and_vietnamese_text(value: object) -> None:
    assert parse_cell(value, BIRTH) == date(2000, 3, 15)


@pytest.mark.parametrize("value", ["31/02/2000", "March 2000", "15/03/00"])
def test_a_cell_that_is_not_a_date_names_the_column(value: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_cell(value, BIRTH)
    assert caught.value.violation.rule == "import_date_invalid"
    assert BIRTH.header in caught.value.violation.message_vi


@pytest.mark.parametrize(("col", "value", "expected"), [
    (SEX, "Nữ", "F"), (SEX, " nam ", "M"), (SEX, "F", "F"),
    (RECOMMENDATION, "Xóa tên", "remove"), (RECOMMENDATION, "Xoá tên", "remove"),
    (RECOMMENDATION, "công nhận", "recognise"),
    (CATEGORIES, "Học sinh, sinh viên", ["student"]),
    (CATEGORIES, "Sinh viên; Doanh nghiệp tư nhân", ["student", "private_enterprise"]),
    (CATEGORIES, "student, worker", ["student", "worker"]),
    (YOUTH, "x", True), (YOUTH, "Không", False), (YOUTH, True, True),
])
def test_coded_cells_accept_vietnamese_words_and_codes(col: Col, value: object, expected: object) -> None:
    assert parse_cell(value, col) == expected


@pytest.mark.parametrize(("col", "value"), [(SEX, "X"), (CATEGORIES, "Học sinh; phi công"), (YOUTH, "maybe")])
def test_an_unknown_word_is_refused_with_the_accepted_ones(col: Col, value: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_cell(value, col)
    assert caught.value.violation.rule == "import_value_invalid"


def test_empty_cells_are_steps_not_done() -> None:
    assert parse_cell("  ", BIRTH) is None
    assert parse_cell(None, SEX) is None
