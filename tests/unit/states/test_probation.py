"""Ceremony, probation and official recognition (DOMAIN.md D8, D10, D13, D14, D19, G10, G11, V5, P7)."""

from datetime import date
from typing import Any

import pytest

from states.stages import Stage
from states.step import OrgFacts
from tests.builders import FACTS
from tests.unit.states.helpers import (
    STANDARD,
    date_of,
    decide_on,
    edit,
    fields_of,
    last,
    leap_ceremony,
    refusal,
    rule_ids,
    run,
    state,
)

LEAP = leap_ceremony()  # the whole standard path, with the ceremony on 2024-02-29
RECOGNISE = {"decision_no": "456-QĐ/ĐU", "decided_by": "DU-XA"}
REVIEW = {"official_members": 21, "in_favour": 20, "recommendation": "recognise"}
COMMITTEE = {"committee_members": 9, "in_favour": 8}


def test_probation_from_a_leap_day_ends_on_28_february() -> None:
    c = state(run(LEAP, stop="submit_member_history"))
    assert c.ceremony_on == date(2024, 2, 29)
    assert c.probation_ends_on == date(2025, 2, 28)
    assert c.deadlines["probation_end"].due_on == date(2025, 2, 28)


@pytest.mark.parametrize(("on", "accepted"), [
    (date(2025, 2, 27), False), (date(2025, 2, 28), False), (date(2025, 3, 1), True), (date(2025, 3, 3), True),
])
def test_review_vote_only_after_probation_ends(on: date, accepted: bool) -> None:
    """G10: the resolution is dated after the probation end date, not on it."""
    events = run(LEAP, stop="review_vote")
    if accepted:
        assert last(decide_on(events, "review_vote", on, REVIEW)).derived["passed"] is True
        return
    found = refusal(events, "review_vote", on, REVIEW)
    assert rule_ids(found) == ["review_before_probation_end"]
    assert found[0].field == "on" and "2025-02-28" in found[0].message_en


def _recognised_on(on: date) -> list[Any]:
    path = edit(LEAP, "review_vote", on=date(2025, 3, 3))
    path = edit(path, "committee_review_vote", on=date(2025, 3, 10))
    return run(edit(path, "recognise_official", on=on))


@pytest.mark.parametrize("on", [date(2025, 3, 20), date(2025, 9, 30), date(2026, 2, 2)])
def test_official_on_is_the_probation_end_whatever_the_decision_date(on: date) -> None:
    """D13: late meetings or approvals do not shift the official date."""
    events = _recognised_on(on)
    c = state(events)
    assert c.stage is Stage.OFFICIAL
    assert c.official_on == date(2025, 2, 28)
    assert last(events).derived["official_on"] == "2025-02-28"
    assert c.recognised_on == on


def test_party_age_counts_from_the_decision_date_not_the_ceremony() -> None:
    """D14: the date written in the admission decision."""
    c = state(_recognised_on(date(2025, 3, 20)))
    decided = date_of(LEAP, "decide_admission")
    assert c.party_age_from == decided == c.decided_on
    assert c.party_age_from != c.ceremony_on


def test_no_official_date_before_recognition() -> None:
    c = state(run(LEAP, stop="recognise_official"))
    assert c.stage is Stage.PROBATIONARY
    assert c.official_on is None


@pytest.mark.parametrize(("skip", "facts", "expected"), [
    ((), None, []),
    (("certify_new_member_course",), None, ["new_member_course_missing"]),  # G11
    (("committee_review_vote",), None, ["recognition_needs_committee_review"]),
    (("committee_review_vote",), OrgFacts("branch", "DU-XA", committee_vote_required=False), []),
    (("review_vote", "committee_review_vote"), None,
     ["recognition_needs_review_vote", "recognition_needs_committee_review"]),
    (("certify_new_member_course", "review_vote", "committee_review_vote"), None,
     ["recognition_needs_review_vote", "new_member_course_missing", "recognition_needs_committee_review"]),
])
def test_recognition_prerequisites(skip: tuple[str, ...], facts: OrgFacts | None, expected: list[str]) -> None:
    path = [s for s in STANDARD if s[0] not in skip]
    events = run(path, stop="recognise_official")
    on = date_of(STANDARD, "recognise_official")
    facts = facts or FACTS
    if not expected:
        assert state(decide_on(events, "recognise_official", on, RECOGNISE, facts=facts)).stage is Stage.OFFICIAL
        return
    assert rule_ids(refusal(events, "recognise_official", on, RECOGNISE, facts=facts)) == expected


def test_a_passed_recommendation_to_remove_does_not_allow_recognition() -> None:
    path = edit(STANDARD, "review_vote", recommendation="remove")
    events = run(path, stop="committee_review_vote")
    assert "recognition_needs_review_vote" in rule_ids(
        refusal(events, "recognise_official", date_of(STANDARD, "recognise_official"), RECOGNISE))


