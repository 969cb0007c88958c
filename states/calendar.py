"""Working days in Vietnam: Monday to Friday, minus public holidays, plus make-up Saturdays and overrides.

DOMAIN.md D6, D8, D9, D11, D12 count "ngày làm việc"; the Party documents do not define it (open question 4),
so we follow the civil-service calendar that the `holidays` package encodes, with overrides for days the
government announces later (ARCHITECTURE.md decision 7).
"""

from __future__ import annotations  # `holidays` loads when a working day is first asked (issue 14: `ketnap show`)

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> holidays.HolidayBase:
    """Built once per process: a year of `holidays` costs about 20 ms, and every calendar (each service, each
    audit worker, each test) would build its own. Read only: overrides are applied by WorkingCalendar."""
    import holidays

    return holidays.country_holidays(country, years=year)


@dataclass(frozen=True)
class WorkingCalendar:
    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    country: str = "VN"
    _cache: dict[int, holidays.HolidayBase] = field(default_factory=dict, compare=False, repr=False)
    # Answers per date: a deadline walks 30 to 90 days, and the `holidays` look-up costs more than a dict's.
    _working: dict[date, bool] = field(default_factory=dict, compare=False, repr=False)
    # and per (start, n): most steps open a deadline, and a branch's steps fall on a few hundred dates a year
    _added: dict[tuple[date, int], date] = field(default_factory=dict, compare=False, repr=False)
    # each year's running count of working days (working_days_between)
    _totals: dict[int, list[int]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_lists(cls, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> WorkingCalendar:
        return cls(frozenset(days_off), frozenset(working_days))

    @cached_property
    def version(self) -> str:
        """Identifies the calendar a due date was computed with, stored beside the deadline."""
        from holidays.version import __version__ as holidays_version

        overrides = ",".join(
            [f"-{d.isoformat()}" for d in sorted(self.extra_days_off)]
            + [f"+{d.isoformat()}" for d in sorted(self.extra_working_days)]
        )
        digest = hashlib.sha256(overrides.encode()).hexdigest()[:8]
        return f"holidays-{holidays_version}-{self.country}+{digest}"

    def _year(self, year: int) -> holidays.HolidayBase:
        if year not in self._cache:
            self._cache[year] = _public_holidays(self.country, year)
        return self._cache[year]

    def is_working_day(self, d: date) -> bool:
        known = self._working.get(d)
        if known is None:
            known = self._working[d] = self._is_working_day(d)
        return known

    def _is_working_day(self, d: date) -> bool:
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off:
            return False
        return bool(self._year(d.year).is_working_day(d))

    def holiday_name(self, d: date) -> str | None:
        name = self._year(d.year).get(d)
        return str(name) if name else None

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`, `start` itself not counted (Civil Code art. 147, UNVERIFIED)."""
        if n < 0:
            raise ValueError("n must not be negative")
        found = self._added.get((start, n))
        if found is None:
            found = self._added[(start, n)] = self._walk(start, n)
        return found

    def _walk(self, start: date, n: int) -> date:
        one_day, answers = timedelta(days=1), self._working  # the loop runs up to ~90 days per deadline
        d, left = start, n
        while left:
            d += one_day
            working = answers.get(d)
            if working is None:
                working = self.is_working_day(d)
            if working:
                left -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start. Counted from each year's running
        totals, not day by day: a report lists every overdue deadline, some overdue for years (issue 14)."""
        if end < start:
            return -self.working_days_between(end, start)
        between = sum(self._running(year)[-1] for year in range(start.year, end.year))
        return between + self._running(end.year)[_day_of_year(end)] - self._running(start.year)[_day_of_year(start)]

    def _running(self, year: int) -> list[int]:
        """Working days of `year` up to and including each day (index 0: none, index n: through its n-th day)."""
        found = self._totals.get(year)
        if found is None:
            found, count, d = [0], 0, date(year, 1, 1)
            while d.year == year:
                count += self.is_working_day(d)
                found.append(count)
                if d == date.max:
                    break
                d += timedelta(days=1)
            self._totals[year] = found
        return found


def _day_of_year(d: date) -> int:
    return d.timetuple().tm_yday
