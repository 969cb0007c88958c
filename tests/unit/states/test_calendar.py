"""Working days (DOMAIN.md D6, D8, D9, D11; ARCHITECTURE.md decision 7), checked against dates counted by hand.

The official calendars used for the hand counts (civil service):
- 2025: New Year 1 Jan; Tết Sat 25 Jan - Sun 2 Feb (weekdays off Mon 27 - Fri 31 Jan); Hùng Kings Mon 7 Apr;
  30/4 Wed, 1/5 Thu, Fri 2 May off in exchange for the make-up Saturday 26 Apr; National Day Mon 1 + Tue 2 Sep.
- 2026: New Year 1 Jan; Tết Sat 14 - Sun 22 Feb (weekdays off Mon 16 - Fri 20 Feb); Hùng Kings Sun 26 Apr,
  observed Mon 27 Apr; 30/4 Thu, 1/5 Fri; National Day Tue 1 + Wed 2 Sep, plus Mon 31 Aug off in exchange
  for the make-up Saturday 22 Aug; Vietnam Cultural Day Tue 24 Nov (Resolution 80-NQ/TW).
"""

from datetime import date, timedelta

import pytest

from states.calendar import WorkingCalendar

CAL = WorkingCalendar()


@pytest.mark.parametrize(("day", "working"), [
    (date(2025, 1, 24), True),  # Friday before Tết
    (date(2025, 1, 27), False), (date(2025, 1, 29), False), (date(2025, 1, 31), False),  # Tết weekdays
    (date(2025, 2, 3), True),  # first working day after Tết 2025
    (date(2025, 4, 7), False),  # Hùng Kings 2025
    (date(2025, 4, 26), True),  # make-up Saturday
    (date(2025, 4, 27), False),  # an ordinary Sunday
    (date(2025, 4, 30), False), (date(2025, 5, 1), False), (date(2025, 5, 2), False),
    (date(2025, 9, 1), False), (date(2025, 9, 2), False), (date(2025, 9, 3), True),
    (date(2026, 2, 13), True), (date(2026, 2, 16), False), (date(2026, 2, 20), False), (date(2026, 2, 23), True),
    (date(2026, 4, 27), False),  # Hùng Kings observed on Monday
    (date(2026, 4, 28), True),
    (date(2026, 8, 22), True),  # make-up Saturday for 31 August
    (date(2026, 8, 31), False), (date(2026, 9, 1), False), (date(2026, 9, 2), False), (date(2026, 9, 3), True),
    (date(2026, 11, 24), False),  # Vietnam Cultural Day
    (date(2026, 11, 25), True),
])
def test_working_days_follow_the_official_calendar(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(("start", "n", "expected"), [
    # Ceremony deadline (D8, 30 working days) for a decision received on the Friday before Tết 2025:
    # day 1 is Mon 3 Feb, six full weeks -> Fri 14 Mar (a plain weekday count would give Fri 7 Mar).
    (date(2025, 1, 24), 30, date(2025, 3, 14)),
    # The same before Tết 2026: day 1 is Mon 23 Feb, six full weeks -> Fri 3 Apr.
    (date(2026, 2, 13), 30, date(2026, 4, 3)),
    # Across 2/9 2025: day 1 is Wed 3 Sep; 3 + 5*5 = 28 by Fri 10 Oct; Mon 13 = 29, Tue 14 Oct = 30.
    (date(2025, 8, 29), 30, date(2025, 10, 14)),
    # Across 2/9 2026: 31 Aug - 2 Sep off; day 1 is Thu 3 Sep; 2 + 5*5 = 27 by Fri 9 Oct; Wed 14 Oct = 30.
    (date(2026, 8, 28), 30, date(2026, 10, 14)),
    # The make-up Saturday 22 Aug 2026 counts: day 1 is that Saturday; Mon 24 - Fri 28 Aug = 2..6;
    # 31 Aug - 2 Sep off; Thu 3, Fri 4 Sep = 7, 8; four weeks to Fri 2 Oct = 28; Mon 5 = 29, Tue 6 Oct = 30.
    (date(2026, 8, 21), 30, date(2026, 10, 6)),
    # 60 working days (D6) from Fri 24 Jan 2025: Mon 3 Feb - Fri 25 Apr holds 60 weekdays minus Hùng Kings
    # (7 Apr) = 59, and the 60th is the make-up Saturday 26 Apr.
    (date(2025, 1, 24), 60, date(2025, 4, 26)),
    # ... and 90 (with the 30-day extension): Mon 28, Tue 29 Apr = 61, 62; 30 Apr - 2 May off;
    # five weeks 5 May - 6 Jun = 87; Mon 9, Tue 10, Wed 11 Jun = 90.
    (date(2025, 1, 24), 90, date(2025, 6, 11)),
    # Hùng Kings 2026 observed on Monday 27 Apr, then 30/4 and 1/5: Tue 28, Wed 29 Apr, Mon 4, Tue 5, Wed 6 May.
    (date(2026, 4, 24), 5, date(2026, 5, 6)),
    (date(2025, 4, 25), 1, date(2025, 4, 26)),  # the make-up Saturday is the next working day
    (date(2025, 4, 29), 1, date(2025, 5, 5)),  # 30 Apr, 1 and 2 May off, then the weekend
    (date(2026, 11, 23), 1, date(2026, 11, 25)),  # Vietnam Cultural Day skipped
    (date(2025, 1, 24), 0, date(2025, 1, 24)),  # the start day itself is not counted
])
def test_add_working_days_counted_by_hand(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_working_days_between_counts_the_end_not_the_start() -> None:
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert CAL.working_days_between(date(2025, 1, 24), date(2025, 3, 14)) == 30
    assert CAL.working_days_between(date(2025, 3, 14), date(2025, 1, 24)) == -30
    assert CAL.working_days_between(date(2025, 3, 14), date(2025, 3, 14)) == 0


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2025, 1, 24), -1)


