"""Report periods as committees write them: a year (2024), a term (2020-2025), a half (2024-H1), a quarter
(2024-Q1), a month (2024-03) or a span of months (2019-01..2019-10, DOMAIN.md section 8, E2)."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from states.errors import ProcedureError

# The Party was founded in 1930, so no report counts anything earlier; a year past 2100 is a typo. Without the
# bounds, 0001 or 9999 crashed the report (the same period a year earlier, or a year after, is no date).
FIRST_YEAR, LAST_YEAR = 1930, 2100


class PeriodError(ProcedureError, ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(f"{text!r} is not a period: use 2024, 2022-2025, 2024-H1, 2024-Q1, 2024-03 or "
                         f"2024-01..2024-10, with years from {FIRST_YEAR} to {LAST_YEAR}")
        self.text = text


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, first_year: int, last_year: int) -> bool:
        return first_year <= self.end.year and last_year >= self.start.year

    def previous(self) -> "Period":
        """The same dates one year earlier; a span of N calendar years steps back N years (the previous term)."""
        whole_years = self.start == date(self.start.year, 1, 1) and self.end == date(self.end.year, 12, 31)
        shift = len(self.years) if whole_years else 1
        return Period(_years_back(self.start, shift), _years_back(self.end, shift, end=True),
                      _label_back(self.label, shift))


def _years_back(day: date, years: int, end: bool = False) -> date:
    year = day.year - years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, last if end and day.day == calendar.monthrange(day.year, day.month)[1]
                else min(day.day, last))


def _label_back(label: str, years: int) -> str:
    return re.sub(r"\d{4}", lambda m: str(int(m.group()) - years), label)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def years(first: int, last: int) -> Period:
    label = str(first) if first == last else f"{first}-{last}"
    return Period(date(first, 1, 1), date(last, 12, 31), label)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-(\d{4})$"), "years"),
    (re.compile(r"^(\d{4})-?[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-?[Hh]([12])$"), "half"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$"), "months"),
]


def parse_period(text: str) -> Period:
    """Raises: PeriodError naming the accepted forms and years."""
    value = text.strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                period = _build(kind, [int(g) for g in match.groups()], value)
            except ValueError:
                raise PeriodError(text) from None
            if period.start > period.end or period.start.year < FIRST_YEAR or period.end.year > LAST_YEAR:
                raise PeriodError(text)
            return period
    raise PeriodError(text)


def _build(kind: str, n: list[int], label: str) -> Period:
    if kind == "year":
        return years(n[0], n[0])
    if kind == "years":
        return years(n[0], n[1])
    if kind == "quarter":
        first = 3 * n[1] - 2
        return Period(date(n[0], first, 1), _month_end(n[0], first + 2), f"{n[0]}-Q{n[1]}")
    if kind == "half":
        first = 6 * n[1] - 5
        return Period(date(n[0], first, 1), _month_end(n[0], first + 5), f"{n[0]}-H{n[1]}")
    if kind == "month":
        return Period(date(n[0], n[1], 1), _month_end(n[0], n[1]), label)
    return Period(date(n[0], n[1], 1), _month_end(n[2], n[3]), label)
