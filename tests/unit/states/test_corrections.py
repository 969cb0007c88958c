"""Corrections (PROCEDURE.md `correct`): the original stays in the log, replay uses the corrected values, and
the whole stream is judged again (ARCHITECTURE.md decision 1)."""

from datetime import date
from typing import Any

import pytest

from states.decide import decide_correction, recheck
from states.errors import RuleViolation, Violation
from states.events import Event
from tests.builders import calendar, make_step, rulebook
from tests.unit.states.helpers import STANDARD, rule_ids, run, state

CORRECTED_ON = date(2025, 9, 5)


def _correct(history: list[Event], corrects: int, fields: dict[str, Any], on: date = CORRECTED_ON) -> list[Event]:
    step = make_step("correct", on, {"corrects": corrects, "fields": fields, "reason": "sai ngày trong biên bản"})
    return [*history, *decide_correction(history, step, rulebook(), calendar())]


def _refused(history: list[Event], corrects: int, fields: dict[str, Any]) -> list[Violation]:
    with pytest.raises(RuleViolation) as err:
        _correct(history, corrects, fields)
    return list(err.value.violations)


def _version(history: list[Event], step: str) -> int:
    return next(e.version for e in history if e.type == step)


@pytest.fixture(scope="module")
def before_recognition() -> list[Event]:
    return run(STANDARD, stop="recognise_official")


def test_correcting_the_ceremony_date_re_derives_the_probation_end(before_recognition: list[Event]) -> None:
    history = before_recognition
    ceremony = _version(history, "hold_ceremony")
    corrected = _correct(history, ceremony, {"on": "2024-08-22"})
    c = state(corrected)
    assert c.ceremony_on == date(2024, 8, 22)
    assert c.probation_ends_on == date(2025, 8, 22)
    assert c.deadlines["probation_end"].due_on == date(2025, 8, 22)
    # D9 from Thu 22 Aug 2024 (2 and 3 Sep off): Fri 23 Aug = 1 ... Mon 7 Oct = 30
    assert c.deadlines["member_history"].due_on == date(2024, 10, 7)
    # the original event is untouched and still in the log
    assert corrected[: len(history)] == history
    original = history[ceremony - 1]
    assert original.effective_on == date(2024, 8, 20)
    assert original.derived["probation_ends_on"] == "2025-08-20"
    fix = corrected[-1]
    assert (fix.type, fix.version, fix.prev_hash) == ("correct", len(history) + 1, history[-1].hash)
    assert fix.payload["corrects"] == ceremony and fix.payload["fields"] == {"on": "2024-08-22"}
    assert c.corrections and c.corrections[0]["corrects"] == ceremony
    assert recheck(corrected, rulebook(), calendar()) == []


def test_a_correction_that_would_break_a_later_step_is_refused(before_recognition: list[Event]) -> None:
    """Moving the ceremony to 30 Aug 2024 puts the recorded review vote (25 Aug 2025) inside probation (G10)."""
    ceremony = _version(before_recognition, "hold_ceremony")
    assert rule_ids(_refused(before_recognition, ceremony, {"on": "2024-08-30"})) == ["review_before_probation_end"]


def test_a_correction_of_the_birth_date_is_judged_at_the_later_branch_vote(before_recognition: list[Event]) -> None:
    identify = _version(before_recognition, "identify")
    found = _refused(before_recognition, identify, {"birth_date": "2006-07-02"})  # 17 years 11 months at the vote
    assert set(rule_ids(found)) == {"age_minimum"}
    fixed = state(_correct(before_recognition, identify, {"birth_date": "2006-07-01"}))  # exactly 18
    assert fixed.birth_date == date(2006, 7, 1)


def test_the_corrected_step_is_judged_again(before_recognition: list[Event]) -> None:
    ceremony = _version(before_recognition, "hold_ceremony")
    found = _refused(before_recognition, ceremony, {"on": "2024-08-04"})  # before the decision was received
    assert rule_ids(found) == ["ceremony_before_decision"]


