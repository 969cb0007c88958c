"""The report row the step path folds from the candidate it has just replayed is the row a rebuild folds from the
events alone (states/report_facts.py), at every length of the standard path, after a correction of a milestone
date, and after a drop (which only a replay can place)."""

from datetime import date

import pytest

from states.candidate import replay
from states.decide import decide_correction
from states.events import Event
from states.report_facts import facts_of
from tests.builders import calendar, make_step, record, rulebook
from tests.unit.states.helpers import STANDARD, run


@pytest.fixture(scope="module")
def whole_path() -> list[Event]:
    return run(STANDARD)


def test_the_step_path_fold_equals_the_rebuild_fold_at_every_length(whole_path: list[Event]) -> None:
    for length in range(1, len(whole_path) + 1):
        events = whole_path[:length]
        assert facts_of(events, replay(events)) == facts_of(events), events[-1].type


def test_a_corrected_milestone_date_is_the_date_both_folds_give(whole_path: list[Event]) -> None:
    helper = next(e for e in whole_path if e.type == "assign_helper")
    step = make_step("correct", date(2025, 9, 5), {"corrects": helper.version, "fields": {"on": "2024-07-01"},
                                                   "reason": "sai ngày trong biên bản"})
    corrected = [*whole_path, *decide_correction(whole_path, step, rulebook(), calendar())]
    assert facts_of(corrected, replay(corrected)) == facts_of(corrected)
    assert facts_of(corrected)["mentored_on"] == date(2024, 7, 1) != helper.effective_on


def test_a_drop_keeps_the_stage_the_candidate_left(whole_path: list[Event]) -> None:
    mentored = whole_path[:next(i for i, e in enumerate(whole_path) if e.type == "assign_helper") + 1]
    dropped = record(mentored, "drop", mentored[-1].effective_on, {"reason": "withdrew"})
    assert facts_of(dropped, replay(dropped)) == facts_of(dropped)
    assert (facts_of(dropped)["dropped_stage"], facts_of(dropped)["stage"]) == ("mentored", "dropped")
