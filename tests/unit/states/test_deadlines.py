"""Deadlines opened by steps (PROCEDURE.md, Deadlines), in working days counted by hand (D6, D8, D9, D11, D12).

See test_calendar.py for the official 2025 and 2026 calendars used in the hand counts.
"""

from datetime import date
from typing import Any

import pytest

from states.calendar import WorkingCalendar
from tests.builders import calendar
from tests.unit.states.helpers import around, decide_on, edit, fields_of, last, run, state

REVIEW = {"official_members": 21, "in_favour": 20, "recommendation": "recognise"}


def _deadline(events: list[Any], kind: str) -> dict[str, Any]:
    opened = last(events).derived["deadlines"]["open"]
    return next(d for d in opened if d["kind"] == kind)


def test_admission_decision_deadline_from_a_branch_vote_just_before_tet_2025() -> None:
    """D6: 60 working days from Fri 24 Jan 2025 end on the make-up Saturday 26 Apr; 90 on Wed 11 Jun."""
    path = around("branch_vote", date(2025, 1, 24))
    events = run(path, stop="committee_vote")
    deadline = _deadline(events, "admission_decision")
    assert (deadline["due_on"], deadline["extendable_to"]) == ("2025-04-26", "2025-06-11")
    assert deadline["rule_set"] == "qd232-2025"
    assert deadline["calendar"] == calendar().version
    assert state(events).deadlines["admission_decision"].due_on == date(2025, 4, 26)


@pytest.mark.parametrize(("decided_on", "received_on", "due_on"), [
    (date(2025, 1, 22), "2025-01-24", date(2025, 3, 14)),  # received the Friday before Tết 2025
    (date(2026, 2, 11), "2026-02-13", date(2026, 4, 3)),  # received the Friday before Tết 2026
    (date(2025, 8, 27), "2025-08-29", date(2025, 10, 14)),  # across 2/9 2025
    (date(2026, 8, 26), "2026-08-28", date(2026, 10, 14)),  # across 31 Aug - 2 Sep 2026
])
def test_ceremony_deadline_counts_from_the_day_the_decision_is_received(decided_on: date, received_on: str,
                                                                        due_on: date) -> None:
    """D8: 30 working days from receipt, not from the decision's date."""
    path = edit(around("decide_admission", decided_on), "decide_admission", received_on=received_on)
    events = run(path, stop="hold_ceremony")
    assert state(events).deadlines["ceremony"].due_on == due_on
    assert _deadline(events, "ceremony")["due_on"] == due_on.isoformat()


def test_ceremony_deadline_defaults_to_the_decision_date_when_receipt_is_not_given() -> None:
    path = edit(around("decide_admission", date(2025, 1, 24)), "decide_admission", received_on=None)
    events = run(path, stop="hold_ceremony")
    assert state(events).deadlines["ceremony"].due_on == date(2025, 3, 14)


def test_deadlines_opened_by_the_ceremony_across_national_day() -> None:
    """D9: history form within 30 working days of the ceremony; D10: 12 months; D11: review 30 working days."""
    events = run(around("hold_ceremony", date(2025, 8, 29)), stop="submit_member_history")
    c = state(events)
    assert c.deadlines["member_history"].due_on == date(2025, 10, 14)
    assert c.deadlines["probation_end"].due_on == date(2026, 8, 29)
    # from Sat 29 Aug 2026: 31 Aug - 2 Sep off, Thu 3 Sep = 1 ... Wed 14 Oct 2026 = 30
    assert c.deadlines["probation_review"].due_on == date(2026, 10, 14)
    assert c.deadlines["ceremony"].closed_on == date(2025, 8, 29)


def test_recognition_deadline_after_a_passed_review_vote() -> None:
    """D12: 30 working days (extendable by 30) from the branch's review resolution of Fri 28 Aug 2026."""
    path = edit(around("hold_ceremony", date(2025, 8, 20)), "review_vote", on=date(2026, 8, 28))
    events = run(path, stop="committee_review_vote")
    deadline = _deadline(events, "recognition_decision")
    # 60 working days: after Wed 14 Oct (30), Thu 15 Oct - Thu 26 Nov = 30 more (Tue 24 Nov, Cultural Day, off).
    assert (deadline["due_on"], deadline["extendable_to"]) == ("2026-10-14", "2026-11-26")
    assert state(events).deadlines["probation_review"].closed_on == date(2026, 8, 28)


@pytest.mark.parametrize(("cal", "due_on"), [
    (WorkingCalendar(), date(2025, 3, 14)),
    (WorkingCalendar.from_lists(days_off=[date(2025, 3, 14)]), date(2025, 3, 17)),
    (WorkingCalendar.from_lists(working_days=[date(2025, 2, 1)]), date(2025, 3, 13)),
])
def test_calendar_overrides_change_the_due_date_and_the_stored_calendar_version(cal: WorkingCalendar,
                                                                                 due_on: date) -> None:
    path = edit(around("decide_admission", date(2025, 1, 22)), "decide_admission", received_on="2025-01-24")
    events = run(path, stop="decide_admission")
    events = decide_on(events, "decide_admission", date(2025, 1, 22), fields_of(path, "decide_admission"), cal=cal)
    deadline = _deadline(events, "ceremony")
    assert deadline["due_on"] == due_on.isoformat()
    assert deadline["calendar"] == cal.version
    assert (cal.version == WorkingCalendar().version) is (due_on == date(2025, 3, 14))
    # the stored date is what replay shows, whatever calendar is configured later
    assert state(events).deadlines["ceremony"].due_on == due_on
    assert state(events).deadlines["ceremony"].calendar == cal.version
