"""Extending a decision deadline (DOMAIN.md D6, D12): once, by at most the rule set's working days, only while the
deadline is open; the new due date counts the extra working days from the old one."""

from datetime import date
from typing import Any

import pytest

from states.candidate import replay
from states.decide import allowed_steps, decide_correction
from states.errors import RuleViolation, StepNotAllowed
from tests.builders import calendar, history_until, make_step, record, rulebook


def extension(days: int, deadline: str = "admission_decision") -> dict[str, Any]:
    return {"deadline": deadline, "extra_working_days": days, "decision_no": "77-QĐ/ĐU",
            "reason": "chờ kết quả thẩm tra bổ sung"}


def refused(events: list[Any], fields: dict[str, Any], on: date = date(2024, 7, 20)) -> list[str]:
    with pytest.raises(RuleViolation) as err:
        record(events, "extend_deadline", on, fields)
    return [v.rule for v in err.value.violations]


def test_exactly_the_maximum_moves_the_due_date_by_that_many_working_days() -> None:
    events = history_until("decide_admission")
    before = replay(events).deadlines["admission_decision"]
    maximum = rulebook().for_date(date(2024, 7, 20)).working_days.admission_decision_extension
    assert maximum == 30
    after = replay(record(events, "extend_deadline", date(2024, 7, 20), extension(maximum)))
    moved = after.deadlines["admission_decision"]
    assert moved.due_on == calendar().add_working_days(before.due_on, 30)
    assert calendar().working_days_between(before.due_on, moved.due_on) == 30
    assert (moved.extended_from, moved.extended_on, moved.is_open) == (before.due_on, date(2024, 7, 20), True)
    assert moved.opened_on == before.opened_on, "the deadline still counts from the branch resolution"


def test_one_day_past_the_maximum_is_refused_naming_the_field() -> None:
    events = history_until("decide_admission")
    with pytest.raises(RuleViolation) as err:
        record(events, "extend_deadline", date(2024, 7, 20), extension(31))
    (v,) = err.value.violations
    assert (v.rule, v.field) == ("extension_too_long", "extra_working_days")
    assert "“Số ngày làm việc gia hạn” là 31 ngày" in v.message_vi and "tối đa 30 ngày làm việc" in v.message_vi


def test_a_second_extension_is_refused_even_within_the_maximum() -> None:
    events = record(history_until("decide_admission"), "extend_deadline", date(2024, 7, 20), extension(10))
    assert refused(events, extension(5), date(2024, 7, 22)) == ["extension_once"]


def test_a_closed_or_absent_deadline_cannot_be_extended() -> None:
    before_review = history_until("review_vote")  # probationary: D6 closed by the decision, D12 not opened yet
    assert not replay(before_review).deadlines["admission_decision"].is_open
    assert refused(before_review, extension(5), date(2025, 8, 20)) == ["extension_deadline_not_open"]
    assert refused(before_review, extension(5, "recognition_decision"), date(2025, 8, 20)) == [
        "extension_deadline_not_open"]
    assert refused(history_until("decide_admission"), extension(5, "recognition_decision")) == [
        "extension_deadline_not_open"]


def test_no_extension_in_a_stage_where_no_decision_deadline_runs() -> None:
    with pytest.raises(StepNotAllowed):
        record(history_until("hold_ceremony"), "extend_deadline", date(2024, 8, 10), extension(5))


def test_the_recognition_deadline_is_extended_in_probation() -> None:
    events = history_until("committee_review_vote")
    due = replay(events).deadlines["recognition_decision"].due_on
    after = replay(record(events, "extend_deadline", date(2025, 8, 30), extension(30, "recognition_decision")))
    assert after.deadlines["recognition_decision"].due_on == calendar().add_working_days(due, 30)


def test_the_step_is_offered_only_while_an_extendable_deadline_is_open() -> None:
    def offered(events: list[Any], on: date) -> bool:
        allowed = allowed_steps(replay(events), rulebook().for_date(on), calendar(), on)
        return "extend_deadline" in [a.step for a in allowed]

    assert not offered(history_until("branch_vote"), date(2024, 6, 20))
    events = history_until("decide_admission")
    assert offered(events, date(2024, 7, 20))
    assert not offered(record(events, "extend_deadline", date(2024, 7, 20), extension(3)), date(2024, 7, 21))



def correct(history: list[Any], corrects: int, days: int) -> list[Any]:
    step = make_step("correct", date(2024, 7, 22), {"corrects": corrects, "fields": {"extra_working_days": days},
                                                    "reason": "ghi nhầm số ngày"})
    return [*history, *decide_correction(history, step, rulebook(), calendar())]


def test_a_corrected_extension_moves_the_due_date_from_the_original_one() -> None:
    events = history_until("decide_admission")
    due = replay(events).deadlines["admission_decision"].due_on
    events = record(events, "extend_deadline", date(2024, 7, 20), extension(10))
    version = events[-1].version
    corrected = correct(events, version, 20)
    assert replay(corrected).deadlines["admission_decision"].due_on == calendar().add_working_days(due, 20)
    with pytest.raises(RuleViolation) as err:
        correct(events, version, 31)
    assert [v.rule for v in err.value.violations] == ["extension_too_long"]
