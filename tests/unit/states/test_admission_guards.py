"""Guards up to the admission decision, each at its boundary on both sides (DOMAIN.md D1, D2, D5, G1-G7, V1-V3)."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from states.stages import Stage
from states.step import OrgFacts
from tests.builders import FACTS, PERSON, introducers
from tests.unit.states.helpers import (
    STANDARD,
    Path,
    around,
    date_of,
    decide_on,
    edit,
    fields_of,
    last,
    refusal,
    rule_ids,
    run,
    state,
)

VOTE_ON = date_of(STANDARD, "branch_vote")  # 2024-07-01
DECIDE_ON = date_of(STANDARD, "decide_admission")  # 2024-08-01


def _attempt(path: Path, step: str, on: date | None = None, **fields: Any) -> tuple[list[Any], date, dict[str, Any]]:
    """The history before `step`, and the step's date and fields with `fields` merged in."""
    events = run(path, stop=step)
    merged = {**fields_of(path, step), **fields}
    return events, on or date_of(path, step), {k: v for k, v in merged.items() if v is not None}


def _with_person(path: Path, **person: Any) -> Path:
    return edit(path, "identify", **person)


# --- G1: at least 18 years, counted in months, on the branch vote date --------------------------------------

@pytest.mark.parametrize(("birth", "vote_on", "accepted"), [
    ("2006-07-02", VOTE_ON, False),  # 17 years 11 months on 2024-07-01
    ("2006-07-01", VOTE_ON, True),  # 18 years 0 months
    ("2004-02-29", date(2022, 2, 27), False),  # born on a leap day: 17 years 11 months on 27 February
    ("2004-02-29", date(2022, 2, 28), True),  # ... and 18 on 28 February of a common year (clamped)
    ("2006-08-31", date(2024, 8, 30), False),
    ("2006-08-31", date(2024, 8, 31), True),
])
def test_age_at_the_branch_vote(birth: str, vote_on: date, accepted: bool) -> None:
    path = _with_person(around("branch_vote", vote_on), birth_date=birth)
    events, on, fields = _attempt(path, "branch_vote")
    if accepted:
        assert last(decide_on(events, "branch_vote", on, fields)).derived["passed"] is True
        return
    found = refusal(events, "branch_vote", on, fields)
    assert rule_ids(found) == ["age_minimum"]
    assert found[0].field == "birth_date"
    assert "17 years 11 months" in found[0].message_en and "17 tuổi 11 tháng" in found[0].message_vi
    assert found[0].ref == "/rules#age_minimum"


# --- G2: over 60 needs the provincial standing committee's consent, measured at the branch vote -------------

@pytest.mark.parametrize(("birth", "consent", "accepted"), [
    ("1964-07-01", None, True),  # exactly 60 at the vote (60 years 1 month on the decision date: irrelevant)
    ("1964-06-02", None, True),  # 60 years 0 months and 29 days: not over 60 counted in months
    ("1964-06-01", None, False),  # 60 years 1 month at the vote
    ("1964-06-01", "123-CV/TU", True),
])
def test_over_sixty_needs_consent_at_the_decision(birth: str, consent: str | None, accepted: bool) -> None:
    path = _with_person(STANDARD, birth_date=birth)
    events, on, fields = _attempt(path, "decide_admission", consent_ref=consent)
    if accepted:
        assert state(decide_on(events, "decide_admission", on, fields)).stage is Stage.ADMITTED
        return
    found = refusal(events, "decide_admission", on, fields)
    assert rule_ids(found) == ["age_maximum"]
    assert found[0].field == "consent_ref"
    assert VOTE_ON.isoformat() in found[0].message_en


# --- D2/G5: the awareness certificate is valid 60 months at the branch vote ---------------------------------

