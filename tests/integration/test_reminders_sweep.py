"""The sweep and the dispatcher on a real database with an injected clock: every deadline kind reminds at the
offsets config.yaml gives it; a repeated sweep, a second instance or a policy change never writes a reminder
twice; what fell due while the scheduler was down goes out late and marked; closing a deadline cancels its
reminders; overdue deadlines escalate to the upper level; a missing contact is an incident, not a skip."""

from datetime import UTC, date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from notifications import policy as p
from notifications.channels import InMemoryChannel
from storage.engine import make_engine
from storage.projections import DEADLINES
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    EMAIL,
    add_contacts,
    add_orgs,
    at_local,
    deadline,
    memory_reminders,
    outbox_rows,
    owed_from_the_whole_track,
    record_until,
    seed_due_deadlines,
    with_reminders,
)
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep
from workflow.reminders import Reminders, SetContact
from workflow.service import Ketnap

LAST_ON = date(2026, 11, 12)  # a week before the clock fixture's T0 (2026-11-20), so received_on is past
OPENED_BY = {  # the step before which the path stops, so that the kind's deadline is open
    "certificate_expiry": "submit_application", "admission_decision": "committee_vote",
    "ceremony": "hold_ceremony", "member_history": "submit_member_history",
    "probation_end": "submit_member_history", "probation_review": "submit_member_history",
    "recognition_decision": "recognise_official",
}


@pytest.fixture
def ketnap(app: Ketnap) -> Ketnap:
    add_orgs(app)
    add_contacts(app.engine)
    return app


@pytest.fixture
def sqlite_app(sqlite_url: str, clock: FrozenClock) -> Any:
    engine = make_engine(sqlite_url)
    app = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(app)
    add_contacts(engine)
    yield app
    engine.dispose()


def rows_of(engine: Engine, deadline_id: int) -> set[tuple[str, str]]:
    return {(r.slot, r.role) for r in outbox_rows(engine, deadline_id=deadline_id)}


def expected_moments(kind: str, due: date, app: Ketnap) -> list[tuple[Any, set[tuple[str, str]]]]:
    """(moment, rows it adds) from config.yaml's policy for `kind`, computed here from the numbers."""
    policy = settings().reminders.policy(kind)
    roles = set(policy.notify)
    moments = [(at_local(due - timedelta(days=n)), {(f"before-{n}", r) for r in roles}) for n in policy.before_days]
    if policy.on_the_day:
        moments.append((at_local(due), {("due", r) for r in roles}))
    if policy.overdue_every_days:
        moments.append((at_local(due + timedelta(days=policy.overdue_every_days)), {("overdue-1", r) for r in roles}))
    if policy.escalate_after_working_days is not None:
        up = app.calendar.add_working_days(due, policy.escalate_after_working_days)
        moments.append((at_local(up), {("escalate", "upper")}))
    merged: dict[Any, set[tuple[str, str]]] = {}
    for moment, adds in moments:  # the escalation may fall at the same moment as a reminder
        merged.setdefault(moment, set()).update(adds)
    return sorted(merged.items(), key=lambda m: m[0])


@pytest.mark.parametrize("kind", sorted(OPENED_BY))
def test_each_deadline_kind_reminds_at_its_configured_offsets(sqlite_app: Ketnap, clock: FrozenClock,
                                                              kind: str) -> None:
    candidate = record_until(sqlite_app, OPENED_BY[kind], LAST_ON)
    d = deadline(sqlite_app.engine, candidate, kind)
    reminders = memory_reminders(sqlite_app, with_reminders())
    every = expected_moments(kind, d.due_on, sqlite_app)
    passed, moments = [m for m in every if m[0] <= clock.now()], [m for m in every if m[0] > clock.now()]
    assert moments, f"config.yaml gives {kind} no reminder after it opens"
    reminders.sweep(clock.now())  # a moment that passed before the deadline was recorded: owed at once
    written: set[tuple[str, str]] = passed[-1][1] if passed else set()
    assert rows_of(sqlite_app.engine, d.id) == written
    for moment, adds in moments:
        clock.current = moment - timedelta(minutes=1)
        reminders.sweep(clock.now())
        assert rows_of(sqlite_app.engine, d.id) == written, f"{kind}: nothing new a minute before {moment}"
        clock.current = moment
        reminders.sweep(clock.now())
        written |= adds
        assert rows_of(sqlite_app.engine, d.id) == written, f"{kind} at {moment}"
    on_time = {slot for _, adds in moments for slot, _ in adds}
    assert not any(r.late for r in outbox_rows(sqlite_app.engine, deadline_id=d.id) if r.slot in on_time)


