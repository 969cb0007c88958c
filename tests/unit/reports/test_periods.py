"""Report periods as committees write them, and the same period of the previous year."""

from datetime import date

import pytest

from workflow.reports.periods import PeriodError, parse_period


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2024", date(2024, 1, 1), date(2024, 12, 31)),
    ("2022-2025", date(2022, 1, 1), date(2025, 12, 31)),
    ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024q4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-H1", date(2024, 1, 1), date(2024, 6, 30)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2019-01..2019-10", date(2019, 1, 1), date(2019, 10, 31)),
])
def test_periods_cover_whole_days_from_first_to_last(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["24", "2025-2022", "2024-Q5", "2024-13", "2019-10..2019-01", "last year"])
def test_malformed_or_backwards_periods_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(PeriodError, match="2022-2025"):
        parse_period(text)


@pytest.mark.parametrize(("text", "start", "end", "label"), [
    ("2024-Q1", date(2023, 1, 1), date(2023, 3, 31), "2023-Q1"),  # E1: Q1/2024 against Q1/2023
    ("2024", date(2023, 1, 1), date(2023, 12, 31), "2023"),
    ("2024-02", date(2023, 2, 1), date(2023, 2, 28), "2023-02"),  # a leap February ends on the 28th a year back
    ("2025-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
    ("2021-2025", date(2016, 1, 1), date(2020, 12, 31), "2016-2020"),  # a term against the previous term
])
def test_previous_period_is_the_same_dates_a_year_or_a_term_earlier(text: str, start: date, end: date,
                                                                   label: str) -> None:
    previous = parse_period(text).previous()
    assert (previous.start, previous.end, previous.label) == (start, end, label)


@pytest.mark.parametrize("text", ["9999", "0001", "0001-0002", "1929", "2101-Q1", "1929-12..1930-01"])
def test_years_outside_1930_to_2100_are_refused_naming_the_range(text: str) -> None:
    with pytest.raises(PeriodError, match="from 1930 to 2100"):
        parse_period(text)
