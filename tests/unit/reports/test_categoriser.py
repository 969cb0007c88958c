"""The memoised categories of the reports (categories.Categoriser, age_years) give exactly what the per-row
functions give: the admissions report reads tens of thousands of rows through them."""

import itertools
import random
from datetime import date, timedelta

from states.dates import age_months
from tests.builders import settings
from workflow.reports.categories import RECORD, Categoriser, age_years, categories_of, groups_of
from workflow.reports.settings import Group

REPORTS = settings().reports


def test_age_years_is_age_months_in_whole_years_on_every_edge_day() -> None:
    births = [date(1996, 1, 1) + timedelta(days=n) for n in range(0, 366 * 5, 3)]
    births += [date(y, m, d) for y in (1996, 2000, 2004) for m, d in ((2, 29), (1, 31), (3, 31), (8, 31))]
    ons = [date(y, m, d) for y in (2022, 2023, 2024, 2025) for m in range(1, 13) for d in (1, 15, 27, 28, 29, 30, 31)
           if d <= (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day]
    for birth, on in itertools.product(births, ons):
        assert age_years(birth, on) == age_months(birth, on) // 12, (birth, on)


def test_the_categoriser_gives_what_categories_of_and_groups_of_give_row_by_row() -> None:
    reports = REPORTS.model_copy(update={"groups": {
        "enterprise": Group(vi="Doanh nghiệp", categories=["private_enterprise"], org_types=["enterprise"]),
        "young_women": Group(vi="Nữ trẻ", categories=["women"], org_types=[])}})
    judge, rng = Categoriser(reports), random.Random(19)
    for _ in range(5000):
        row = {"sex": rng.choice(["F", "M", None]), "ethnicity": rng.choice([None, "", "Kinh", " Kinh ", "Tày"]),
               "religion": rng.choice([None, "Không", "-", "Phật giáo", " "]),
               "youth_union": rng.choice([True, False, None, 1, 0]), "trade_union": rng.choice([True, False, None]),
               "categories": rng.choice([None, [], ["student"], ["private_enterprise", "worker"], ["unknown"]]),
               "birth_date": rng.choice([None, date(1990, 1, 1) + timedelta(days=rng.randrange(6000))])}
        on = rng.choice([None, date(2024, 1, 1) + timedelta(days=rng.randrange(731))])
        org_type = rng.choice([None, "enterprise", "commune"])
        held = judge.categories(row, on)
        assert held == categories_of(row, on, reports)
        assert judge.of(*(row[name] for name in RECORD), on) == held
        assert judge.groups(held, org_type) == groups_of(categories_of(row, on, reports), org_type, reports)
