"""S6 and S7 before S8 (ĐL Art. 4(3)): a branch vote is not dated before the introduction or the comments it
considers (issue 17, reproduction 10). Votes entered before the rule set's `vote_after_dossier_from` are judged as
they were then, so the audit of an older log does not start failing."""

from datetime import UTC, date, datetime

import pytest

from states.decide import recheck_and_replay
from states.errors import RuleViolation
from tests.builders import PATH_TO_VOTE, calendar, record, rulebook

CHECKED = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # entered on 07/12/2026, after the rule's day (config.yaml)
BEFORE_THE_RULE = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
COMMENTS_ON = date(2024, 6, 20)
VOTE = {"official_members": 9, "in_favour": 3}  # a failed vote, as in the reproduction


def _to_comments(comments_on: date = COMMENTS_ON) -> list:  # type: ignore[type-arg]
    events: list = []  # type: ignore[type-arg]
    for name, on, fields in PATH_TO_VOTE:
        if name == "branch_vote":
            break
        events = record(events, name, comments_on if name == "collect_comments" else on, fields)
    return events


def test_the_rule_day_comes_from_config_and_is_the_same_in_every_rule_set() -> None:
    days = {r.id: r.vote_after_dossier_from for r in rulebook().versions}
    assert set(days.values()) == {date(2026, 12, 1)}, days


def test_a_vote_dated_before_the_comments_is_refused_with_the_rule() -> None:
    events = _to_comments()
    with pytest.raises(RuleViolation) as refused:
        record(events, "branch_vote", date(2024, 6, 15), VOTE, recorded_at=CHECKED)
    [found] = refused.value.violations
    assert (found.rule, found.field, found.source) == ("vote_before_dossier", "on", "ĐL Art. 4(3)")
    assert "2024-06-20" in found.message_en and "5-KNĐ" in found.message_vi


def test_a_vote_on_the_day_of_the_comments_is_accepted() -> None:
    events = record(_to_comments(), "branch_vote", COMMENTS_ON, VOTE, recorded_at=CHECKED)
    assert events[-1].type == "branch_vote" and events[-1].derived["passed"] is False


def test_a_vote_dated_before_the_introduction_is_refused() -> None:
    introduced_on = next(on for name, on, _ in PATH_TO_VOTE if name == "introduce")  # 2024-06-10
    events = _to_comments(comments_on=introduced_on)
    with pytest.raises(RuleViolation) as refused:
        record(events, "branch_vote", date(2024, 6, 9), VOTE, recorded_at=CHECKED)
    found = refused.value.violations
    assert [v.rule for v in found] == ["vote_before_dossier", "vote_before_dossier"]
    assert "the introduction (form 3-KNĐ)" in found[0].message_en
    assert "the summary of comments (form 5-KNĐ)" in found[1].message_en


def test_a_vote_entered_before_the_rule_stands_and_the_audit_finds_nothing() -> None:
    events = record(_to_comments(), "branch_vote", date(2024, 6, 15), VOTE, recorded_at=BEFORE_THE_RULE)
    assert recheck_and_replay(events, rulebook(), calendar()).problems == []


def test_the_audit_finds_a_vote_entered_out_of_order_after_the_rule() -> None:
    accepted = record(_to_comments(), "branch_vote", date(2024, 6, 15), VOTE, recorded_at=BEFORE_THE_RULE)
    entered_later = [*accepted[:-1], accepted[-1]._replace(recorded_at=CHECKED)]
    [(event, violations)] = recheck_and_replay(entered_later, rulebook(), calendar()).problems
    assert event.type == "branch_vote" and [v.rule for v in violations] == ["vote_before_dossier"]
