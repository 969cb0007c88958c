"""The outbox dispatcher: claim due rows, resolve their recipients, render, deliver, record the outcome.

Delivery is at least once: a row is marked sent only after its channel accepted it, so a crash between the
two re-sends that one message, which carries its idempotency key. Each channel of a row is recorded as it
succeeds, so a retry never repeats a channel that already worked. The dispatcher takes `now`, not a clock
(STYLE.md section 4); storage implements `Outbox`, the workflow implements `Resolver`.
"""

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from notifications.channels import Channel
from notifications.errors import PermanentDeliveryError, TransientDeliveryError
from notifications.message import Notification
from notifications.policy import backoff
from notifications.rendering import render
from notifications.settings import DeliverySettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    key: str
    kind: str  # reminder, escalation, digest
    slot: str
    role: str  # secretary, office, upper
    deadline_id: int | None
    due_on: date | None
    org: str | None  # the digest's organisation; for reminders, resolved at send time
    fire_at: datetime
    late: bool
    attempts: int  # tries so far, this one included
    done: frozenset[str] = frozenset()  # channels that already accepted it
    context: dict[str, Any] = field(default_factory=dict)
    claim: str = ""  # the fencing value of this claim: who claimed it and which claim it was


@dataclass(frozen=True)
class Deliver:
    notification: Notification
    org: str  # the organisation whose contact was used


@dataclass(frozen=True)
class Cancel:
    """The reminder is moot: its deadline was closed or moved."""

    reason: str


@dataclass(frozen=True)
class Incident:
    """The reminder cannot go out until someone acts (a missing contact); never skipped silently."""

    reason: str
    org: str | None = None
    problem: str = "no_contact"


Resolution = Deliver | Cancel | Incident
Resolver = Callable[[OutboxItem, datetime], Resolution]


