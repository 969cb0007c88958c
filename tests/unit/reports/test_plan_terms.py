"""A plan as a congress term (issue 20): its dates lie in its years, only a term may have no target, and a
report "so far" is the period cut at a date."""

from datetime import date

import pytest
from pydantic import ValidationError

from workflow.reports.by_type import of_which, so_far
from workflow.reports.periods import PeriodError, parse_period
from workflow.reports.plans import Plan, SetPlan

TERM: dict = {"org": "K", "first_year": 2020, "last_year": 2025, "name": "Nghị quyết Đại hội 2020-2025"}  # type: ignore[type-arg]


def test_a_term_runs_from_its_congress_and_needs_no_target() -> None:
    cmd = SetPlan(**TERM, starts_on=date(2020, 7, 10))
    plan = Plan(1, "K", 2020, 2025, "resolution", cmd.name, None, None, None, {}, cmd.starts_on, None)
    assert (plan.period().start, plan.period().end, plan.period().label) == (
        date(2020, 7, 10), date(2025, 12, 31), "Nghị quyết Đại hội 2020-2025")


@pytest.mark.parametrize("extra", [
    {},  # neither a total, nor a rate, nor a congress date
    {"starts_on": date(2019, 7, 10)},  # the congress is not in the first year
    {"starts_on": date(2020, 7, 10), "ends_on": date(2024, 12, 31)},  # the end is not in the last year
    {"total": 10, "rate_percent": 3},
])
def test_a_plan_without_a_target_or_with_dates_outside_its_years_is_refused(extra: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError):
        SetPlan(**TERM, **extra)


def test_so_far_cuts_the_period_at_a_date_and_refuses_a_date_before_it() -> None:
    year = parse_period("2022")
    cut = so_far(year, date(2022, 6, 30))
    assert (cut.start, cut.end, cut.label) == (date(2022, 1, 1), date(2022, 6, 30), "2022 (đến 30/06/2022)")
    assert so_far(year, date(2023, 1, 1)) == year and so_far(year, None) == year
    with pytest.raises(PeriodError):
        so_far(year, date(2021, 12, 31))


def test_a_group_row_reads_of_which() -> None:
    assert of_which("Trong doanh nghiệp") == "Trong đó: doanh nghiệp"
    assert of_which("Khối cơ quan") == "Trong đó: Khối cơ quan"
