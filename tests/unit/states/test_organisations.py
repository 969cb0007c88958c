"""The organisation tree as a dated history (states/organisations.py) and the judging of its changes
(states/org_changes.py): pure, at the boundaries of every rule."""

from datetime import date

import pytest

from states.org_changes import check_change
from states.organisations import SINCE_ALWAYS, OrgChange, OrgHistory

D = date(2025, 7, 1)
BEFORE = date(2025, 6, 30)


def created(code: str, level: str, parent: str | None = None, admits: bool = False,
            on: date = SINCE_ALWAYS) -> OrgChange:
    return OrgChange("created", code, on, name=f"Tổ chức {code}", level=level, parent=parent, admits=admits)


BASE = [
    created("TINH", "province"),
    created("H", "upper", "TINH"),
    created("DU-CS", "grassroots", "H"),
    created("DU-AD", "grassroots", "H", admits=True),
    created("CB-01", "branch", "DU-CS"),
    created("CB-02", "branch", "DU-CS"),
    created("CB-03", "branch", "DU-AD"),
    created("X", "commune", "TINH", on=D),
]


def history(*more: OrgChange) -> OrgHistory:
    return OrgHistory([*BASE, *more])


def rules(change: OrgChange, *more: OrgChange, in_flight: dict[str, list[str]] | None = None) -> list[str]:
    return [v.rule for v in check_change(history(*more), change, in_flight)]


# --- the tree of a date -----------------------------------------------------------------------------------------

def test_a_change_takes_effect_on_its_date_and_not_the_day_before() -> None:
    h = history(OrgChange("moved", "DU-CS", D, parent="X"), OrgChange("renamed", "CB-01", D, name="Chi bộ Một"))

    assert [o.code for o in h.tree_on(BEFORE).chain("CB-01")] == ["CB-01", "DU-CS", "H", "TINH"]
    assert [o.code for o in h.tree_on(D).chain("CB-01")] == ["CB-01", "DU-CS", "X", "TINH"]
    assert (h.tree_on(BEFORE).name("CB-01"), h.tree_on(D).name("CB-01")) == ("Tổ chức CB-01", "Chi bộ Một")
    assert h.tree_on(BEFORE).get("X") is None and h.tree_on(D).living("X") is not None


def test_who_decides_follows_authorisation_on_its_date() -> None:
    h = history(OrgChange("authorised", "DU-CS", D, admits=True))

    assert h.tree_on(BEFORE).competent_body("CB-01") == ("H", True)  # V2: the grassroots committee votes
    assert h.tree_on(D).competent_body("CB-01") == ("DU-CS", False)  # V3: authorised, decides itself
    assert h.tree_on(D).competent_body("CB-03") == ("DU-AD", False)


def test_a_merged_organisations_children_and_candidates_follow_the_successor() -> None:
    h = history(OrgChange("merged", "DU-CS", D, into="DU-AD"), OrgChange("merged", "CB-01", D, into="CB-03"))
    after = h.tree_on(D)

    assert after.living("DU-CS") is None and after.get("DU-CS").successors == ("DU-AD",)  # type: ignore[union-attr]
    assert after.get("CB-02").parent_code == "DU-AD"  # type: ignore[union-attr]
    assert after.current("CB-01", "c1") == "CB-03" and h.tree_on(BEFORE).current("CB-01", "c1") == "CB-01"
    assert after.get("CB-03").predecessors == ("CB-01",)  # type: ignore[union-attr]
    assert after.subtree(["DU-AD"]) == {"DU-AD", "CB-02", "CB-03"}


def test_a_split_branch_sends_each_candidate_where_the_change_names() -> None:
    h = history(OrgChange("split", "CB-01", D, parts={"c1": "CB-02", "c2": "CB-03"}))

    after = h.tree_on(D)
    assert (after.current("CB-01", "c1"), after.current("CB-01", "c2")) == ("CB-02", "CB-03")
    assert after.current("CB-01", "c3") == "CB-01"  # not named: stays with the ended branch, visibly



