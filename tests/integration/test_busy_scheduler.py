"""The scheduler on a busy database (issue 11, break 6): another connection holds SQLite's write lock longer than
a tiny busy timeout. The jobs log one warning each, not a traceback, and the next run sends every reminder exactly
once; a lock taken while a message is being sent is waited out, so the sent row is marked sent and never sent
again. PostgreSQL: a row lock held by another connection past the busy timeout is the same DatabaseBusy."""

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text

from notifications.channels import InMemoryChannel
from notifications.message import RenderedMessage
from storage.engine import make_engine
from storage.errors import DatabaseBusy
from storage.event_store import APPEND_LOCK_KEY
from storage.failures import BusyRetry
from tests.builders import settings
from tests.conftest import _truncate
from tests.fakes import FrozenClock
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
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep
from workflow.scheduler import SchedulerService
from workflow.service import Ketnap

LAST_ON = date(2026, 11, 12)  # a week before the clock fixture's T0 (2026-11-20)


@pytest.fixture
def busy_app(sqlite_url: str, clock: FrozenClock) -> Iterator[Ketnap]:
    engine = make_engine(sqlite_url, busy_timeout_ms=20)
    app = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(app)
    add_contacts(engine)
    yield app
    engine.dispose()


@pytest.fixture
def other(sqlite_url: str) -> Iterator[sqlite3.Connection]:
    """Another process's connection, for holding the write lock as a long import does."""
    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None, timeout=0,
                           check_same_thread=False)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _due_reminder(app: Ketnap, clock: FrozenClock) -> str:
    """A ceremony deadline a week away: one reminder (`before-7`) is owed now. Returns its outbox key."""
    d = deadline(app.engine, record_until(app, "hold_ceremony", LAST_ON), "ceremony")
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    return f"r:{d.id}:{d.due_on}:before-7:secretary"


def test_jobs_on_a_held_lock_warn_once_each_and_the_next_run_sends_exactly_once(
        busy_app: Ketnap, clock: FrozenClock, other: sqlite3.Connection, caplog: pytest.LogCaptureFixture) -> None:
    key = _due_reminder(busy_app, clock)
    email = InMemoryChannel()
    reminders = memory_reminders(busy_app, email=email)
    pauses: list[float] = []
    reminders.busy_retry = BusyRetry(3, 0.5, sleep=pauses.append)
    service = SchedulerService(reminders, clock)

    other.execute("BEGIN IMMEDIATE")
    with caplog.at_level(logging.INFO, logger="workflow.scheduler"):
        service.sweep_job()
        service.dispatch_job()
    other.execute("ROLLBACK")

    warnings = [r for r in caplog.records if r.name == "workflow.scheduler"]
    assert [(r.levelno, r.getMessage().split(":")[0]) for r in warnings] == [
        (logging.WARNING, "sweep"), (logging.WARNING, "dispatch")]
    assert all(r.exc_info is None for r in warnings), "a busy database is a warning, not a traceback"
    assert "the next run tries again" in warnings[0].getMessage()
    assert pauses == [0.5, 1.0, 0.5, 1.0]  # each job tried three times, waiting twice as long the second time
    assert outbox_rows(busy_app.engine) == [] and email.sent == []

    for _ in range(2):  # the next runs, and one more: nothing twice
        service.sweep_job()
        service.dispatch_job()
    assert [(to, m.key) for to, m in email.sent] == [(EMAIL["CB-01", "secretary"], key)]
    assert [r.status for r in outbox_rows(busy_app.engine)] == ["sent"]


@dataclass
class LockedWhileSending(InMemoryChannel):
    """Sends, and at that moment another writer takes the lock: the row must still be marked sent."""

    other: sqlite3.Connection | None = None
    released: list[float] = field(default_factory=list)

    def send(self, message: RenderedMessage, target: str) -> None:
        super().send(message, target)
        assert self.other is not None
        self.other.execute("BEGIN IMMEDIATE")

    def release(self, seconds: float) -> None:
        self.released.append(seconds)
        assert self.other is not None
        self.other.execute("COMMIT")


def test_a_lock_taken_while_a_message_is_sent_is_waited_out_and_the_row_marked_sent(
        busy_app: Ketnap, clock: FrozenClock, other: sqlite3.Connection) -> None:
    key = _due_reminder(busy_app, clock)
    email = LockedWhileSending(other=other)
    reminders = memory_reminders(busy_app, email=email)
    reminders.busy_retry = BusyRetry(3, 0.2, sleep=email.release)
    service = SchedulerService(reminders, clock)

    service.sweep_job()
    service.dispatch_job()
    service.dispatch_job()

    assert email.released == [0.2]
    assert [(to, m.key) for to, m in email.sent] == [(EMAIL["CB-01", "secretary"], key)]
    assert [r.status for r in outbox_rows(busy_app.engine)] == ["sent"]


@pytest.mark.postgres
def test_a_postgres_lock_held_past_the_busy_timeout_is_database_busy(pg_url: str, clock: FrozenClock) -> None:
    """The append lock held exclusively by another transaction (as a reader taking the committed head holds it
    for an instant, storage/event_store.py) stops a step after
    the busy timeout (PostgreSQL's lock_timeout, set from it) as DatabaseBusy; nothing is written; once released
    the step records."""
    engine: Engine = make_engine(pg_url, busy_timeout_ms=50, retry_after_seconds=7)
    _truncate(engine)
    app = bootstrap(settings(), engine=engine, clock=clock)
    app.busy_retry = BusyRetry(2, 0.0, sleep=lambda _: None)
    add_orgs(app)
    candidate = record_until(app, "hold_ceremony", LAST_ON)
    before = len(app.events(candidate))
    holder = make_engine(pg_url).connect()
    try:
        holder.begin()
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
        step = RecordStep(candidate_id=candidate, step="hold_ceremony", on=LAST_ON + timedelta(days=5),
                          fields={"probation_helper": "Phạm Văn Bình"})
        with pytest.raises(DatabaseBusy) as refused:
            app.record_step(step)
        assert refused.value.retry_after == 7 and "lock_not_available" in str(refused.value)
        assert len(app.events(candidate)) == before
        holder.rollback()
        assert app.record_step(step).candidate.version == before + 1
    finally:
        holder.close()
        engine.dispose()