class Outbox(Protocol):
    def claim_due(self, now: datetime, limit: int) -> list[OutboxItem]: ...

    def mark_channel_done(self, item: OutboxItem, channel: str) -> None: ...

    def mark_sent(self, item: OutboxItem, now: datetime, sent_to: str, org: str) -> None: ...

    def retry_later(self, item: OutboxItem, at: datetime, reason: str) -> None: ...

    def give_up(self, item: OutboxItem, reason: str, problem: str, org: str | None = None) -> None: ...

    def cancel(self, item: OutboxItem, reason: str) -> None: ...

    def release(self, items: list[OutboxItem]) -> None: ...

    def holds(self, item: OutboxItem) -> bool: ...  # enough of this claim's lease is surely left to send

    def keeping(self, batch: list[OutboxItem]) -> AbstractContextManager[None]: ...  # leases renewed meanwhile


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    incidents: int = 0

    def add(self, other: "DispatchReport") -> None:
        for name in ("sent", "retried", "failed", "cancelled", "incidents"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled + self.incidents


def dispatch_pending(outbox: Outbox, channels: Mapping[str, Channel], resolve: Resolver, *, now: datetime,
                     delivery: DeliverySettings, should_stop: Callable[[], bool] = lambda: False) -> DispatchReport:
    """Claim and deliver batches until nothing is due, `delivery.max_per_run` rows were handled or `should_stop()`;
    claimed rows not yet tried are released for another pass.

    Never sent by two workers: the leases of the batch's rows are renewed while it is handled (`keeping`), and
    a row is sent only while its lease surely outlasts the send (`holds`); a claim that ran out anyway (the
    database unreachable for most of a lease) is left alone, with the rest of the batch."""
    report, ended = DispatchReport(), False
    try:
        while not ended and report.handled < delivery.max_per_run and not should_stop():
            batch = outbox.claim_due(now, delivery.batch_size)
            ended = not batch
            with outbox.keeping(batch):
                for index, item in enumerate(batch):
                    if should_stop() or not outbox.holds(item):  # stopping, or the lease could run out
                        outbox.release(batch[index:])
                        ended = True
                        break
                    report.add(_handle(outbox, channels, resolve, item, now, delivery))
    finally:
        for channel in channels.values():
            channel.close()
    return report


def _handle(outbox: Outbox, channels: Mapping[str, Channel], resolve: Resolver, item: OutboxItem,
            now: datetime, delivery: DeliverySettings) -> DispatchReport:
    try:
        resolution = resolve(item, now)
    except Exception as err:  # a bug or a database hiccup: keep the row and try again later
        logger.exception("cannot resolve outbox row %s", item.key)
        return _retry_or_fail(outbox, item, now, delivery, f"resolving recipients: {err}")
    if isinstance(resolution, Cancel):
        outbox.cancel(item, resolution.reason)
        return DispatchReport(cancelled=1)
    if isinstance(resolution, Incident):
        logger.warning("outbox %s: %s", item.key, resolution.reason)
        outbox.give_up(item, resolution.reason, resolution.problem, resolution.org)
        return DispatchReport(incidents=1)
    return _deliver(outbox, channels, item, resolution, now, delivery)


def _deliver(outbox: Outbox, channels: Mapping[str, Channel], item: OutboxItem, resolution: Deliver,
             now: datetime, delivery: DeliverySettings) -> DispatchReport:
    notification = resolution.notification
    try:
        message = render(notification)
    except Exception as err:
        logger.exception("cannot render outbox row %s", item.key)
        return _retry_or_fail(outbox, item, now, delivery, f"rendering: {err}")
    pending = [a for a in notification.recipients if a.channel not in item.done]
    for number, address in enumerate(pending, start=1):
        try:
            channel = channels.get(address.channel)
            if channel is None:
                raise PermanentDeliveryError(address.channel, address.target, "no such channel is configured")
            channel.send(message, address.target)
        except PermanentDeliveryError as err:
            outbox.give_up(item, str(err), "delivery", resolution.org)
            return DispatchReport(failed=1)
        except TransientDeliveryError as err:
            return _retry_or_fail(outbox, item, now, delivery, str(err))
        except Exception as err:
            logger.exception("channel %s failed on %s", address.channel, item.key)
            return _retry_or_fail(outbox, item, now, delivery, f"{address.channel}: {err}")
        if number < len(pending):
            outbox.mark_channel_done(item, address.channel)
            item = replace(item, done=item.done | {address.channel})
    sent_to = ", ".join(f"{a.channel}:{a.target}" for a in notification.recipients)
    outbox.mark_sent(item, now, sent_to, resolution.org)
    return DispatchReport(sent=1)


def _retry_or_fail(outbox: Outbox, item: OutboxItem, now: datetime, delivery: DeliverySettings,
                   reason: str) -> DispatchReport:
    if item.attempts >= delivery.max_attempts:
        outbox.give_up(item, f"gave up after {item.attempts} attempts: {reason}", "exhausted")
        return DispatchReport(failed=1)
    outbox.retry_later(item, now + backoff(item.attempts, delivery), reason)
    return DispatchReport(retried=1)


# --- in memory (unit tests, development) --------------------------------------------------------------------

@dataclass
class MemoryRow:
    item: OutboxItem
    status: str = "pending"
    available_at: datetime | None = None
    last_error: str | None = None
    problem: str | None = None
    sent_at: datetime | None = None
    org: str | None = None
    history: list[str] = field(default_factory=list)


class InMemoryOutbox:
    """The `Outbox` port over a dict, for dispatcher tests; SqlOutbox (storage/outbox.py) is the real one."""

    def __init__(self, lease: timedelta = timedelta(minutes=5)) -> None:
        self.rows: dict[int, MemoryRow] = {}
        self.lease = lease
        self._leases: dict[int, datetime] = {}

    def add(self, item: OutboxItem, available_at: datetime) -> None:
        self.rows[item.id] = MemoryRow(item, available_at=available_at)

    def claim_due(self, now: datetime, limit: int) -> list[OutboxItem]:
        due = [r for r in self.rows.values() if (r.status == "pending" and r.available_at is not None
               and r.available_at <= now) or (r.status == "sending" and self._leases[r.item.id] <= now)]
        claimed = []
        for row in sorted(due, key=lambda r: r.item.id)[:limit]:
            row.item = replace(row.item, attempts=row.item.attempts + 1)
            row.status, self._leases[row.item.id] = "sending", now + self.lease
            claimed.append(row.item)
        return claimed

    def mark_channel_done(self, item: OutboxItem, channel: str) -> None:
        row = self.rows[item.id]
        row.item = replace(row.item, done=row.item.done | {channel})

    def mark_sent(self, item: OutboxItem, now: datetime, sent_to: str, org: str) -> None:
        row = self.rows[item.id]
        row.status, row.sent_at, row.org = "sent", now, org
        row.history.append(f"sent to {sent_to}")

    def retry_later(self, item: OutboxItem, at: datetime, reason: str) -> None:
        row = self.rows[item.id]
        row.status, row.available_at, row.last_error = "pending", at, reason
        row.history.append(f"retry at {at.isoformat()}: {reason}")

    def give_up(self, item: OutboxItem, reason: str, problem: str, org: str | None = None) -> None:
        row = self.rows[item.id]
        row.status, row.last_error, row.problem, row.org = "failed", reason, problem, org
        row.history.append(f"failed ({problem}): {reason}")

    def cancel(self, item: OutboxItem, reason: str) -> None:
        row = self.rows[item.id]
        row.status, row.last_error = "cancelled", reason

    def release(self, items: list[OutboxItem]) -> None:
        for item in items:
            row = self.rows[item.id]
            row.status, row.item = "pending", replace(row.item, attempts=row.item.attempts - 1)

    def holds(self, item: OutboxItem) -> bool:
        return self.rows[item.id].status == "sending"

    @contextmanager
    def keeping(self, batch: list[OutboxItem]) -> Iterator[None]:  # noqa: ARG002 - the port's signature
        yield  # one process, no clock: nothing takes a row over

    def status(self, item_id: int) -> str:
        return self.rows[item_id].status
