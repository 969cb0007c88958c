"""Webhooks to a receiver on 127.0.0.1 (http.server in a thread) that verifies the HMAC-SHA256 signature with its
own code: the payload carries the idempotency key (also in a header), a wrong secret is refused and becomes a
failed incident, a 503 is retried, a missing secret is reported."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from notifications.channels import build_channels
from notifications.settings import NotificationSettings
from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    WebhookReceiver,
    add_orgs,
    at_local,
    deadline,
    outbox_rows,
    record_until,
    with_reminders,
)
from workflow.bootstrap import bootstrap
from workflow.reminders import Reminders, SetContact
from workflow.service import Ketnap

SECRET = "khóa-bí-mật-webhook"
LAST_ON = pytest.importorskip("datetime").date(2026, 11, 12)


@pytest.fixture
def webhook_app(sqlite_url: str, clock: FrozenClock) -> Iterator[tuple[Ketnap, Any]]:
    engine = make_engine(sqlite_url)
    app = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(app)
    candidate = record_until(app, "hold_ceremony", LAST_ON)
    d = deadline(engine, candidate, "ceremony")
    clock.current = at_local(d.due_on - timedelta(days=7), 7, 30)  # on time: not late
    yield app, d
    engine.dispose()


def reminders_for(app: Ketnap, url: str, environ: dict[str, str], language: str = "vi") -> Reminders:
    notes = NotificationSettings.model_validate({"channels": {"webhook": {"transport": "http"}}})
    r = Reminders(with_reminders(), app.engine, app.calendar, app.rulebook, build_channels(notes, environ))
    r.set_contact(SetContact(org="CB-01", role="secretary", webhook=url, language=language), app.clock.now())
    return r


def test_a_signed_webhook_carries_the_key_and_the_reminder(webhook_app: Any, clock: FrozenClock) -> None:
    app, d = webhook_app
    with WebhookReceiver(SECRET.encode()) as receiver:
        reminders_for(app, receiver.url, {"KETNAP_WEBHOOK_SECRET": SECRET}).run_once(clock.now())
    [delivery] = receiver.deliveries
    key = f"r:{d.id}:{d.due_on}:before-7:secretary"
    assert (delivery.signed, delivery.status, delivery.key_header) == (True, 200, key)
    payload = delivery.payload
    assert payload["idempotency_key"] == key and payload["late"] is False
    assert payload["deadline"]["kind"] == "ceremony" and payload["deadline"]["due_on"] == d.due_on.isoformat()
    assert payload["candidate"]["full_name"] == "Nguyễn Thị Hoà"
    assert payload["subject"].startswith("Nhắc hạn: Lễ kết nạp – Nguyễn Thị Hoà")
    assert payload["recipient"] == {"role": "secretary", "role_label": "Bí thư chi bộ", "org": "CB-01",
                                    "org_name": "Chi bộ Giáo viên"}
    assert [r.status for r in outbox_rows(app.engine, deadline_id=d.id)] == ["sent"]


def test_a_contact_can_read_english(webhook_app: Any, clock: FrozenClock) -> None:
    app, _ = webhook_app
    with WebhookReceiver(SECRET.encode()) as receiver:
        reminders_for(app, receiver.url, {"KETNAP_WEBHOOK_SECRET": SECRET}, "en").run_once(clock.now())
    payload = receiver.deliveries[0].payload
    assert payload["language"] == "en" and payload["subject"].startswith("Due: Ceremony")
    assert "working days left" in payload["body"]


def test_a_wrong_secret_is_refused_by_the_receiver_and_becomes_an_incident(webhook_app: Any,
                                                                           clock: FrozenClock) -> None:
    app, d = webhook_app
    with WebhookReceiver(SECRET.encode()) as receiver:
        reminders_for(app, receiver.url, {"KETNAP_WEBHOOK_SECRET": "not the secret"}).run_once(clock.now())
    assert [(x.signed, x.status) for x in receiver.deliveries] == [(False, 401)]
    row = outbox_rows(app.engine, deadline_id=d.id)[0]
    assert (row.status, row.problem) == ("failed", "delivery") and "HTTP 401" in row.last_error


def test_a_503_is_retried_and_then_arrives_once(webhook_app: Any, clock: FrozenClock) -> None:
    app, d = webhook_app
    with WebhookReceiver(SECRET.encode(), fail_first=2) as receiver:
        reminders = reminders_for(app, receiver.url, {"KETNAP_WEBHOOK_SECRET": SECRET})
        reminders.run_once(clock.now())
        for _ in range(3):
            clock.advance(minutes=10)
            reminders.dispatch(clock.now())
    assert [x.status for x in receiver.deliveries] == [503, 503, 200]
    assert len({x.key_header for x in receiver.deliveries}) == 1
    row = outbox_rows(app.engine, deadline_id=d.id)[0]
    assert (row.status, row.attempts) == ("sent", 3)


def test_a_missing_secret_fails_with_the_variable_to_set(webhook_app: Any, clock: FrozenClock) -> None:
    app, d = webhook_app
    with WebhookReceiver(SECRET.encode()) as receiver:
        reminders_for(app, receiver.url, {}).run_once(clock.now())
    assert receiver.deliveries == []
    assert "export KETNAP_WEBHOOK_SECRET" in outbox_rows(app.engine, deadline_id=d.id)[0].last_error
