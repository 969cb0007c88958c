"""When a deadline's reminders fall due, and the idempotency key that makes each one unique.

A deadline has a reminder track (N days before, on the day, every K days overdue) and an escalation to the
upper level after M working days overdue. At any moment only the newest passed moment of the track is owed:
if the scheduler was down across two moments, one reminder goes out, marked late, stating today's working
days left, instead of a burst of stale ones. The escalation is owed on its own. Keys hold the deadline id, its
due date, the moment and the role, so a repeated sweep, a restart, a second process or a changed policy never
creates a second row for a reminder already written (ARCHITECTURE.md decision 8).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notifications.deadline_kinds import info
from notifications.settings import DeliverySettings, KindPolicy
from states.calendar import WorkingCalendar

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Slot:
    name: str  # before-7, due, overdue-2, escalate
    kind: str  # reminder or escalation
    on: date  # the local date it falls due

    def moment(self, send_at: time) -> datetime:
        return moment(self.on, send_at)


@dataclass(frozen=True)
class DeadlineView:
    """What the policy needs of a `deadline` row."""

    id: int
    kind: str
    due_on: date
    opened_on: date
    org: str
    stream_id: str


def moment(on: date, send_at: time) -> datetime:
    """The UTC instant of `send_at` local time (Asia/Ho_Chi_Minh) on `on`."""
    return datetime.combine(on, send_at, VIETNAM).astimezone(UTC)


def local_date(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def _head(due_on: date, policy: KindPolicy) -> list[Slot]:
    """The reminder track up to the due date, oldest first: the offsets before it (largest first, as settings
    sorts them), then the day itself. The overdue rounds follow (`rounds`)."""
    slots = [Slot(f"before-{n}", "reminder", due_on - timedelta(days=n)) for n in policy.before_days]
    if policy.on_the_day:
        slots.append(Slot("due", "reminder", due_on))
    return slots


def rounds(due_on: date, policy: KindPolicy, first: date, last: date) -> list[Slot]:
    """The overdue rounds falling on `first`..`last`, oldest first, computed from their numbers: a deadline
    overdue for years has hundreds of rounds and a sweep needs at most the last two (issue 14)."""
    every = policy.overdue_every_days
    if not every or last <= due_on:
        return []
    low = max(1, -(-(first - due_on).days // every))  # the first round on or after `first`
    high = (last - due_on).days // every
    return [Slot(f"overdue-{k}", "reminder", due_on + timedelta(days=k * every)) for k in range(low, high + 1)]


def escalation(due_on: date, policy: KindPolicy, calendar: WorkingCalendar) -> Slot | None:
    if policy.escalate_after_working_days is None:
        return None
    return Slot("escalate", "escalation", calendar.add_working_days(due_on, policy.escalate_after_working_days))


def owed(d: DeadlineView, policy: KindPolicy, calendar: WorkingCalendar, now: datetime,
         send_at: time) -> list[Slot]:
    """The slots owed at `now`: the newest passed slot of the track, and the escalation once it passed.

    A "before" slot stops being owed once the due date has passed: it would remind of something overdue.
    """
    today = local_date(now)
    # Passed-ness grows with the date, so the newest passed round is one of the two last (the last may fall
    # today after `now`); only without a passed round does the head of the track matter.
    passed = [s for s in rounds(d.due_on, policy, today - timedelta(days=policy.overdue_every_days), today)
              if s.moment(send_at) <= now]
    if not passed:
        passed = [s for s in _head(d.due_on, policy) if s.moment(send_at) <= now
                  and not (s.name.startswith("before-") and today > d.due_on)]
    result = passed[-1:]
    up = escalation(d.due_on, policy, calendar)
    if up is not None and up.moment(send_at) <= now:
        result.append(up)
    return result


def upcoming(d: DeadlineView, policy: KindPolicy, calendar: WorkingCalendar, start: datetime,
             end: datetime, send_at: time) -> list[Slot]:
    """Slots falling in (start, end], for `reminders preview`."""
    slots = _head(d.due_on, policy) + rounds(d.due_on, policy, local_date(start), local_date(end))
    up = escalation(d.due_on, policy, calendar)
    if up is not None:
        slots.append(up)
    return sorted((s for s in slots if start < s.moment(send_at) <= end), key=lambda s: s.on)


def recipients(slot: Slot, policy: KindPolicy) -> tuple[str, ...]:
    """Roles: the policy's for the reminder track; the upper level for an escalation (D6, D8, D12)."""
    return ("upper",) if slot.kind == "escalation" else policy.notify


def is_late(slot: Slot, d: DeadlineView, now: datetime, send_at: time, late_after: timedelta) -> bool:
    """Late: its moment passed more than `late_after` ago while the deadline already existed."""
    return slot.on > d.opened_on and now - slot.moment(send_at) > late_after


def reminder_key(deadline_id: int, due_on: date, slot: str, role: str) -> str:
    return f"r:{deadline_id}:{due_on.isoformat()}:{slot}:{role}"


def digest_key(on: date, org: str, role: str) -> str:
    return f"d:{on.isoformat()}:{org}:{role}"


def responsible_role(kind: str) -> str:
    return info(kind).responsible


def backoff(attempts: int, delivery: DeliverySettings) -> timedelta:
    """Exponential: base, 2x base, 4x base... capped; `attempts` counts the tries made so far."""
    seconds = delivery.backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, delivery.backoff_max_seconds))
