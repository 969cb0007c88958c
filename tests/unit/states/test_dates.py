"""Month arithmetic as the regulations count it (PROCEDURE.md, Derived dates; DOMAIN.md D1, D10)."""

from datetime import date

import pytest

from states.dates import add_months, age_months


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # D10: probation from a leap day ends on 28 February
    (date(2024, 2, 29), 48, date(2028, 2, 29)),  # four years later the day exists again
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # clamped to the month's last day, leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),  # clamped, common year
    (date(2024, 10, 31), 1, date(2024, 11, 30)),
    (date(2024, 12, 31), 2, date(2025, 2, 28)),  # across the year end
    (date(2024, 3, 31), -1, date(2024, 2, 29)),  # backwards
    (date(2024, 8, 20), 12, date(2025, 8, 20)),
    (date(2020, 2, 29), 60, date(2025, 2, 28)),  # D2: 60 months of certificate validity
    (date(2024, 5, 15), 0, date(2024, 5, 15)),
])
def test_add_months_keeps_the_day_of_month_clamped_to_the_month_end(start: date, months: int,
                                                                    expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("birth", "on", "months"), [
    (date(2006, 7, 1), date(2024, 6, 30), 17 * 12 + 11),  # the day before the 18th birthday
    (date(2006, 7, 1), date(2024, 7, 1), 18 * 12),  # the 18th birthday: 18 years 0 months
    (date(2006, 7, 2), date(2024, 7, 1), 17 * 12 + 11),
    (date(2004, 2, 29), date(2022, 2, 27), 17 * 12 + 11),  # born on a leap day
    (date(2004, 2, 29), date(2022, 2, 28), 18 * 12),  # ... is 18 on 28 February of a common year
    (date(2004, 2, 29), date(2024, 2, 28), 19 * 12 + 11),  # ... but 20 only on 29 February of a leap year
    (date(2004, 2, 29), date(2024, 2, 29), 20 * 12),
    (date(2006, 8, 31), date(2024, 8, 30), 17 * 12 + 11),
    (date(2006, 8, 31), date(2024, 8, 31), 18 * 12),
    (date(2000, 1, 31), date(2000, 2, 28), 0),  # a month completes on the clamped day-of-month
    (date(2000, 1, 31), date(2000, 2, 29), 1),
    (date(2000, 3, 31), date(2000, 4, 30), 1),
    (date(1964, 7, 1), date(2024, 7, 1), 60 * 12),  # exactly 60
    (date(1964, 6, 1), date(2024, 7, 1), 60 * 12 + 1),  # over 60 by one month (G2)
    (date(1964, 6, 2), date(2024, 7, 1), 60 * 12),  # one day short of that month
])
def test_age_months_counts_whole_months(birth: date, on: date, months: int) -> None:
    assert age_months(birth, on) == months