@pytest.mark.parametrize(("issued_on", "vote_on", "accepted"), [
    ("2019-07-01", VOTE_ON, True),  # exactly 60 months
    ("2019-06-30", VOTE_ON, False),  # 60 months and one day
    ("2020-02-29", date(2025, 2, 28), True),  # leap-day certificate: 60 months end on 28 February
    ("2020-02-29", date(2025, 3, 1), False),
])
def test_certificate_validity_at_the_branch_vote(issued_on: str, vote_on: date, accepted: bool) -> None:
    path = around("branch_vote", vote_on)
    path = edit(path, "certify_training", issued_on=issued_on)
    events, on, fields = _attempt(path, "branch_vote")
    if accepted:
        decide_on(events, "branch_vote", on, fields)
        return
    found = refusal(events, "branch_vote", on, fields)
    assert rule_ids(found) == ["certificate_expired"]
    assert found[0].field == "certificate"
    assert issued_on in found[0].message_en and vote_on.isoformat() in found[0].message_en


def test_certificate_is_measured_at_the_passed_branch_vote_not_at_the_decision() -> None:
    """Exactly 60 months old at the vote, expired by the decision date: the decision is still allowed."""
    path = edit(STANDARD, "certify_training", issued_on="2019-07-01")
    events, on, fields = _attempt(path, "decide_admission")
    assert on > date(2024, 7, 1)
    assert state(decide_on(events, "decide_admission", on, fields)).stage is Stage.ADMITTED


def test_decision_refused_when_the_certificate_was_expired_on_the_vote_date() -> None:
    """A certificate re-recorded after the vote with an older date (60 months + 1 day at the vote) blocks it."""
    events = run(STANDARD, stop="decide_admission")
    events = decide_on(events, "certify_training", date(2024, 7, 15),
                       {"certificate_no": "CN-OLD", "issued_on": "2019-06-30"})
    found = refusal(events, "decide_admission", DECIDE_ON, fields_of(STANDARD, "decide_admission"))
    assert rule_ids(found) == ["certificate_expired"]
    assert VOTE_ON.isoformat() in found[0].message_en


def test_decision_accepted_when_the_re_recorded_certificate_is_exactly_sixty_months_at_the_vote() -> None:
    events = run(STANDARD, stop="decide_admission")
    events = decide_on(events, "certify_training", date(2024, 7, 15),
                       {"certificate_no": "CN-OLD", "issued_on": "2019-07-01"})
    decide_on(events, "decide_admission", DECIDE_ON, fields_of(STANDARD, "decide_admission"))


@pytest.mark.parametrize(("recorded_at", "issued_on", "accepted"), [
    (datetime(2026, 11, 20, 3, 0, tzinfo=UTC), "2026-11-20", True),  # today in Hanoi
    (datetime(2026, 11, 20, 3, 0, tzinfo=UTC), "2026-11-21", False),  # tomorrow in Hanoi
    (datetime(2026, 11, 20, 17, 30, tzinfo=UTC), "2026-11-21", True),  # 00:30 on the 21st in Hanoi
])
def test_certificate_issued_in_the_future_is_refused(recorded_at: datetime, issued_on: str,
                                                     accepted: bool) -> None:
    events = run(STANDARD, stop="certify_training")
    fields = {"certificate_no": "CN-9", "issued_on": issued_on}
    on = date(2026, 11, 19)
    if accepted:
        decide_on(events, "certify_training", on, fields, recorded_at=recorded_at)
        return
    found = refusal(events, "certify_training", on, fields, recorded_at=recorded_at)
    assert rule_ids(found) == ["certificate_issued_in_future"]
    assert found[0].field == "issued_on"


# --- V1, V2, V3: votes in integers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("members", "in_favour", "passed"), [
    (20, 13, False), (20, 14, True), (3, 2, True), (3, 1, False), (20, 20, True), (20, 0, False),
])
def test_branch_vote_threshold(members: int, in_favour: int, passed: bool) -> None:
    events = run(STANDARD, stop="branch_vote")
    after = decide_on(events, "branch_vote", VOTE_ON, {"official_members": members, "in_favour": in_favour})
    vote = last(after)
    c = state(after)
    assert vote.derived["passed"] is passed
    assert c.stage is Stage.VETTED  # a vote moves nothing, passed or not
    assert ("admission_decision" in c.deadlines) is passed  # D6 runs from a passed vote only
    assert bool(vote.derived.get("report_upward")) is (not passed)  # a failed vote is reported upward