@pytest.mark.parametrize(("calendar", "expected"), [
    (WorkingCalendar(), date(2025, 3, 14)),
    # A day off announced later (for example a sudden mourning day on Fri 14 Mar) pushes the deadline to Monday.
    (WorkingCalendar.from_lists(days_off=[date(2025, 3, 14)]), date(2025, 3, 17)),
    # A make-up working Saturday 1 Feb announced later counts as day 1: the deadline comes one day earlier.
    (WorkingCalendar.from_lists(working_days=[date(2025, 2, 1)]), date(2025, 3, 13)),
    # An override may also give back a public holiday as a working day.
    (WorkingCalendar.from_lists(working_days=[date(2025, 1, 27)]), date(2025, 3, 13)),
])
def test_overrides_change_the_due_date(calendar: WorkingCalendar, expected: date) -> None:
    assert calendar.add_working_days(date(2025, 1, 24), 30) == expected


def test_overrides_change_the_calendar_version_and_order_does_not() -> None:
    plain = WorkingCalendar()
    off = WorkingCalendar.from_lists(days_off=[date(2025, 3, 14)])
    on = WorkingCalendar.from_lists(working_days=[date(2025, 3, 14)])
    both = WorkingCalendar.from_lists(days_off=[date(2025, 3, 14), date(2025, 3, 17)])
    both_reversed = WorkingCalendar.from_lists(days_off=[date(2025, 3, 17), date(2025, 3, 14)])
    versions = {plain.version, off.version, on.version, both.version}
    assert len(versions) == 4  # a day off and a working day on the same date are different calendars
    assert both.version == both_reversed.version
    assert plain.version == WorkingCalendar().version  # stable across instances


def test_working_days_between_across_years_counts_as_a_day_by_day_walk() -> None:
    """Counted from running yearly totals (issue 14: a report lists deadlines overdue for years); the answer is
    the walk's, overrides and both ends included, whichever way round."""
    calendar = WorkingCalendar.from_lists([date(2024, 12, 31)], [date(2025, 1, 4)])

    def walk(start: date, end: date) -> int:
        return sum(calendar.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))

    for start, end in [(date(2022, 12, 31), date(2026, 1, 1)), (date(2024, 12, 30), date(2024, 12, 31)),
                       (date(2025, 1, 3), date(2025, 1, 4)), (date(2024, 2, 28), date(2024, 3, 1)),
                       (date(2025, 6, 1), date(2025, 6, 1))]:
        assert calendar.working_days_between(start, end) == walk(start, end)
        assert calendar.working_days_between(end, start) == -walk(start, end)