def test_repeated_sweeps_and_a_second_instance_write_and_send_each_reminder_once(ketnap: Ketnap,
                                                                                clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    first, second = memory_reminders(ketnap), memory_reminders(ketnap)
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    for reminders in (first, second, first):
        reminders.sweep(clock.now())
        reminders.dispatch(clock.now())
    sent = [m for r in (first, second) for m in r.channels["email"].sent]  # type: ignore[attr-defined]
    assert [(to, m.key) for to, m in sent] == [(EMAIL["CB-01", "secretary"],
                                                f"r:{d.id}:{d.due_on}:before-7:secretary")]
    assert [r.status for r in outbox_rows(ketnap.engine, deadline_id=d.id)] == ["sent"]


def test_a_policy_change_applies_to_open_deadlines_without_resending(ketnap: Ketnap, clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    before = memory_reminders(ketnap, with_reminders(kinds={"ceremony": {"before_days": [30, 7, 1]}}))
    clock.current = at_local(d.due_on - timedelta(days=7))
    before.run_once(clock.now())
    email = InMemoryChannel()
    after = memory_reminders(ketnap, with_reminders(kinds={"ceremony": {"before_days": [14, 7, 3]}}),
                             email=email)
    after.run_once(clock.now())
    assert email.sent == []  # 7 days before was already sent under the old policy
    clock.current = at_local(d.due_on - timedelta(days=3))
    after.run_once(clock.now())
    assert [m.key.split(":")[3] for _, m in email.sent] == ["before-3"]
    assert {r.slot for r in outbox_rows(ketnap.engine, deadline_id=d.id)} == {"before-7", "before-3"}


def test_a_reminder_due_while_the_scheduler_was_down_is_sent_late_and_marked(ketnap: Ketnap,
                                                                              clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    reminders = memory_reminders(ketnap)
    clock.current = at_local(d.due_on - timedelta(days=30), 7, 30)  # within late_after_minutes (60)
    reminders.run_once(clock.now())
    clock.current = at_local(d.due_on - timedelta(days=5), 9)  # down from 30 days before until 5 days before
    reminders.run_once(clock.now())
    rows = {r.slot: r for r in outbox_rows(ketnap.engine, deadline_id=d.id)}
    assert set(rows) == {"before-30", "before-7"}
    assert (rows["before-30"].late, rows["before-7"].late) == (False, True)
    _, message = reminders.channels["email"].sent[-1]  # type: ignore[attr-defined]
    assert message.late and "Thông báo gửi muộn" in message.body
    assert (d.due_on - timedelta(days=7)).strftime("%d/%m/%Y") in message.body


def test_after_downtime_across_several_moments_one_reminder_states_the_current_status(
        ketnap: Ketnap, clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    reminders = memory_reminders(ketnap)
    clock.current = at_local(d.due_on + timedelta(days=1), 9)  # missed 30, 7, 1 days before and the day itself
    reminders.run_once(clock.now())
    assert [(r.slot, r.late) for r in outbox_rows(ketnap.engine, deadline_id=d.id)] == [("due", True)]
    _, message = reminders.channels["email"].sent[0]  # type: ignore[attr-defined]
    assert message.subject.startswith("Quá hạn") and "đã quá hạn" in message.body


def test_closing_a_deadline_cancels_its_pending_reminders(ketnap: Ketnap, clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    reminders = memory_reminders(ketnap)
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    reminders.sweep(clock.now())  # written, not yet sent
    ketnap.record_step(RecordStep(candidate_id=candidate, step="hold_ceremony", on=clock.now().date(),
                                  fields={"probation_helper": "Phạm Văn Bình"}))
    report = reminders.dispatch(clock.now())
    assert (report.sent, report.cancelled) == (0, 1)
    clock.current = at_local(d.due_on + timedelta(days=10))
    reminders.run_once(clock.now())
    assert [r.status for r in outbox_rows(ketnap.engine, deadline_id=d.id)] == ["cancelled"]
    assert reminders.channels["email"].sent == []  # type: ignore[attr-defined]


def test_a_closed_deadline_cancels_reminders_at_the_next_sweep_too(ketnap: Ketnap, clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    reminders = memory_reminders(ketnap, email=InMemoryChannel(fail_first=1))
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    reminders.run_once(clock.now())  # the first try fails: the row waits for its retry
    ketnap.record_step(RecordStep(candidate_id=candidate, step="hold_ceremony", on=clock.now().date(),
                                  fields={"probation_helper": "Phạm Văn Bình"}))
    assert reminders.sweep(clock.now()).cancelled == 1


@pytest.mark.parametrize(("kind", "stop", "upper"), [
    ("ceremony", "hold_ceremony", "DU-CS"),  # D8: the branch reports to its direct upper committee
    ("admission_decision", "committee_vote", "TINH"),  # D6: the deciding committee DU-XA answers to TINH
])
def test_an_overdue_deadline_escalates_to_the_upper_level(ketnap: Ketnap, clock: FrozenClock, kind: str,
                                                          stop: str, upper: str) -> None:
    candidate = record_until(ketnap, stop, LAST_ON)
    d = deadline(ketnap.engine, candidate, kind)
    email = InMemoryChannel()
    reminders = memory_reminders(ketnap, email=email)
    n = settings().reminders.policy(kind).escalate_after_working_days
    assert n is not None
    clock.current = at_local(ketnap.calendar.add_working_days(d.due_on, n), 8)
    reminders.run_once(clock.now())
    escalations = [(to, m) for to, m in email.sent if m.key.endswith(":escalate:upper")]
    assert [to for to, _ in escalations] == [EMAIL[upper, "office"]]
    message = escalations[0][1]
    assert message.subject.startswith("Báo cáo quá hạn")
    assert f"đã quá hạn {n} ngày làm việc" in message.body
    assert [r.org for r in outbox_rows(ketnap.engine, deadline_id=d.id, kind="escalation")] == [upper]


def test_a_recipient_without_contact_is_an_incident_until_a_contact_is_set(app: Ketnap,
                                                                            clock: FrozenClock) -> None:
    add_orgs(app)
    candidate = record_until(app, "hold_ceremony", LAST_ON)
    d = deadline(app.engine, candidate, "ceremony")
    email = InMemoryChannel()
    reminders = memory_reminders(app, email=email)
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    assert reminders.run_once(clock.now())[1].incidents == 1
    failed = reminders.outbox(failed=True).rows
    assert [(r["problem"], r["org"]) for r in failed] == [("no_contact", "CB-01")]
    assert "ketnap org contact CB-01 --role secretary" in failed[0]["last_error"]
    requeued = reminders.set_contact(SetContact(org="CB-01", role="secretary", email="bt@example.vn"), clock.now())
    assert requeued == 1
    reminders.dispatch(clock.now())
    assert [to for to, _ in email.sent] == ["bt@example.vn"]


def test_transient_failures_back_off_then_fail_and_a_retry_by_id_sends(ketnap: Ketnap, clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    s = with_reminders(delivery={"max_attempts": 3, "backoff_seconds": 60, "backoff_max_seconds": 3600})
    email = InMemoryChannel(fail_first=3)
    reminders = memory_reminders(ketnap, s, email=email)
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    reminders.sweep(clock.now())
    waits = []
    for _ in range(3):
        reminders.dispatch(clock.now())
        row = outbox_rows(ketnap.engine, deadline_id=d.id)[0]
        waits.append(round((row.available_at.replace(tzinfo=clock.now().tzinfo) - clock.now()).total_seconds()))
        clock.advance(hours=2)
    assert waits[:2] == [60, 120]  # 1 minute, then 2 (exponential)
    assert (row.status, row.problem, row.attempts) == ("failed", "exhausted", 3)
    assert email.sent == []
    reminders.retry(row.id, clock.now())
    reminders.dispatch(clock.now())
    assert [m.key for _, m in email.sent] == [row.key]


def test_an_unknown_row_or_a_row_that_did_not_fail_cannot_be_retried(ketnap: Ketnap, clock: FrozenClock) -> None:
    from workflow.reminders import ReminderError
    reminders = memory_reminders(ketnap)
    with pytest.raises(ReminderError, match="no outbox row 999"):
        reminders.retry(999, clock.now())


def test_the_morning_digest_lists_each_organisations_deadlines_once_a_day(ketnap: Ketnap,
                                                                          clock: FrozenClock) -> None:
    first = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, first, "ceremony")
    s = with_reminders(digest={"enabled": True, "days_ahead": 7})
    reminders = Reminders(s, ketnap.engine, ketnap.calendar, ketnap.rulebook, {"email": InMemoryChannel()})
    day = d.due_on - timedelta(days=3)
    clock.current = at_local(day, 6, 59)
    assert reminders.sweep(clock.now()).digests == 0
    clock.current = at_local(day, 7)
    assert reminders.sweep(clock.now()).digests == 1
    reminders.dispatch(clock.now())
    clock.advance(hours=3)
    assert reminders.sweep(clock.now()).digests == 0
    digests = [(to, m) for to, m in reminders.channels["email"].sent  # type: ignore[attr-defined]
               if m.key.startswith("d:")]
    assert [to for to, _ in digests] == [EMAIL["CB-01", "secretary"]]
    assert "Nguyễn Thị Hoà" in digests[0][1].body and digests[0][1].key == f"d:{day}:CB-01:secretary"


def test_a_batch_slower_than_its_lease_sends_nothing_more_and_hands_the_rest_back(ketnap: Ketnap,
                                                                                  clock: FrozenClock) -> None:
    candidate = record_until(ketnap, "hold_ceremony", LAST_ON)
    d = deadline(ketnap.engine, candidate, "ceremony")
    email = InMemoryChannel()
    reminders = memory_reminders(ketnap, with_reminders(delivery={"lease_seconds": 1e-9}), email=email)
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    reminders.sweep(clock.now())
    assert reminders.dispatch(clock.now()).handled == 0
    assert email.sent == []
    [row] = outbox_rows(ketnap.engine, deadline_id=d.id)
    assert (row.status, row.attempts) == ("pending", 0)


def test_deadlines_overdue_for_years_get_the_reminders_and_escalations_their_whole_track_owed(
        ketnap: Ketnap, clock: FrozenClock) -> None:
    """The sweep computes only the newest overdue round (issue 14); across two sweeps a week apart it writes
    exactly the rows the whole track from the deadline's opening owed, each once."""
    for i in range(24):  # due on every weekday, from 2016 to the clock's month
        due = date(2016, 3, 1) + timedelta(days=163 * i)
        seed_due_deadlines(ketnap.engine, 1, due, due - timedelta(days=60), prefix=f"old{i}")
    reminders = memory_reminders(ketnap)
    r = reminders.policy
    written: set[tuple[Any, ...]] = set()
    for now in (at_local(date(2026, 11, 20), 9), at_local(date(2026, 11, 27), 7)):
        expected = set()
        with ketnap.engine.connect() as conn:
            rows = conn.execute(DEADLINES.select().where(DEADLINES.c.status == "open")).all()
        for d in rows:
            view = p.DeadlineView(d.id, d.kind, d.due_on, d.opened_on, d.org, d.stream_id)
            policy = r.policy(d.kind)
            for slot in owed_from_the_whole_track(view, policy, ketnap.calendar, now, r.send_at):
                expected |= {(p.reminder_key(d.id, d.due_on, slot.name, role), slot.moment(r.send_at))
                             for role in p.recipients(slot, policy)}
        report = reminders.sweep(now)
        found = {(row.key, row.fire_at.astimezone(UTC)) for row in outbox_rows(ketnap.engine)}
        assert found == written | expected
        assert report.created == len(expected - written)
        written = found
