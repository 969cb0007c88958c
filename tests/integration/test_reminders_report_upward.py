"""Reports to the upper level, on SQLite and PostgreSQL: a failed branch vote (DOMAIN.md V1), the third failed
review vote (D19) and a late ceremony (D8) each become exactly one message to the committee above the
candidate's branch, however many sweeps run; a passed vote and the first two failed review votes become none;
a missing contact of the upper level is an incident, not a skip."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete

from notifications.channels import InMemoryChannel
from notifications.message import RenderedMessage
from storage.reminder_tables import SweepCursorRow
from tests.integration.reminders_support import (
    EMAIL,
    add_contacts,
    add_orgs,
    at_local,
    deadline,
    memory_reminders,
    outbox_rows,
    record_until,
)
from workflow.commands import RecordStep
from workflow.reminders import Reminders, SetContact
from workflow.service import Ketnap

NOW = at_local(date(2026, 11, 20), 8)
UPPER = EMAIL[("DU-CS", "office")]  # the committee above the branch CB-01, reached through its office
CURSORS = SweepCursorRow.__table__  # type: ignore[attr-defined]


@pytest.fixture
def ketnap(app: Ketnap) -> Ketnap:
    add_orgs(app)
    add_contacts(app.engine)
    return app


def vote(app: Ketnap, candidate_id: str, step: str, on: date, in_favour: int, **extra: Any) -> None:
    app.record_step(RecordStep(candidate_id=candidate_id, step=step, on=on,
                               fields={"official_members": 20, "in_favour": in_favour, **extra}))


def reports(app: Ketnap) -> list[Any]:
    return outbox_rows(app.engine, kind="report")


def sent_upward(email: InMemoryChannel) -> list[RenderedMessage]:
    """Reports only: overdue escalations go to the same office (keys `r:...`, test_reminders_sweep.py)."""
    return [m for target, m in email.sent if target == UPPER and m.key.startswith("u:")]


def test_a_failed_branch_vote_is_reported_once_to_the_upper_level(ketnap: Ketnap) -> None:
    cid = record_until(ketnap, "branch_vote", date(2024, 6, 15))
    vote(ketnap, cid, "branch_vote", date(2024, 7, 1), in_favour=10)
    email = InMemoryChannel()
    reminders = memory_reminders(ketnap, email=email, webhook=InMemoryChannel())

    assert reminders.sweep(NOW).reports == 1
    assert reminders.sweep(NOW).reports == 0
    with ketnap.engine.begin() as conn:  # a lost cursor re-reads the log: the key still stops a second row
        conn.execute(delete(CURSORS))
    assert reminders.sweep(NOW).reports == 0
    assert [(r.key, r.role) for r in reports(ketnap)] == [(f"u:{cid}:10", "upper")]

    reminders.dispatch(NOW)
    reminders.sweep(NOW)
    reminders.dispatch(NOW)
    [message] = sent_upward(email)
    assert message.key == f"u:{cid}:10"
    assert "10/20" in message.body and "/rules#topic-votes" in message.body and "01/07/2024" in message.body
    assert "Đảng ủy Trường THPT Tân Lập" in message.body  # the upper level named as recipient
    assert [r.status for r in reports(ketnap)] == ["sent"]


def test_a_passed_branch_vote_is_not_reported(ketnap: Ketnap) -> None:
    cid = record_until(ketnap, "branch_vote", date(2024, 6, 15))
    vote(ketnap, cid, "branch_vote", date(2024, 7, 1), in_favour=18)
    email = InMemoryChannel()
    reminders = memory_reminders(ketnap, email=email, webhook=InMemoryChannel())
    reminders.run_once(NOW)
    assert reports(ketnap) == [] and sent_upward(email) == []


def test_only_the_third_failed_review_vote_is_reported(ketnap: Ketnap) -> None:
    cid = record_until(ketnap, "review_vote", date(2024, 12, 1))
    email = InMemoryChannel()
    reminders = memory_reminders(ketnap, email=email, webhook=InMemoryChannel())
    for on in (date(2025, 8, 25), date(2025, 9, 1)):
        vote(ketnap, cid, "review_vote", on, in_favour=5, recommendation="recognise")
        reminders.run_once(NOW)
    assert reports(ketnap) == [] and sent_upward(email) == []

    vote(ketnap, cid, "review_vote", date(2025, 9, 8), in_favour=5, recommendation="recognise")
    reminders.run_once(NOW)
    reminders.run_once(NOW)
    [row] = reports(ketnap)
    [message] = sent_upward(email)
    assert message.key == row.key == f"u:{cid}:18"
    assert "/rules#topic-recognition" in message.body and "lần thứ 3" in message.body and "08/09/2025" in message.body


def test_a_late_ceremony_is_reported_in_english_with_its_deadline(ketnap: Ketnap) -> None:
    add_contacts(ketnap.engine, {("DU-CS", "office"): UPPER}, language="en")
    cid = record_until(ketnap, "hold_ceremony", date(2024, 8, 1))
    due = deadline(ketnap.engine, cid, "ceremony").due_on
    late_on = date(2024, 10, 15)
    assert late_on > due
    ketnap.record_step(RecordStep(candidate_id=cid, step="hold_ceremony", on=late_on,
                                  fields={"probation_helper": "Phạm Văn Bình"}))
    email = InMemoryChannel()
    reminders = memory_reminders(ketnap, email=email, webhook=InMemoryChannel())
    reminders.run_once(NOW)
    reminders.run_once(NOW)
    [message] = sent_upward(email)
    assert "late admission ceremony" in message.subject
    assert due.isoformat() in message.body and late_on.isoformat() in message.body
    assert "/rules#deadline-ceremony" in message.body


def test_a_ceremony_on_time_is_not_reported(ketnap: Ketnap) -> None:
    cid = record_until(ketnap, "hold_ceremony", date(2024, 8, 1))
    due = deadline(ketnap.engine, cid, "ceremony").due_on
    ketnap.record_step(RecordStep(candidate_id=cid, step="hold_ceremony", on=due,
                                  fields={"probation_helper": "Phạm Văn Bình"}))
    memory_reminders(ketnap).run_once(NOW)
    assert reports(ketnap) == []


def test_a_missing_upper_contact_is_an_incident_until_it_is_set(app: Ketnap) -> None:
    add_orgs(app)
    add_contacts(app.engine, {k: v for k, v in EMAIL.items() if k != ("DU-CS", "office")})
    cid = record_until(app, "branch_vote", date(2024, 6, 15))
    vote(app, cid, "branch_vote", date(2024, 7, 1), in_favour=10)
    email = InMemoryChannel()
    reminders: Reminders = memory_reminders(app, email=email, webhook=InMemoryChannel())

    reminders.run_once(NOW)
    [row] = reports(app)
    assert (row.status, row.problem, row.org) == ("failed", "no_contact", "DU-CS")
    assert "DU-CS" in (row.last_error or "") and sent_upward(email) == []

    assert reminders.set_contact(SetContact(org="DU-CS", role="office", email=UPPER), NOW) >= 1
    reminders.run_once(NOW)
    assert [r.status for r in reports(app)] == ["sent"] and len(sent_upward(email)) == 1
