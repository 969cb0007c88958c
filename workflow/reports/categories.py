"""The categories new members are reported by (DOMAIN.md section 8: women, ethnic minority, religious, Youth
Union members, aged 18-30, students, workers in private enterprises...), each with its Vietnamese heading."""

import calendar
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from states.dates import age_months
from states.fields import Category
from workflow.reports.settings import ReportSettings

# Derived from the person's record rather than chosen from `categories` (E1, E5, E7, E9).
PERSONAL: dict[str, str] = {
    "women": "Nữ",
    "ethnic_minority": "Dân tộc thiểu số",
    "religious": "Có đạo (tôn giáo)",
    "youth_union": "Đoàn viên thanh niên",
    "trade_union": "Đoàn viên công đoàn",
    "age_18_30": "Tuổi 18-30",
}

# The `categories` field of `identify` (states/fields.py Category), by occupation.
OCCUPATIONS: dict[str, str] = {
    Category.STUDENT.value: "Học sinh, sinh viên",
    Category.PRIVATE_ENTERPRISE.value: "Doanh nghiệp ngoài nhà nước",
    Category.STATE_ENTERPRISE.value: "Doanh nghiệp nhà nước",
    Category.PUBLIC_SERVANT.value: "Cán bộ, công chức, viên chức",
    Category.ARMED_FORCES.value: "Lực lượng vũ trang",
    Category.FARMER.value: "Nông dân",
    Category.WORKER.value: "Công nhân",
    Category.TEACHER.value: "Giáo viên",
    Category.HEALTH_WORKER.value: "Y tế",
    Category.OTHER.value: "Khác",
}

HEADINGS: dict[str, str] = {**PERSONAL, **OCCUPATIONS}
assert set(OCCUPATIONS) == {c.value for c in Category}, "every occupation category needs a heading"


def is_known(category: str) -> bool:
    return category in HEADINGS


def categories_of(row: Mapping[Any, Any], on: date | None, settings: ReportSettings) -> set[str]:
    """Every category a new member counts in, judged on the counting date (age) with the configured lists."""
    found = {c for c in row.get("categories") or () if c in OCCUPATIONS}
    if row.get("sex") == "F":
        found.add("women")
    ethnicity = (row.get("ethnicity") or "").strip()
    if ethnicity and ethnicity not in settings.majority_ethnicities:
        found.add("ethnic_minority")
    religion = (row.get("religion") or "").strip()
    if religion and religion not in settings.no_religion:
        found.add("religious")
    if row.get("youth_union"):
        found.add("youth_union")
    if row.get("trade_union"):
        found.add("trade_union")
    birth = row.get("birth_date")
    if birth is not None and on is not None:
        years = age_months(birth, on) // 12
        if settings.young_age.min_years <= years <= settings.young_age.max_years:
            found.add("age_18_30")
    return found


def age_years(birth: date, on: date) -> int:
    """`age_months(birth, on) // 12` without building a date, for reports that judge tens of thousands of rows:
    the month is complete unless the birthday's day-of-month, clamped to `on`'s month, is still to come."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if birth.day > on.day and on.day < calendar.monthrange(on.year, on.month)[1]:
        months -= 1
    return months // 12


# What categories_of reads of a record.
RECORD = ("categories", "sex", "ethnicity", "religion", "youth_union", "trade_union", "birth_date")


class Categoriser:
    """categories_of and groups_of memoised on what they depend on, for a report that judges every admission of
    a province: a few hundred distinct records (categories, sex, ethnicity, religion, unions, young or not) and
    organisation types, not one set per person. Gives the same sets as the functions it calls."""

    def __init__(self, settings: ReportSettings) -> None:
        self.settings = settings
        self._held: dict[tuple[Any, ...], frozenset[str]] = {}
        self._groups: dict[tuple[frozenset[str], str | None], frozenset[str]] = {}

    def categories(self, row: Mapping[Any, Any], on: date | None) -> frozenset[str]:
        return self.of(row.get("categories"), row.get("sex"), row.get("ethnicity"), row.get("religion"),
                       row.get("youth_union"), row.get("trade_union"), row.get("birth_date"), on)

    def of(self, categories: Any, sex: Any, ethnicity: Any, religion: Any, youth_union: Any, trade_union: Any,
           birth_date: date | None, on: date | None) -> frozenset[str]:
        """`categories` of a record given field by field (RECORD's order), as a report reads them in rows."""
        young = self.settings.young_age
        key = (tuple(categories or ()), sex, ethnicity, religion, bool(youth_union), bool(trade_union),
               birth_date is not None and on is not None
               and young.min_years <= age_years(birth_date, on) <= young.max_years)
        found = self._held.get(key)
        if found is None:
            values = (categories, sex, ethnicity, religion, youth_union, trade_union, birth_date)
            row = dict(zip(RECORD, values, strict=True))
            found = self._held[key] = frozenset(categories_of(row, on, self.settings))
        return found

    def groups(self, held: frozenset[str], org_type: str | None) -> frozenset[str]:
        key = (held, org_type)
        found = self._groups.get(key)
        if found is None:
            found = self._groups[key] = frozenset(groups_of(held, org_type, self.settings))
        return found


# --- groups of categories (config.yaml `reports.groups`, issue 20) -----------------------------------------------

def headings(settings: ReportSettings) -> dict[str, str]:
    """Every key a breakdown or a sub-target may name, categories then groups, with its Vietnamese heading."""
    return {**HEADINGS, **{key: group.vi for key, group in settings.groups.items()}}


def groups_of(categories: Iterable[str], org_type: str | None, settings: ReportSettings) -> set[str]:
    """The groups a new member or trainee counts in: by one of their categories, or by the type of their
    grassroots organisation on the counted date."""
    held = set(categories)
    return {key for key, group in settings.groups.items()
            if held.intersection(group.categories) or (org_type is not None and org_type in group.org_types)}