def test_a_failed_branch_vote_is_recorded_and_the_decision_still_needs_a_passed_one() -> None:
    events = run(STANDARD, stop="branch_vote")
    failed = decide_on(events, "branch_vote", VOTE_ON, {"official_members": 20, "in_favour": 13})
    assert len(failed) == len(events) + 1
    assert "branch_vote_not_passed" in rule_ids(
        refusal(failed, "decide_admission", DECIDE_ON, fields_of(STANDARD, "decide_admission")))
    again = decide_on(failed, "branch_vote", date(2024, 7, 5), {"official_members": 20, "in_favour": 14})
    again = decide_on(again, "committee_vote", date(2024, 7, 10), {"committee_members": 9, "in_favour": 7})
    assert state(decide_on(again, "decide_admission", DECIDE_ON,
                           fields_of(STANDARD, "decide_admission"))).stage is Stage.ADMITTED


@pytest.mark.parametrize(("step", "members_field"), [
    ("branch_vote", "official_members"), ("committee_vote", "committee_members"),
])
def test_more_in_favour_than_members_is_refused_naming_the_field(step: str, members_field: str) -> None:
    events = run(STANDARD, stop=step)
    on = date_of(STANDARD, step)
    found = refusal(events, step, on, {members_field: 9, "in_favour": 10})
    assert rule_ids(found) == ["vote_counts"]
    assert found[0].field == "in_favour"
    assert "10" in found[0].message_en and "9" in found[0].message_en
    assert last(decide_on(events, step, on, {members_field: 9, "in_favour": 9})).derived["passed"] is True


@pytest.mark.parametrize(("members", "in_favour", "passed"), [(9, 6, True), (9, 5, False), (7, 5, True),
                                                              (7, 4, False)])
def test_committee_vote_threshold(members: int, in_favour: int, passed: bool) -> None:
    events = run(STANDARD, stop="committee_vote")
    after = decide_on(events, "committee_vote", date_of(STANDARD, "committee_vote"),
                      {"committee_members": members, "in_favour": in_favour})
    assert last(after).derived["passed"] is passed
    decision = fields_of(STANDARD, "decide_admission")
    if passed:
        decide_on(after, "decide_admission", DECIDE_ON, decision)
    else:
        assert rule_ids(refusal(after, "decide_admission", DECIDE_ON, decision)) == ["committee_vote_not_passed"]


def test_committee_vote_needs_a_passed_branch_vote_first() -> None:
    events = run(STANDARD, stop="branch_vote")
    failed = decide_on(events, "branch_vote", VOTE_ON, {"official_members": 20, "in_favour": 13})
    for history in (events, failed):
        found = refusal(history, "committee_vote", date(2024, 7, 10), {"committee_members": 9, "in_favour": 9})
        assert rule_ids(found) == ["committee_vote_needs_branch_vote"]


def test_committee_vote_dated_before_the_branch_vote_is_refused() -> None:
    events = run(STANDARD, stop="committee_vote")
    found = refusal(events, "committee_vote", date(2024, 6, 30), {"committee_members": 9, "in_favour": 9})
    assert rule_ids(found) == ["vote_before_previous"]


def test_no_committee_vote_needed_when_the_branch_own_committee_decides() -> None:
    """V3: the branch's authorised grassroots committee decides itself; its own vote is not a separate step."""
    events = run(STANDARD, stop="committee_vote")
    fields = fields_of(STANDARD, "decide_admission")
    own = OrgFacts(org_level="branch", competent_body="DU-XA", committee_vote_required=False)
    assert state(decide_on(events, "decide_admission", DECIDE_ON, fields, facts=own)).stage is Stage.ADMITTED
    assert rule_ids(refusal(events, "decide_admission", DECIDE_ON, fields, facts=FACTS)) == [
        "committee_vote_not_passed"]


def test_decision_by_a_body_that_is_not_competent_is_refused() -> None:
    events = run(STANDARD, stop="decide_admission")
    fields = {**fields_of(STANDARD, "decide_admission"), "decided_by": "CB-01"}
    found = refusal(events, "decide_admission", DECIDE_ON, fields)
    assert rule_ids(found) == ["decided_by_not_competent"] and found[0].field == "decided_by"


