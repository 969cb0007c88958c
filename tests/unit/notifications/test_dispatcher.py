"""The dispatcher over the in-memory outbox: sent once, retried with backoff on a transient failure, given up on
a permanent one or after the last attempt, a channel that worked is never repeated, moot rows are cancelled,
missing recipients are incidents, and a stop hands unsent claims back."""

from datetime import UTC, date, datetime, timedelta

from notifications.channels import InMemoryChannel
from notifications.message import Address, Notification
from notifications.outbox import Cancel, Deliver, Incident, InMemoryOutbox, OutboxItem, Resolution, dispatch_pending
from notifications.settings import DeliverySettings

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
DELIVERY = DeliverySettings(batch_size=2, max_attempts=3, backoff_seconds=60, backoff_max_seconds=600)
CONTEXT = {"late": False, "today": "2026-12-08", "days_ahead": 7, "overdue_count": 0, "items": [],
           "recipient": {"role": "secretary", "role_label": "Bí thư chi bộ", "org": "CB-01",
                         "org_name": "Chi bộ Giáo viên"}}
BOTH = (Address(channel="email", target="bt@example.vn"), Address(channel="webhook", target="http://h/x"))


def item(n: int) -> OutboxItem:
    return OutboxItem(id=n, key=f"d:2026-12-08:CB-{n:02d}:secretary", kind="digest", slot="digest",
                      role="secretary", deadline_id=None, due_on=date(2026, 12, 15), org="CB-01", fire_at=NOW,
                      late=False, attempts=0)


def outbox_with(*ids: int) -> InMemoryOutbox:
    box = InMemoryOutbox()
    for n in ids:
        box.add(item(n), NOW)
    return box


def deliver(recipients: tuple[Address, ...] = BOTH[:1]):  # type: ignore[no-untyped-def]
    def resolve(it: OutboxItem, now: datetime) -> Resolution:
        return Deliver(Notification(key=it.key, template="digest", language="vi", recipients=recipients,
                                    context=CONTEXT), "CB-01")
    return resolve


def run(box: InMemoryOutbox, channels: dict[str, InMemoryChannel], resolve=None, now: datetime = NOW,  # type: ignore[no-untyped-def]
        **kw):  # type: ignore[no-untyped-def]
    return dispatch_pending(box, channels, resolve or deliver(), now=now, delivery=DELIVERY, **kw)


def test_every_due_row_is_sent_once_across_batches() -> None:
    box, email = outbox_with(1, 2, 3), InMemoryChannel()
    assert run(box, {"email": email}).sent == 3
    assert run(box, {"email": email}).sent == 0
    assert sorted(m.key for _, m in email.sent) == sorted(box.rows[n].item.key for n in (1, 2, 3))


def test_a_transient_failure_waits_for_the_backoff_and_then_succeeds() -> None:
    box, email = outbox_with(1), InMemoryChannel(fail_first=1)
    assert run(box, {"email": email}).retried == 1
    assert box.rows[1].available_at == NOW + timedelta(seconds=60)
    assert run(box, {"email": email}, now=NOW + timedelta(seconds=59)).handled == 0
    assert run(box, {"email": email}, now=NOW + timedelta(seconds=60)).sent == 1


def test_after_the_last_attempt_the_row_is_a_failed_incident() -> None:
    box, email = outbox_with(1), InMemoryChannel(fail_first=10)
    moment = NOW
    for _ in range(DELIVERY.max_attempts):
        run(box, {"email": email}, now=moment)
        moment += timedelta(hours=1)
    assert (box.status(1), box.rows[1].problem) == ("failed", "exhausted")
    assert "gave up after 3 attempts" in (box.rows[1].last_error or "")


def test_a_permanent_failure_gives_up_at_once() -> None:
    box = outbox_with(1)
    assert run(box, {"email": InMemoryChannel(fail_first=1, permanent=True)}).failed == 1
    assert (box.status(1), box.rows[1].problem) == ("failed", "delivery")


def test_a_channel_that_already_worked_is_not_repeated_on_retry() -> None:
    box, email, webhook = outbox_with(1), InMemoryChannel(), InMemoryChannel(fail_first=1)
    run(box, {"email": email, "webhook": webhook}, deliver(BOTH))
    run(box, {"email": email, "webhook": webhook}, deliver(BOTH), now=NOW + timedelta(minutes=5))
    assert (len(email.sent), len(webhook.sent), box.status(1)) == (1, 1, "sent")


def test_a_missing_channel_is_a_permanent_failure_naming_it() -> None:
    box = outbox_with(1)
    run(box, {}, deliver((Address(channel="sms", target="0900"),)))
    assert box.status(1) == "failed" and "sms" in (box.rows[1].last_error or "")


def test_moot_rows_are_cancelled_and_unreachable_ones_are_incidents() -> None:
    box = outbox_with(1, 2)

    def resolve(it: OutboxItem, now: datetime) -> Resolution:
        return Cancel("closed") if it.id == 1 else Incident("no contact for the secretary of CB-02", "CB-02")

    report = run(box, {"email": InMemoryChannel()}, resolve)
    assert (report.cancelled, report.incidents) == (1, 1)
    assert (box.status(1), box.status(2), box.rows[2].problem, box.rows[2].org) == \
        ("cancelled", "failed", "no_contact", "CB-02")


def test_a_resolver_bug_keeps_the_row_for_a_later_try() -> None:
    box = outbox_with(1)

    def broken(it: OutboxItem, now: datetime) -> Resolution:
        raise RuntimeError("database went away")

    assert run(box, {"email": InMemoryChannel()}, broken).retried == 1
    assert box.status(1) == "pending" and "database went away" in (box.rows[1].last_error or "")


def test_a_stop_request_hands_back_claimed_rows_without_counting_an_attempt() -> None:
    box, email = outbox_with(1, 2), InMemoryChannel()
    asked = iter([False, False, True])
    report = run(box, {"email": email}, should_stop=lambda: next(asked, True))
    assert report.sent == 1
    assert (box.status(2), box.rows[2].item.attempts) == ("pending", 0)
