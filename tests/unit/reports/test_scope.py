"""Where a dated fact counts in a report, read from the organisation history alone (no database): the tree of the
fact's date, the founding tree before the root existed, and the predecessor named for it."""

from datetime import date

import pytest

from states.organisations import OrgChange, OrgHistory
from workflow.reports.scope import Place, Scope
from workflow.service import OrganisationError

ON = date(2025, 7, 1)
BEFORE, AFTER = date(2025, 3, 1), date(2025, 9, 1)


def created(code: str, level: str, parent: str | None, on: date = date.min) -> OrgChange:
    return OrgChange("created", code, on, name=f"Tổ chức {code}", level=level, parent=parent)


HISTORY = OrgHistory([
    created("TINH", "province", None), created("H", "upper", "TINH"),
    created("G", "grassroots", "H"), created("CB-G1", "branch", "G"),
    created("A", "grassroots", "H"), created("CB-A1", "branch", "A"),
    created("P", "branch", "H"),
    created("X", "commune", "TINH", ON), created("Y", "commune", "TINH", ON), created("Z", "commune", "TINH", ON),
    OrgChange("moved", "G", ON, parent="X"),
    OrgChange("merged", "A", ON, into="X"),
    OrgChange("split", "P", ON, parts={"c1": "Y", "c2": "Z"}),
    OrgChange("dissolved", "H", ON),
])


def test_a_fact_counts_where_the_tree_of_its_date_placed_the_branch() -> None:
    district, commune = Scope(HISTORY, "H"), Scope(HISTORY, "X")

    assert district.place("CB-G1", "c", BEFORE) == Place("CB-G1", "G")
    assert district.place("CB-G1", "c", AFTER) is None
    assert commune.place("CB-G1", "c", AFTER) == Place("CB-G1", "G")
    assert commune.place("CB-A1", "c", AFTER) == Place("CB-A1", "CB-A1")  # A's branch, moved under X by the merge


def test_before_the_root_existed_its_branches_count_as_their_predecessors() -> None:
    commune = Scope(HISTORY, "X")

    assert commune.place("CB-G1", "c", BEFORE) == Place("CB-G1", "G", predecessor="H")  # G came from H
    assert commune.place("CB-A1", "c", BEFORE) == Place("CB-A1", "CB-A1", predecessor="A")  # A merged into X
    assert [o.code for o in commune.predecessors(date(2025, 1, 1), date(2025, 12, 31))] == ["A", "H"]
    assert [o.code for o in commune.sub_units(date(2025, 1, 1), date(2025, 12, 31))] == ["CB-A1", "G"]


def test_leaving_predecessors_out_keeps_the_place_but_does_not_count_it() -> None:
    commune = Scope(HISTORY, "X", predecessors=False)

    place = commune.place("CB-G1", "c", BEFORE)
    assert place is not None and not commune.counts(place)
    assert commune.counts(commune.place("CB-G1", "c", AFTER))


def test_the_candidates_of_a_split_branch_are_placed_one_by_one() -> None:
    y, z = Scope(HISTORY, "Y"), Scope(HISTORY, "Z")

    assert y.place("P", "c1", AFTER) == Place("Y", "Y") and y.place("P", "c2", AFTER) is None
    assert z.place("P", "c2", AFTER) == Place("Z", "Z")
    assert y.place("P", "c1", BEFORE) == Place("P", "Y", predecessor="P")


def test_a_root_over_the_whole_tree_needs_no_in_list_and_a_sub_tree_does() -> None:
    assert Scope(HISTORY, "TINH").codes(date(2024, 1, 1), date(2025, 12, 31)) is None
    codes = Scope(HISTORY, "H").codes(date(2024, 1, 1), date(2024, 12, 31))
    assert codes == {"H", "G", "CB-G1", "A", "CB-A1", "P"}


def test_an_unknown_organisation_is_refused() -> None:
    with pytest.raises(OrganisationError):
        Scope(HISTORY, "NOPE")