@pytest.mark.parametrize(("received_on", "rule"), [
    ("2024-07-31", "received_before_decision"), ("2026-11-21", "date_in_future"), ("2024-08-01", None),
])
def test_decision_received_date(received_on: str, rule: str | None) -> None:
    events = run(STANDARD, stop="decide_admission")
    fields = {**fields_of(STANDARD, "decide_admission"), "received_on": received_on}
    if rule is None:
        assert state(decide_on(events, "decide_admission", DECIDE_ON, fields)).decision_received_on == DECIDE_ON
        return
    found = refusal(events, "decide_admission", DECIDE_ON, fields)
    assert rule_ids(found) == [rule] and found[0].field == "received_on"


# --- G6, G6a, D5, G7: introducers -------------------------------------------------------------------------

INTRODUCE_ON = date_of(STANDARD, "introduce")  # 2024-06-10


def _one(name: str = "Lê Văn Cường", since: str = "2010-01-01", months: int = 18) -> dict[str, Any]:
    return {"name": name, "official_since": since, "months_together": months}


TRADE = {"body": "trade_union", "number": "12-NQ/CĐ", "on": "2024-06-01"}
YOUTH = {"body": "youth_union", "number": "07-NQ/ĐTN", "on": "2024-06-01"}


@pytest.mark.parametrize(("fields", "person", "expected"), [
    (introducers(months=11), {}, ["introducer_months_together", "introducer_months_together"]),
    (introducers(months=12), {}, []),
    ({"introducers": [_one(), _one("Trần Minh Đức", months=11)]}, {}, ["introducer_months_together"]),
    # G6a: official status on the date is enough, however recent
    (introducers(on_since=INTRODUCE_ON.isoformat()), {}, []),
    (introducers(on_since="2024-06-11"), {}, ["introducer_not_official", "introducer_not_official"]),
    ({"introducers": [_one()]}, {}, ["introducer_count"]),
    ({"introducers": [_one()], "union_resolution": TRADE}, {}, []),
    ({"introducers": [], "union_resolution": TRADE}, {}, ["introducer_count"]),
    ({"introducers": [_one(), _one("B"), _one("C")]}, {}, ["introducer_count"]),
    ({"introducers": [_one()], "union_resolution": {**TRADE, "on": "2026-11-21"}}, {}, ["date_in_future"]),
    # G7: a youth-age Youth Union member is introduced by the Youth Union committee
    (introducers(), {"youth_union": True}, ["youth_union_resolution_required"]),
    ({"introducers": [_one()], "union_resolution": TRADE}, {"youth_union": True},
     ["youth_union_resolution_required"]),
    ({"introducers": [_one()], "union_resolution": YOUTH}, {"youth_union": True}, []),
    (introducers(), {"youth_union": True, "birth_date": "1994-06-10"}, ["youth_union_resolution_required"]),
    (introducers(), {"youth_union": True, "birth_date": "1994-05-10"}, []),  # 30 years 1 month: not youth age
    (introducers(), {"youth_union": False, "birth_date": "2004-06-10"}, []),  # not a Youth Union member
])
def test_introducers(fields: dict[str, Any], person: dict[str, Any], expected: list[str]) -> None:
    path = _with_person(STANDARD, **person)
    events = run(path, stop="introduce")
    if not expected:
        assert state(decide_on(events, "introduce", INTRODUCE_ON, fields)).introducers
        return
    assert rule_ids(refusal(events, "introduce", INTRODUCE_ON, fields)) == expected


def test_introducer_violations_name_each_field() -> None:
    events = run(STANDARD, stop="introduce")
    found = refusal(events, "introduce", INTRODUCE_ON,
                    {"introducers": [_one(), _one("Trần Minh Đức", since="2024-06-11", months=11)]})
    assert [(v.rule, v.field) for v in found] == [
        ("introducer_not_official", "introducers[1].official_since"),
        ("introducer_months_together", "introducers[1].months_together"),
    ]
    assert "Trần Minh Đức" in found[0].message_vi and "11" in found[1].message_en


