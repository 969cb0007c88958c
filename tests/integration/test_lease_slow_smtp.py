"""Three dispatchers share one outbox while the SMTP server is slow (issue 14): a batch takes longer than the
claim's lease, and still each message is handed to SMTP once. A real SMTP server (aiosmtpd on 127.0.0.1) that
sleeps before it accepts each message; real dispatchers on the real clock, each with its own worker and SMTP
connection; on PostgreSQL (SKIP LOCKED) and on SQLite (the case of a scheduler whose lock was taken over while
it was still sending, and of the digest and dispatch jobs of one scheduler running at once)."""

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from time import monotonic
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from notifications.channels import KEY_EMAIL_HEADER, build_channels
from notifications.settings import NotificationSettings
from storage.outbox import SqlOutbox
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    add_contacts,
    add_orgs,
    outbox_rows,
    seed_due_deadlines,
    vietnam_today,
    with_reminders,
)
from tests.integration.test_reminders_smtp import free_port
from workflow.bootstrap import bootstrap
from workflow.reminders import Reminders
from workflow.service import Ketnap

pytestmark = pytest.mark.integration
DISPATCHERS, BATCH, MESSAGES = 3, 2, 4  # two busy with a batch each, the third idle and looking for work
SMTP_DELAY = 3.6  # seconds the server takes to accept one message: each send outlives the lease...
LEASE = 3.0  # ...and so does each batch (2 x 3.6 s). A renewal comes every third of the lease: a lease of 1 s
# let a renewal thread starved for a third of a second on a loaded machine (a documented limit) lose a claim.


@dataclass
class SlowSink:
    """Keeps the idempotency key of every message it accepted, after sleeping `delay` seconds in DATA."""

    delay: float
    keys: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.keys.append(str(parsed[KEY_EMAIL_HEADER]))
        return "250 Message accepted"


@pytest.fixture
def seeded(engine: Engine, clock: FrozenClock) -> Iterator[Ketnap]:
    app = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(app)
    add_contacts(engine)
    today = vietnam_today()
    seed_due_deadlines(engine, MESSAGES, today - timedelta(days=1), today - timedelta(days=40))
    yield app


def dispatcher(app: Ketnap, port: int) -> Reminders:
    """One scheduler's dispatcher: its own worker id and its own SMTP connection."""
    notes = NotificationSettings.model_validate({"channels": {"email": {
        "transport": "smtp", "host": "127.0.0.1", "port": port, "security": "none", "timeout_seconds": 5}}})
    s = with_reminders(delivery={"batch_size": BATCH, "lease_seconds": LEASE, "max_attempts": 20,
                                 "backoff_seconds": 0.1, "backoff_max_seconds": 0.2})
    return Reminders(s, app.engine, app.calendar, app.rulebook, build_channels(notes, {}))


def run_until_settled(reminders: Reminders, engine: Engine, errors: list[BaseException]) -> None:
    """What the scheduler's dispatch job does, every few milliseconds, on the real clock."""
    end = monotonic() + 60
    try:
        while monotonic() < end:
            reminders.dispatch(datetime.now(UTC))
            if all(r.status in ("sent", "failed", "cancelled") for r in outbox_rows(engine)):
                return
    except BaseException as err:  # noqa: BLE001 - reported by the test
        errors.append(err)


def test_a_batch_slower_than_its_lease_still_sends_each_message_once(seeded: Ketnap) -> None:
    app = seeded
    sink = SlowSink(SMTP_DELAY)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        dispatchers = [dispatcher(app, port) for _ in range(DISPATCHERS)]
        assert dispatchers[0].sweep(datetime.now(UTC)).created == MESSAGES
        errors: list[BaseException] = []
        threads = [threading.Thread(target=run_until_settled, args=(r, app.engine, errors)) for r in dispatchers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        controller.stop()
    assert errors == []
    rows = outbox_rows(app.engine)
    assert Counter(r.status for r in rows) == {"sent": MESSAGES}
    per_key = Counter(sink.keys)
    assert sorted(per_key) == sorted(r.key for r in rows)
    assert {k: n for k, n in per_key.items() if n > 1} == {}  # each message arrived exactly once


def test_a_claim_taken_over_is_neither_renewed_nor_settled_by_its_old_owner(seeded: Ketnap) -> None:
    """The fencing itself, without timing: the first claim runs out, a second worker claims the row, and from
    then on only the second one renews or settles it."""
    app, now = seeded, datetime.now(UTC)
    Reminders(with_reminders(), app.engine, app.calendar, app.rulebook, {}).sweep(now)
    old = SqlOutbox(app.engine, "old", timedelta(seconds=1e-6))
    new = SqlOutbox(app.engine, "new", timedelta(minutes=5))
    [first] = old.claim_due(now, 1)
    assert not old.holds(first) and old.renew([first]) == set()  # its lease ran out at once
    [second] = new.claim_due(now, 1)
    assert (second.id, second.claim.partition("#")[0]) == (first.id, "new") and second.claim != first.claim
    old.mark_sent(first, now, "email:x", "CB-01")
    old.release([first])
    assert new.holds(second) and new.renew([second]) == {second.id}
    [row] = [r for r in outbox_rows(app.engine) if r.id == first.id]
    assert (row.status, row.claimed_by, row.attempts) == ("sending", second.claim, 2)
    new.mark_sent(second, now, "email:x", "CB-01")
    assert [r.status for r in outbox_rows(app.engine) if r.id == first.id] == ["sent"]