def test_committee_review_needs_a_passed_review_vote() -> None:
    events = run(STANDARD, stop="review_vote")
    on = date_of(STANDARD, "committee_review_vote")
    assert rule_ids(refusal(events, "committee_review_vote", on, COMMITTEE)) == [
        "committee_review_needs_review_vote"]
    failed = decide_on(events, "review_vote", date(2025, 8, 25), {**REVIEW, "in_favour": 13, "official_members": 20})
    assert rule_ids(refusal(failed, "committee_review_vote", on, COMMITTEE)) == [
        "committee_review_needs_review_vote"]


def test_the_third_failed_review_vote_is_reported_upward() -> None:
    """D19: after three votes without two thirds, report to the upper and the competent committee."""
    events = run(STANDARD, stop="review_vote")
    marks = []
    for day in (date(2025, 8, 25), date(2025, 9, 1), date(2025, 9, 8)):
        events = decide_on(events, "review_vote", day, {**REVIEW, "official_members": 20, "in_favour": 13})
        marks.append((last(events).derived["passed"], last(events).derived["failures"],
                      last(events).derived["report_upward"]))
    assert marks == [(False, 1, False), (False, 2, False), (False, 3, True)]
    assert state(events).stage is Stage.PROBATIONARY
    passed = decide_on(events, "review_vote", date(2025, 9, 15), {**REVIEW, "official_members": 20,
                                                                  "in_favour": 14})
    assert last(passed).derived["passed"] is True and not last(passed).derived.get("report_upward")


@pytest.mark.parametrize(("on", "accepted"), [
    (date(2024, 8, 4), False),  # the day before the branch received the decision
    (date(2024, 8, 5), True),  # the day it was received
])
def test_ceremony_not_before_the_decision_was_received(on: date, accepted: bool) -> None:
    events = run(STANDARD, stop="hold_ceremony")
    fields = fields_of(STANDARD, "hold_ceremony")
    if accepted:
        assert state(decide_on(events, "hold_ceremony", on, fields)).stage is Stage.PROBATIONARY
        return
    found = refusal(events, "hold_ceremony", on, fields)
    assert rule_ids(found) == ["ceremony_before_decision"] and found[0].field == "on"
    assert state(events).stage is Stage.ADMITTED


@pytest.mark.parametrize(("on", "late"), [
    # D8: received Mon 5 Aug 2024; 30 working days with 2 and 3 Sep 2024 off: Tue 6 - Fri 9 Aug = 4,
    # three weeks to Fri 30 Aug = 19, Wed 4 - Fri 6 Sep = 22, Mon 9 - Fri 13 = 27, Mon 16 - Wed 18 Sep = 30.
    (date(2024, 9, 18), False),
    (date(2024, 9, 19), True),
    (date(2024, 12, 2), True),
])
def test_a_late_ceremony_is_accepted_but_marked_late(on: date, late: bool) -> None:
    events = run(STANDARD, stop="hold_ceremony")
    assert state(events).deadlines["ceremony"].due_on == date(2024, 9, 18)
    after = decide_on(events, "hold_ceremony", on, fields_of(STANDARD, "hold_ceremony"))
    c = state(after)
    assert c.stage is Stage.PROBATIONARY
    assert c.ceremony_late is late
    assert last(after).derived["late"] is late and last(after).derived["report_upward"] is late
    assert c.deadlines["ceremony"].closed_on == on


def test_removal_from_probation_needs_a_vote_to_remove_and_the_decision() -> None:
    events = run(STANDARD, stop="review_vote")
    drop = {"reason": "removed_from_probation"}
    on = date(2025, 9, 10)
    assert rule_ids(refusal(events, "drop", on, drop)) == ["removal_needs_vote", "removal_needs_decision"]
    voted = decide_on(events, "review_vote", date(2025, 8, 25), {**REVIEW, "recommendation": "remove"})
    assert rule_ids(refusal(voted, "drop", on, drop)) == ["removal_needs_decision"]
    dropped = state(decide_on(voted, "drop", on, {**drop, "decision_no": "77-QĐ/ĐU"}))
    assert dropped.stage is Stage.DROPPED
    assert not dropped.open_deadlines()


@pytest.mark.parametrize(("on", "expected"), [
    (date(2025, 8, 22), ["vote_before_previous", "vote_before_previous"]),  # after probation, before both votes
    (date(2025, 8, 30), ["vote_before_previous"]),  # after the branch's 25 Aug, before the committee's 3 Sep
    (date(2025, 9, 3), []),
])
def test_recognition_is_not_dated_before_the_resolutions_it_rests_on(on: date, expected: list[str]) -> None:
    events = run(STANDARD, stop="recognise_official")
    if not expected:
        c = state(decide_on(events, "recognise_official", on, RECOGNISE))
        assert (c.stage, c.official_on) == (Stage.OFFICIAL, date(2025, 8, 20))
        return
    found = refusal(events, "recognise_official", on, RECOGNISE)
    assert rule_ids(found) == expected and all(v.field == "on" for v in found)