@pytest.mark.parametrize(("target", "rule"), [(99, "correct_target"), (0, "field_invalid")])
def test_correcting_a_version_that_does_not_exist_is_refused(before_recognition: list[Event], target: int,
                                                             rule: str) -> None:
    found = _refused(before_recognition, target, {"on": "2024-08-22"})
    assert [(v.rule, v.field) for v in found] == [(rule, "corrects")]


def test_a_correction_that_breaks_a_later_vote_lists_every_broken_step(before_recognition: list[Event]) -> None:
    """13 of 20 instead of 18: the branch vote fails, so the committee vote and the decision lose their basis."""
    found = _refused(before_recognition, _version(before_recognition, "branch_vote"), {"in_favour": 13})
    assert rule_ids(found) == ["committee_vote_needs_branch_vote", "branch_vote_not_passed"]


def test_clearing_an_optional_field_is_applied_on_replay(before_recognition: list[Event]) -> None:
    """Without `received_on` the decision counts as received on its own date (PROCEDURE.md decide_admission):
    the stored receipt date and the re-derived ceremony deadline must agree."""
    history = run(STANDARD, stop="hold_ceremony")
    corrected = _correct(history, _version(history, "decide_admission"), {"received_on": None})
    c = state(corrected)
    assert corrected[-1].payload["fields"] == {"received_on": None}
    assert c.decision_received_on == date(2024, 8, 1)
    # D8 from Thu 1 Aug 2024 (2 and 3 Sep off): Fri 2 Aug = 1 ... Mon 16 Sep = 30
    assert c.deadlines["ceremony"].due_on == date(2024, 9, 16)
    assert recheck(corrected, rulebook(), calendar()) == []


def test_a_correction_records_every_field_it_names(before_recognition: list[Event]) -> None:
    ceremony = _version(before_recognition, "hold_ceremony")
    same_day = _correct(before_recognition, ceremony, {"on": "2024-08-20", "probation_helper": "Đỗ Thị Lan"})
    assert same_day[-1].payload["fields"] == {"on": "2024-08-20", "probation_helper": "Đỗ Thị Lan"}
    assert state(same_day).probation_helper == "Đỗ Thị Lan"
    assert state(same_day).probation_ends_on == date(2025, 8, 20)


def test_a_correction_cannot_be_corrected(before_recognition: list[Event]) -> None:
    ceremony = _version(before_recognition, "hold_ceremony")
    corrected = _correct(before_recognition, ceremony, {"on": "2024-08-22"})
    found = _refused(corrected, corrected[-1].version, {"reason": "x"})
    assert rule_ids(found) == ["correct_target"]


@pytest.mark.parametrize(("step", "fields", "field"), [
    ("identify", {"nickname": "Hoà"}, "fields.nickname"),
    ("submit_application", {"helper": "X"}, "fields.helper"),
    ("hold_ceremony", {"probation_ends_on": "2025-09-01"}, "fields.probation_ends_on"),  # derived, not entered
])
def test_correcting_a_field_the_step_does_not_have_is_refused(before_recognition: list[Event], step: str,
                                                              fields: dict[str, Any], field: str) -> None:
    found = _refused(before_recognition, _version(before_recognition, step), fields)
    assert [(v.rule, v.field) for v in found] == [("correct_field", field)]


def test_a_later_correction_wins(before_recognition: list[Event]) -> None:
    ceremony = _version(before_recognition, "hold_ceremony")
    once = _correct(before_recognition, ceremony, {"on": "2024-08-22"})
    twice = _correct(once, ceremony, {"on": "2024-08-21"})
    assert state(twice).probation_ends_on == date(2025, 8, 21)
    assert len(state(twice).corrections) == 2


@pytest.mark.parametrize("value", ["2024-13-01", "20/08/2024", "", None, 0, ["2024-08-22"]])
def test_a_malformed_corrected_date_names_the_field(before_recognition: list[Event], value: Any) -> None:
    ceremony = _version(before_recognition, "hold_ceremony")
    assert [(v.rule, v.field) for v in _refused(before_recognition, ceremony, {"on": value})] == [
        ("field_invalid", "fields.on")]
