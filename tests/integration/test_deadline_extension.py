"""An extension of a decision deadline (DOMAIN.md D6, D12) on a real database (SQLite file and PostgreSQL): the
deadline row's due date moves in the step's transaction, so the reminders and the report's overdue count follow;
each refusal writes nothing; the log with the extension verifies clean."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from states.errors import RuleViolation
from storage.event_store import EVENTS
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    add_contacts,
    add_orgs,
    at_local,
    deadline,
    memory_reminders,
    outbox_rows,
    record_until,
)
from workflow.access import recordable_steps
from workflow.audit.verify import verify
from workflow.commands import RecordStep
from workflow.documents import deadline_doc
from workflow.reports.admissions import admissions_report
from workflow.reports.periods import parse_period
from workflow.service import Ketnap

TODAY = date(2026, 11, 20)  # the clock fixture's day
VOTED = date(2026, 8, 12)  # the committee vote; D6 ran out late in October, 30 more working days reach December


@pytest.fixture
def ketnap(app: Ketnap) -> Ketnap:
    add_orgs(app)
    add_contacts(app.engine)
    return app


def extend(app: Ketnap, cid: str, days: int, on: date = date(2026, 11, 19)) -> None:
    app.record_step(RecordStep(candidate_id=cid, step="extend_deadline", on=on, fields={
        "deadline": "admission_decision", "extra_working_days": days, "decision_no": "77-QĐ/ĐU",
        "reason": "chờ kết quả thẩm tra bổ sung"}))


def event_count(app: Ketnap, cid: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(EVENTS).where(EVENTS.c.stream_id == cid)).scalar_one())


def overdue_kinds(app: Ketnap) -> dict[str, Any]:
    return dict(admissions_report(app, "DU-XA", parse_period("2026"))["pipeline"]["overdue"])


def test_the_extension_moves_the_deadline_row_the_reminders_and_the_overdue_count(ketnap: Ketnap,
                                                                                  clock: FrozenClock) -> None:
    cid = record_until(ketnap, "decide_admission", VOTED)
    old = deadline(ketnap.engine, cid, "admission_decision")
    new_due = ketnap.calendar.add_working_days(old.due_on, 30)
    assert old.due_on < TODAY < new_due, "today falls between the old and the new due dates"
    assert overdue_kinds(ketnap) == {"admission_decision": 1}
    reminders = memory_reminders(ketnap)
    clock.current = at_local(TODAY, 8)
    reminders.sweep(clock.now())
    owed = outbox_rows(ketnap.engine, deadline_id=old.id)
    assert any(r.slot.startswith(("overdue", "escalate")) for r in owed), "overdue before the extension"

    extend(ketnap, cid, 30)  # exactly the maximum of the rule set (config.yaml)

    moved = deadline(ketnap.engine, cid, "admission_decision")
    assert (moved.id, moved.due_on, moved.status, moved.opened_on) == (old.id, new_due, "open", old.opened_on)
    assert overdue_kinds(ketnap) == {}
    reminders.sweep(clock.now())
    rows = outbox_rows(ketnap.engine, deadline_id=old.id)
    assert all(r.status == "cancelled" for r in rows if r.due_on == old.due_on)
    assert not [r.slot for r in rows if r.status != "cancelled" and r.slot.startswith(("overdue", "escalate"))]
    shown = deadline_doc(ketnap.show(cid).candidate.deadlines["admission_decision"])
    assert (shown["due_on"], shown["extended_from"], shown["extended_on"]) == (new_due, old.due_on,
                                                                               date(2026, 11, 19))
    assert verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).ok


def test_each_refused_extension_writes_nothing(ketnap: Ketnap) -> None:
    cid = record_until(ketnap, "decide_admission", VOTED)
    due = deadline(ketnap.engine, cid, "admission_decision").due_on
    events = event_count(ketnap, cid)
    with pytest.raises(RuleViolation) as too_long:
        extend(ketnap, cid, 31)
    assert [v.rule for v in too_long.value.violations] == ["extension_too_long"]
    assert (event_count(ketnap, cid), deadline(ketnap.engine, cid, "admission_decision").due_on) == (events, due)
    extend(ketnap, cid, 10)
    moved = deadline(ketnap.engine, cid, "admission_decision").due_on
    assert moved == ketnap.calendar.add_working_days(due, 10)
    with pytest.raises(RuleViolation) as twice:
        extend(ketnap, cid, 5, on=date(2026, 11, 20))
    assert [v.rule for v in twice.value.violations] == ["extension_once"]
    assert (event_count(ketnap, cid), deadline(ketnap.engine, cid, "admission_decision").due_on) == (events + 1,
                                                                                                     moved)


def test_the_competent_committee_records_the_extension_not_the_branch() -> None:
    assert "extend_deadline" in recordable_steps("committee")
    assert "extend_deadline" not in recordable_steps("secretary")
