"""Who counts in which category of the reports (DOMAIN.md section 8), judged with config.yaml's lists."""

from datetime import date
from typing import Any

import pytest

from tests.builders import settings
from workflow.reports.categories import HEADINGS, categories_of

REPORTS = settings().reports
ON = date(2024, 6, 1)


def person(**fields: Any) -> dict[str, Any]:
    return {"sex": "M", "birth_date": date(1980, 1, 1), "ethnicity": None, "religion": None,
            "youth_union": False, "trade_union": False, "categories": [], **fields}


@pytest.mark.parametrize(("birth", "young"), [
    (date(2006, 6, 1), True),   # 18 on the day
    (date(2006, 6, 2), False),  # one day short of 18
    (date(1993, 6, 2), True),   # 30 years, 11 months and 30 days
    (date(1993, 6, 1), False),  # 31 on the day
])
def test_age_18_30_is_counted_in_full_years_on_the_counting_date(birth: date, young: bool) -> None:
    assert ("age_18_30" in categories_of(person(birth_date=birth), ON, REPORTS)) is young


def test_ethnic_minority_is_any_ethnicity_but_the_configured_majority() -> None:
    assert "ethnic_minority" in categories_of(person(ethnicity="Ê Đê"), ON, REPORTS)
    assert "ethnic_minority" not in categories_of(person(ethnicity="Kinh"), ON, REPORTS)
    assert "ethnic_minority" not in categories_of(person(ethnicity=None), ON, REPORTS)


def test_religion_counts_unless_it_is_one_of_the_no_religion_words() -> None:
    assert "religious" in categories_of(person(religion="Phật giáo"), ON, REPORTS)
    assert "religious" not in categories_of(person(religion="Không"), ON, REPORTS)


def test_women_union_members_and_occupations_are_taken_from_the_record() -> None:
    found = categories_of(person(sex="F", youth_union=True, categories=["student", "private_enterprise"]), ON,
                          REPORTS)
    assert {"women", "youth_union", "student", "private_enterprise"} <= found
    assert found <= set(HEADINGS)
