"""Month arithmetic as the regulations count it (PROCEDURE.md, Derived dates; DOMAIN.md D1, D10)."""

import calendar as _calendar
from datetime import date


def add_months(d: date, months: int) -> date:
    """The same day-of-month `months` later, clamped to the month's last day (2024-02-29 + 12 -> 2025-02-28)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def age_months(birth_date: date, on: date) -> int:
    """Whole months from birth to `on`; a month is complete on the same (clamped) day-of-month (D1)."""
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    if add_months(birth_date, months) > on:
        months -= 1
    return months
