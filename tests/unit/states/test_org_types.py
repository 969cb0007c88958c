"""Organisation types as a dated attribute (issue 20): what a tree of a date says about a type, which
organisations are grassroots ones, and what a change of type may not be."""

from datetime import date

import pytest

from states.org_changes import check_change
from states.organisations import OrgChange, OrgHistory
from tests.builders import settings
from workflow.config import DEFAULT_CONFIG, ConfigError, parse_settings

TYPES = ("agency", "press", "state_enterprise")
FOUNDED = date(2020, 1, 1)


def history() -> OrgHistory:
    return OrgHistory([
        OrgChange("created", "K", FOUNDED, name="Khối", level="upper"),
        OrgChange("created", "DB", FOUNDED, name="Đảng bộ Sở", level="grassroots", parent="K", org_type="agency"),
        OrgChange("created", "CB", FOUNDED, name="Chi bộ phòng", level="branch", parent="DB"),
        OrgChange("created", "CBCS", FOUNDED, name="Chi bộ cơ sở", level="branch", parent="K", org_type="press"),
        OrgChange("typed", "DB", date(2023, 10, 1), org_type="state_enterprise"),
    ])


def test_a_type_holds_from_its_date_and_a_branch_counts_under_its_grassroots_organisations_type() -> None:
    before, after = history().tree_on(date(2023, 9, 30)), history().tree_on(date(2023, 10, 1))
    assert (before.type_of("DB"), before.type_of("CB")) == ("agency", "agency")
    assert (after.type_of("DB"), after.type_of("CB")) == ("state_enterprise", "state_enterprise")
    assert after.type_of("K") is None and after.type_of("NOWHERE") is None


def test_grassroots_organisations_are_grassroots_committees_and_branches_directly_under_a_higher_level() -> None:
    tree = history().latest()
    assert [o.code for o in tree.grassroots(["K"])] == ["CBCS", "DB"]


@pytest.mark.parametrize(("change", "rule", "field"), [
    (OrgChange("typed", "DB", date(2019, 12, 31), org_type="press"), "org_change_before_founded", "on"),
    (OrgChange("typed", "DB", date(2024, 1, 1), org_type="bank"), "org_type_unknown", "org_type"),
    (OrgChange("typed", "DB", date(2024, 1, 1)), "org_type_missing", "org_type"),
    (OrgChange("created", "X", date(2024, 1, 1), name="X", level="grassroots", parent="K", org_type="bank"),
     "org_type_unknown", "org_type"),
])
def test_a_change_of_type_is_refused_naming_the_field(change: OrgChange, rule: str, field: str) -> None:
    found = check_change(history(), change, {}, TYPES)
    assert [(v.rule, v.field) for v in found] == [(rule, field)]


def test_a_known_type_on_or_after_the_founding_day_is_accepted_and_any_type_without_a_list() -> None:
    assert check_change(history(), OrgChange("typed", "DB", date(2024, 1, 1), org_type="press"), {}, TYPES) == []
    assert check_change(history(), OrgChange("typed", "DB", date(2024, 1, 1), org_type="bank"), {}) == []


def test_a_stored_event_without_a_type_reads_as_no_type() -> None:
    change = OrgChange.from_event("created", "OLD", FOUNDED, {"name": "Cũ", "level": "branch", "parent": None})
    assert change.org_type is None and "org_type" not in change.payload()


def test_the_shipped_groups_name_configured_types_and_a_group_naming_an_unknown_one_is_refused() -> None:
    shipped = settings()
    for group in shipped.reports.groups.values():
        assert set(group.org_types) <= set(shipped.org_types)
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace("foreign_enterprise]", "bank]", 1)
    with pytest.raises(ConfigError, match="bank"):
        parse_settings(text)
    clash = DEFAULT_CONFIG.read_text(encoding="utf-8").replace("    enterprise:\n", "    student:\n", 1)
    with pytest.raises(ConfigError, match="category"):
        parse_settings(clash)