def test_every_introducer_violation_is_reported_at_once() -> None:
    events = run(_with_person(STANDARD, youth_union=True), stop="introduce")
    found = refusal(events, "introduce", INTRODUCE_ON, {"introducers": [_one(since="2025-01-01", months=11)]})
    assert sorted(rule_ids(found)) == sorted(["introducer_count", "introducer_not_official",
                                              "introducer_months_together", "youth_union_resolution_required"])
    assert all(v.ref == f"/rules#{v.rule}" and v.message_vi and v.message_en for v in found)


def test_branch_vote_lists_every_missing_prerequisite() -> None:
    """Under 18, expired certificate, no introducers and no comments: four reasons in one refusal."""
    path = _with_person(edit(STANDARD, "certify_training", issued_on="2019-06-30"), birth_date="2006-07-02")
    events = run(path, stop="introduce")
    found = refusal(events, "branch_vote", VOTE_ON, {"official_members": 20, "in_favour": 21})
    assert sorted(rule_ids(found)) == sorted(["vote_needs_introducers", "vote_needs_comments", "age_minimum",
                                              "certificate_expired", "vote_counts"])


def test_identify_refuses_an_org_that_is_not_a_branch() -> None:
    on = date_of(STANDARD, "identify")
    assert rule_ids(refusal([], "identify", on, PERSON, facts=OrgFacts(org_level="commune"))) == ["org_not_branch"]
    assert rule_ids(refusal([], "identify", on, PERSON, facts=OrgFacts(org_level=None))) == ["org_not_found"]


def test_a_step_dated_after_today_is_refused() -> None:
    events = run(STANDARD, stop="assign_helper")
    today = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    found = refusal(events, "assign_helper", date(2026, 11, 21), {"helper": "X"}, recorded_at=today)
    assert rule_ids(found) == ["date_in_future"] and found[0].field == "on"
    decide_on(events, "assign_helper", date(2026, 11, 20), {"helper": "X"}, recorded_at=today)


def test_a_step_dated_before_identification_is_refused() -> None:
    events = run(STANDARD, stop="assign_helper")
    found = refusal(events, "assign_helper", date(2024, 1, 9), {"helper": "X"})
    assert rule_ids(found) == ["date_before_identified"]


@pytest.mark.parametrize(("on", "expected"), [
    (date(2024, 6, 30), ["vote_before_previous", "vote_before_previous"]),  # before the branch and committee votes
    (date(2024, 7, 5), ["vote_before_previous"]),  # after the branch vote, before the committee vote of 10 July
    (date(2024, 7, 10), []),  # the day of the committee vote
])
def test_the_decision_is_not_dated_before_the_votes_it_rests_on(on: date, expected: list[str]) -> None:
    events = run(STANDARD, stop="decide_admission")
    fields = {**fields_of(STANDARD, "decide_admission"), "received_on": None}
    if not expected:
        assert state(decide_on(events, "decide_admission", on, fields)).decided_on == on
        return
    found = refusal(events, "decide_admission", on, fields)
    assert rule_ids(found) == expected and all(v.field == "on" for v in found)
    assert "committee_vote" in found[-1].message_en


def test_transfer_keeps_the_stage_and_the_running_clocks() -> None:
    """P9: a transfer moves the candidate to another branch; stage and open deadlines carry over."""
    events = run(STANDARD, stop="committee_vote")
    on = date(2024, 7, 5)
    assert rule_ids(refusal(events, "transfer", on, {"to_org": "CB-01"})) == ["transfer_same_org"]
    assert rule_ids(refusal(events, "transfer", on, {"to_org": "DU-XA"}, facts=OrgFacts("grassroots_committee"))) \
        == ["org_not_branch"]
    before = state(events)
    after = state(decide_on(events, "transfer", on, {"to_org": "CB-02"}))
    assert (after.org, after.stage, after.deadlines) == ("CB-02", before.stage, before.deadlines)
    assert after.transfers == [(on, "CB-01", "CB-02")]
