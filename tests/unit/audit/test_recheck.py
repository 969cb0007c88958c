"""The audit re-judges and replays a stream in one fold: the candidate it gives is the replay's, the problems
are `recheck`'s, and a stream that cannot be replayed is reported, not a crash."""

from datetime import date

import pytest

from states.candidate import replay
from states.decide import decide_correction, recheck, recheck_and_replay
from states.errors import NoRuleSetInForce
from states.events import Event
from tests.builders import calendar, make_step, rulebook
from tests.unit.states.helpers import STANDARD, run
from workflow.audit.stream_checks import DatedRuleBook


@pytest.fixture(scope="module")
def history() -> list[Event]:
    return run(STANDARD)


@pytest.fixture(scope="module")
def corrected(history: list[Event]) -> list[Event]:
    ceremony = next(e.version for e in history if e.type == "hold_ceremony")
    before = history[:ceremony + 1]
    step = make_step("correct", date(2025, 9, 5), {"corrects": ceremony, "fields": {"on": "2024-08-22"},
                                                   "reason": "sai ngày trong biên bản"})
    return [*before, *decide_correction(before, step, rulebook(), calendar())]


def test_the_candidate_is_the_replay_of_the_stream(history: list[Event], corrected: list[Event]) -> None:
    for events in (history, corrected, history[:3]):
        result = recheck_and_replay(events, rulebook(), calendar())
        assert result.candidate == replay(events)
        assert result.problems == recheck(events, rulebook(), calendar()) == []
        assert result.replay_error is None


def test_each_broken_step_is_reported_with_its_rules(history: list[Event]) -> None:
    events = [e._replace(payload={**e.payload, "in_favour": e.payload["official_members"] + 1})
              if e.type == "branch_vote" else e for e in history]
    result = recheck_and_replay(events, rulebook(), calendar())
    assert [(e.type, [v.rule for v in vs]) for e, vs in result.problems] == [("branch_vote", ["vote_counts"])]
    assert result.candidate == replay(events)


def test_a_stream_that_cannot_be_replayed_stops_with_its_error(history: list[Event]) -> None:
    identify = history[0]
    broken = [identify._replace(payload={k: v for k, v in identify.payload.items() if k != "full_name"}),
              *history[1:]]
    result = recheck_and_replay(broken, rulebook(), calendar())
    assert result.candidate is None
    assert isinstance(result.replay_error, KeyError)
    assert [(e.version, [v.rule for v in vs]) for e, vs in result.problems] == [(1, ["field_missing"])]
    with pytest.raises(KeyError):
        recheck(broken, rulebook(), calendar())


def test_a_malformed_corrected_date_is_a_problem_of_its_step(corrected: list[Event]) -> None:
    fix = corrected[-1]
    bad = [*corrected[:-1], fix._replace(payload={**fix.payload, "fields": {"on": "22/08/2024"}})]
    result = recheck_and_replay(bad, rulebook(), calendar())
    assert [(e.version, [v.rule for v in vs]) for e, vs in result.problems] == [
        (fix.payload["corrects"], ["field_invalid"])]
    assert isinstance(result.replay_error, ValueError)  # replay applies the same date


def test_the_dated_rule_book_answers_as_the_rule_book() -> None:
    book, dated = rulebook(), DatedRuleBook(rulebook())
    first = book.versions[0].in_force_from
    days = [first, *(r.in_force_from for r in book.versions), date(2030, 1, 1), date(2025, 6, 30)]
    for on in days * 2:  # the second round is answered from memory
        assert dated.for_date(on) is book.for_date(on)
    for _ in range(2):
        with pytest.raises(NoRuleSetInForce):
            dated.for_date(date(first.year - 1, 1, 1))
