"""Who counts in a branch vote (issue 13 item 3; DOMAIN.md V1, V5; QĐ294 §9.3.2): from 1 July 2025 the 2/3 are
counted of the official members convened, all of them less those temporarily active elsewhere and the exempted
members who are absent; earlier rule sets count every official member. The denominator is stored with the vote."""

from datetime import date
from typing import Any

import pytest

from states.candidate import replay
from states.decide import recheck_and_replay
from states.errors import RuleViolation
from states.events import Event
from tests.builders import PATH_TO_VOTE, calendar, history_until, record, rulebook

QD294_DAY = date(2025, 8, 1)   # a branch vote under qd294-2025 (vote_denominator: convened)
QD232_DAY = date(2025, 6, 2)   # under qd232-2025 (vote_denominator: official_members)
LEFT_OUT = {"official_members": 20, "temporarily_elsewhere": 2, "exempted_absent": 3}  # convened: 15


def _before_vote() -> list[Event]:
    events: list[Event] = []
    for name, on, fields in PATH_TO_VOTE:
        if name == "branch_vote":
            return events
        events = record(events, name, on, fields)
    raise AssertionError("the path has a branch vote")


def _vote(on: date, **fields: Any) -> Event:
    return record(_before_vote(), "branch_vote", on, fields)[-1]


def test_the_rule_of_each_rule_set_comes_from_config() -> None:
    rules = {r.id: r.vote_denominator for r in rulebook().versions}
    assert rules == {"qd29-2016": "official_members", "qd24-2021": "official_members",
                     "qd232-2025": "official_members", "qd294-2025": "convened"}


@pytest.mark.parametrize(("in_favour", "passed"), [(10, True), (9, False)])  # 3*10 = 2*15; 3*9 < 2*15
def test_exactly_two_thirds_of_those_convened_passes_and_one_fewer_fails(in_favour: int, passed: bool) -> None:
    vote = _vote(QD294_DAY, **LEFT_OUT, in_favour=in_favour)
    assert vote.derived["passed"] is passed
    assert (vote.derived["denominator"], vote.derived["denominator_rule"]) == (15, "convened")
    assert vote.payload["temporarily_elsewhere"] == 2 and vote.payload["exempted_absent"] == 3


def test_before_qd294_the_same_counts_are_measured_against_every_official_member() -> None:
    vote = _vote(QD232_DAY, **LEFT_OUT, in_favour=10)
    assert vote.derived["passed"] is False
    assert (vote.derived["denominator"], vote.derived["denominator_rule"]) == (20, "official_members")
    assert _vote(QD232_DAY, **LEFT_OUT, in_favour=14).derived["passed"] is True  # 42 >= 40


@pytest.mark.parametrize(("in_favour", "passed"), [(14, True), (13, False)])
def test_members_simply_absent_stay_in_the_denominator(in_favour: int, passed: bool) -> None:
    """QĐ294 §9.3.2 worked example (DOMAIN.md V1): 20 official members, 3 absent -> the denominator is 20."""
    vote = _vote(QD294_DAY, official_members=20, present=17, in_favour=in_favour)
    assert (vote.derived["passed"], vote.derived["denominator"]) == (passed, 20)


def test_an_exempted_member_who_attends_is_counted() -> None:
    """Exempted members count when they attend and vote: only the absent ones are left out."""
    vote = _vote(QD294_DAY, official_members=12, exempted_absent=0, present=12, in_favour=8)
    assert (vote.derived["passed"], vote.derived["denominator"]) == (True, 12)


def test_a_stated_number_convened_that_agrees_is_accepted() -> None:
    vote = _vote(QD294_DAY, **LEFT_OUT, convened=15, in_favour=10)
    assert vote.payload["convened"] == 15 and vote.derived["passed"] is True


@pytest.mark.parametrize(("fields", "reasons"), [
    ({**LEFT_OUT, "convened": 16, "in_favour": 10}, [("vote_convened", "convened")]),
    ({"official_members": 5, "temporarily_elsewhere": 3, "exempted_absent": 2, "in_favour": 0},
     [("vote_none_convened", "temporarily_elsewhere")]),
    ({**LEFT_OUT, "in_favour": 16}, [("vote_counts", "in_favour")]),
    ({**LEFT_OUT, "present": 16, "in_favour": 10}, [("vote_present", "present")]),
])
def test_counts_that_do_not_agree_are_refused_naming_field_and_rule(fields: dict[str, Any],
                                                                  reasons: list[tuple[str, str]]) -> None:
    with pytest.raises(RuleViolation) as refused:
        _vote(QD294_DAY, **fields)
    found = refused.value.violations
    assert [(v.rule, v.field) for v in found] == reasons
    assert all(v.ref.startswith("/rules#") and v.message_vi and v.message_en for v in found)


def test_the_refusal_names_the_fields_by_their_vietnamese_labels_and_the_regulation() -> None:
    with pytest.raises(RuleViolation) as refused:
        _vote(QD294_DAY, **LEFT_OUT, convened=16, in_favour=10)
    [found] = refused.value.violations
    assert "Số đảng viên chính thức được triệu tập" in found.message_vi and "15" in found.message_vi
    assert found.source == "QĐ 294-QĐ/TW §9.3.2"


def test_in_favour_may_exceed_those_convened_under_the_old_rule_only_up_to_every_official_member() -> None:
    vote = _vote(QD232_DAY, **LEFT_OUT, in_favour=16)  # 16 of 20 official members: accepted before QĐ294
    assert vote.derived["passed"] is True


def test_a_vote_stored_without_the_new_fields_keeps_its_meaning() -> None:
    """An event of an earlier release: no denominator in derived; replay reads the members recorded, the audit
    re-judges it clean."""
    events = history_until("committee_vote")
    old = events[-1]
    stripped = {k: v for k, v in old.derived.items() if k not in ("denominator", "denominator_rule")}
    assert old.type == "branch_vote" and old.derived["denominator"] == 20
    events[-1] = old._replace(derived=stripped)
    c = replay(events, stream_id="c-1")
    assert (c.branch_votes[-1].members, c.branch_votes[-1].passed) == (20, True)
    assert recheck_and_replay(events, rulebook(), calendar()).problems == []


def test_the_review_vote_counts_the_same_way() -> None:
    events = history_until("review_vote")
    vote = record(events, "review_vote", date(2025, 8, 25), {**LEFT_OUT, "in_favour": 10,
                                                              "recommendation": "recognise"})[-1]
    assert (vote.derived["passed"], vote.derived["denominator"]) == (True, 15)
    failed = record(events, "review_vote", date(2025, 8, 25), {**LEFT_OUT, "in_favour": 9,
                                                                "recommendation": "recognise"})[-1]
    assert failed.derived["passed"] is False and failed.derived["failures"] == 1
    assert replay([*events, failed], stream_id="c-1").review_votes[-1].members == 15