def test_a_tree_names_the_organisations_ended_by_its_day() -> None:
    """A report finds a scope's predecessors among these, not among the nation's every organisation."""
    h = history(OrgChange("merged", "CB-01", D, into="CB-03"), OrgChange("split", "CB-02", D, parts={"c1": "CB-03"}))

    assert h.tree_on(BEFORE).ended_codes() == frozenset()
    assert h.tree_on(D).ended_codes() == {"CB-01", "CB-02"}

# --- every refusal --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    (created("CB-01", "branch", "DU-CS"), ["org_exists"]),
    (created("CB-09", "cell", "DU-CS"), ["org_level_invalid"]),
    (created("CB-09", "branch", "X", on=BEFORE), ["org_parent_not_living"]),
    (created("CB-09", "branch", "X", on=D), []),
    (OrgChange("renamed", "NOPE", D, name="x"), ["org_not_found"]),
    (OrgChange("renamed", "X", BEFORE, name="x"), ["org_change_before_founded"]),
    (OrgChange("renamed", "X", D, name=" "), ["org_name_missing"]),
    (OrgChange("moved", "H", D, parent="CB-01"), ["org_move_cycle"]),
    (OrgChange("moved", "H", D, parent="H"), ["org_move_cycle"]),
    (OrgChange("moved", "DU-CS", BEFORE, parent="X"), ["org_parent_not_living"]),
    (OrgChange("moved", "DU-CS", D, parent="X"), []),
    (OrgChange("merged", "CB-01", D, into="CB-01"), ["org_merge_into_self"]),
    (OrgChange("merged", "CB-01", BEFORE, into="X"), ["org_successor_not_living"]),
    (OrgChange("merged", "H", D, into="DU-CS"), ["org_move_cycle"]),
    (OrgChange("merged", "H", D, into="X"), []),
    (OrgChange("split", "DU-CS", D, parts={"CB-01": "DU-AD"}), ["org_split_part_missing"]),
    (OrgChange("split", "DU-CS", D, parts={"CB-01": "DU-AD", "CB-02": "NOPE"}), ["org_successor_not_living"]),
    (OrgChange("split", "DU-CS", D, parts={"CB-01": "DU-AD", "CB-02": "DU-AD"}), []),
    (OrgChange("dissolved", "H", D), ["org_dissolve_has_children"]),
    (OrgChange("dissolved", "CB-02", D), []),
])
def test_each_change_is_judged_against_the_tree_of_its_date(change: OrgChange, expected: list[str]) -> None:
    assert rules(change) == expected


def test_a_change_after_the_end_or_before_a_later_one_is_refused() -> None:
    ended = OrgChange("dissolved", "CB-02", D)
    renamed = OrgChange("renamed", "CB-01", D, name="Chi bộ Một")

    assert rules(OrgChange("renamed", "CB-02", date(2025, 8, 1), name="x"), ended) == ["org_change_after_end"]
    assert rules(OrgChange("renamed", "CB-01", BEFORE, name="x"), renamed) == ["org_change_out_of_order"]


def test_candidates_in_flight_are_never_left_behind() -> None:
    flying = {"CB-01": ["c1", "c2"]}

    assert rules(OrgChange("dissolved", "CB-01", D), in_flight=flying) == ["org_dissolve_has_candidates"]
    assert rules(OrgChange("split", "CB-01", D, parts={"c1": "CB-02"}), in_flight=flying) == \
        ["org_split_candidate_missing"]
    assert rules(OrgChange("level_changed", "CB-01", D, level="upper"), in_flight=flying) == \
        ["org_level_keeps_candidates"]
    assert rules(OrgChange("dissolved", "CB-02", D), in_flight=flying) == []


def test_a_change_that_leaves_candidates_with_no_competent_body_is_refused() -> None:
    """A grassroots organisation with no level above it decides for its branches only while authorised (V3):
    withdrawing the authorisation would leave CB-R's candidates with no committee competent to admit them."""
    alone = [created("DU-R", "grassroots", admits=True), created("CB-R", "branch", "DU-R")]
    withdraw = OrgChange("authorised", "DU-R", D, admits=False)

    assert rules(withdraw, *alone, in_flight={"CB-R": ["c1"]}) == ["org_no_competent_body"]
    assert rules(withdraw, *alone, in_flight={}) == []
    assert rules(OrgChange("authorised", "DU-CS", D, admits=False), in_flight={"CB-01": ["c1"]}) == []
