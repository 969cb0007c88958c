"""V3 (DOMAIN.md, HD06 §3.7a): a grassroots committee authorised to admit decides, and recognises, only with at
least 2/3 of ALL its committee members in favour; its decision records that vote. An upper committee's decision
needs none. Decisions entered before the rule set's `decision_vote_from` without a vote are judged as then."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from states.errors import RuleViolation
from states.stages import Stage
from states.step import OrgFacts
from tests.builders import rulebook
from tests.unit.states.helpers import STANDARD, date_of, decide_on, fields_of, rule_ids, run, state

CHECKED = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # entered on 01/12/2026, the rule's first day (config.yaml)
BEFORE_THE_RULE = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
AUTHORISED = OrgFacts(org_level="branch", competent_body="DU-XA", committee_vote_required=False,
                      decides_as_grassroots=True)
UPPER = OrgFacts(org_level="branch", competent_body="DU-XA", committee_vote_required=True)


def _attempt(step: str, facts: OrgFacts, recorded_at: datetime = CHECKED, **vote: Any) -> list[Any]:
    """The step of the standard path with `vote` added; [] when accepted, else the refusal's violations."""
    events = run(STANDARD, stop=step)
    fields = {**fields_of(STANDARD, step), **vote}
    on = date_of(STANDARD, step)
    try:
        after = decide_on(events, step, on, fields, facts=facts, recorded_at=recorded_at)
    except RuleViolation as refused:
        return list(refused.violations)
    assert state(after).stage in (Stage.ADMITTED, Stage.OFFICIAL)
    return []


def test_the_rule_day_comes_from_config_and_is_the_same_in_every_rule_set() -> None:
    assert {r.decision_vote_from for r in rulebook().versions} == {date(2026, 12, 1)}


@pytest.mark.parametrize("step", ["decide_admission", "recognise_official"])
@pytest.mark.parametrize(("in_favour", "accepted"), [(9, True), (6, True), (5, False), (0, False)])
def test_an_authorised_committee_decides_with_two_thirds_of_all_members(step: str, in_favour: int,
                                                                         accepted: bool) -> None:
    found = _attempt(step, AUTHORISED, committee_members=9, in_favour=in_favour)
    assert rule_ids(found) == ([] if accepted else ["decision_vote_not_passed"])
    if not accepted:
        assert found[0].field == "in_favour" and "2/3" in found[0].message_vi


@pytest.mark.parametrize("step", ["decide_admission", "recognise_official"])
def test_ceil_of_two_thirds_for_members_not_divisible_by_three(step: str) -> None:
    """10 members: 2/3 is 6.67, so 7 are needed (as V2's committee vote counts)."""
    assert rule_ids(_attempt(step, AUTHORISED, committee_members=10, in_favour=6)) == ["decision_vote_not_passed"]
    assert _attempt(step, AUTHORISED, committee_members=10, in_favour=7) == []


@pytest.mark.parametrize("step", ["decide_admission", "recognise_official"])
def test_an_authorised_committee_decision_without_its_vote_is_refused(step: str) -> None:
    found = _attempt(step, AUTHORISED)
    assert rule_ids(found) == ["decision_needs_vote"] and found[0].field == "committee_members"
    assert "Số cấp ủy viên" in found[0].message_vi


@pytest.mark.parametrize("step", ["decide_admission", "recognise_official"])
def test_entered_before_the_rule_day_without_a_vote_is_judged_as_then(step: str) -> None:
    assert _attempt(step, AUTHORISED, recorded_at=BEFORE_THE_RULE) == []
    found = _attempt(step, AUTHORISED, recorded_at=BEFORE_THE_RULE, committee_members=9, in_favour=5)
    assert rule_ids(found) == ["decision_vote_not_passed"]


@pytest.mark.parametrize("step", ["decide_admission", "recognise_official"])
def test_an_upper_committee_decides_without_a_vote_and_its_counts_must_agree(step: str) -> None:
    assert _attempt(step, UPPER) == []
    assert _attempt(step, UPPER, committee_members=9, in_favour=3) == []
    assert rule_ids(_attempt(step, UPPER, committee_members=9, in_favour=10)) == ["vote_counts"]
    assert rule_ids(_attempt(step, UPPER, committee_members=9)) == ["decision_vote_incomplete"]
