"""A probationary member's transfer (issue 13 item 6; DOMAIN.md D16, P9): the sending branch transfers, the member
presents the transfer at the receiving branch within 60 working days (D16), belongs to the receiving branch from
the day it receives them, and the receiving branch votes on the recognition (P9, UNVERIFIED: a setting)."""

from datetime import date

import pytest

from states.candidate import replay
from states.decide import allowed_steps, decide, recheck_and_replay
from states.errors import RuleViolation
from states.events import Event
from states.step import OrgFacts
from tests.builders import calendar, history_until, make_step, record, rulebook

SENT_ON = date(2025, 3, 3)  # a Monday during probation (ceremony 2024-08-20), under qd232-2025
TRANSFER = {"to_org": "CB-02", "transfer_ref": "15-GGT/ĐU"}
TO_BRANCH = OrgFacts(org_level="branch")
REVIEW = {"official_members": 15, "in_favour": 12, "recommendation": "recognise"}


def _sent() -> list[Event]:
    return record(history_until("review_vote"), "transfer_probationary", SENT_ON, TRANSFER, facts=TO_BRANCH)


def test_the_transfer_opens_the_presentation_deadline_and_keeps_the_member_in_the_sending_branch() -> None:
    events = _sent()
    c = replay(events, stream_id="c-1")
    assert c.org == "CB-01" and c.pending_transfer is not None and c.pending_transfer["to_org"] == "CB-02"
    deadline = c.deadlines["transfer_presentation"]
    # 60 working days after Monday 03/03/2025: 20 in March, 20 in April (Hùng Kings 07/04 and 30/04 off),
    # then 01/05 off and 20 more to Thursday 29/05
    assert deadline.due_on == calendar().add_working_days(SENT_ON, 60) == date(2025, 5, 29)
    assert deadline.rule_set == "qd232-2025"


def test_the_receiving_branch_receives_and_the_member_belongs_to_it_from_that_day() -> None:
    events = record(_sent(), "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"})
    c = replay(events, stream_id="c-1")
    assert (c.org, c.pending_transfer, c.received_from) == ("CB-02", None, "CB-01")
    assert c.transfers[-1] == (date(2025, 4, 1), "CB-01", "CB-02")
    assert not c.deadlines["transfer_presentation"].is_open and events[-1].derived["late"] is False
    assert c.probation_ends_on == date(2025, 8, 20)  # the probation clock carries over (P9: a setting left alone)


@pytest.mark.parametrize(("on", "late"), [(date(2025, 5, 29), False), (date(2025, 5, 30), True)])
def test_presented_after_the_sixtieth_working_day_is_recorded_late(on: date, late: bool) -> None:
    events = record(_sent(), "transfer_received", on, {"to_org": "CB-02"})
    assert events[-1].derived["late"] is late


@pytest.mark.parametrize(("name", "on", "fields", "reasons"), [
    ("transfer_received", date(2025, 4, 1), {"to_org": "CB-03"}, [("transfer_received_elsewhere", "to_org")]),
    ("transfer_received", date(2025, 3, 1), {"to_org": "CB-02"}, [("transfer_received_before_sent", "on")]),
    ("transfer_probationary", date(2025, 4, 1), {"to_org": "CB-03", "transfer_ref": "2"},
     [("transfer_pending", "to_org")]),
    ("transfer", date(2025, 4, 1), {"to_org": "CB-03"}, [("transfer_pending", "to_org")]),
    ("review_vote", date(2025, 8, 25), REVIEW, [("review_transfer_pending", None)]),
])
def test_refused_while_the_transfer_waits(name: str, on: date, fields: dict[str, str],
                                          reasons: list[tuple[str, str | None]]) -> None:
    with pytest.raises(RuleViolation) as refused:
        record(_sent(), name, on, fields, facts=TO_BRANCH)
    assert [(v.rule, v.field) for v in refused.value.violations] == reasons


def test_nothing_to_receive_without_a_transfer() -> None:
    with pytest.raises(RuleViolation) as refused:
        record(history_until("review_vote"), "transfer_received", SENT_ON, {"to_org": "CB-02"})
    assert [v.rule for v in refused.value.violations] == ["transfer_not_sent"]


def test_a_transfer_to_the_members_own_branch_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        record(history_until("review_vote"), "transfer_probationary", SENT_ON, {**TRANSFER, "to_org": "CB-01"},
               facts=TO_BRANCH)
    assert [v.rule for v in refused.value.violations] == ["transfer_same_org"]


def test_the_receiving_branch_votes_and_the_member_is_recognised() -> None:
    events = record(_sent(), "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"})
    for name, on, fields in [("review_vote", date(2025, 8, 25), REVIEW),
                             ("committee_review_vote", date(2025, 9, 3), {"committee_members": 9, "in_favour": 8}),
                             ("recognise_official", date(2025, 9, 20), {"decision_no": "456-QĐ/ĐU",
                                                                        "decided_by": "DU-XA"})]:
        events = record(events, name, on, fields)
    c = replay(events, stream_id="c-1")
    assert (c.stage.value if c.stage else None, c.org, c.official_on) == ("official", "CB-02", date(2025, 8, 20))
    assert recheck_and_replay(events, rulebook(), calendar()).problems == []


def test_the_sending_branch_votes_when_the_setting_says_so() -> None:
    """P9 is UNVERIFIED, so which branch votes is a setting: with `sending`, the review is voted before the
    receiving branch records the reception, and refused after it."""
    sending = {r.id: r.model_copy(update={"recognition_vote_by": "sending"}) for r in rulebook().versions}
    rules = sending["qd294-2025"]
    received = record(_sent(), "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"})
    c = replay(received, stream_id="c-1")
    with pytest.raises(RuleViolation) as refused:
        decide(c, make_step("review_vote", date(2025, 8, 25), REVIEW), rules, calendar())
    assert [v.rule for v in refused.value.violations] == ["review_by_sending_branch"]
    waiting = replay(_sent(), stream_id="c-1")
    assert decide(waiting, make_step("review_vote", date(2025, 8, 25), REVIEW), rules, calendar())


def test_only_the_step_that_fits_is_offered() -> None:
    def offered(events: list[Event]) -> set[str]:
        c = replay(events, stream_id="c-1")
        steps = allowed_steps(c, rulebook().for_date(SENT_ON), calendar(), SENT_ON)
        return {a.step for a in steps} & {"transfer_probationary", "transfer_received"}
    assert offered(history_until("review_vote")) == {"transfer_probationary"}
    assert offered(_sent()) == {"transfer_received"}


def test_a_dropped_member_closes_the_presentation_deadline() -> None:
    events = record(_sent(), "drop", date(2025, 4, 1), {"reason": "withdrew"})
    assert not replay(events, stream_id="c-1").deadlines["transfer_presentation"].is_open
