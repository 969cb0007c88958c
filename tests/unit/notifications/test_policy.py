"""When a deadline's reminders are owed: at each configured offset (not a minute before), on the day, every N days
overdue, the escalation after N working days, and only the newest missed moment after downtime."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from notifications import policy as p
from notifications.settings import DeliverySettings, KindPolicy, ReminderSettings
from tests.builders import calendar
from tests.integration.reminders_support import owed_from_the_whole_track, whole_track

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SEND_AT = time(7, 0)
DUE = date(2026, 12, 15)  # a Tuesday
OPENED = date(2026, 10, 1)
POLICY = KindPolicy(before_days=(30, 7, 1), on_the_day=True, overdue_every_days=7, escalate_after_working_days=5,
                    notify=("secretary",))
DEADLINE = p.DeadlineView(id=17, kind="ceremony", due_on=DUE, opened_on=OPENED, org="CB-01", stream_id="c-1")


def local(on: date, hour: int = 7, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), HANOI).astimezone(UTC)


def owed_names(now: datetime, policy: KindPolicy = POLICY, d: p.DeadlineView = DEADLINE) -> list[str]:
    return [s.name for s in p.owed(d, policy, calendar(), now, SEND_AT)]


@pytest.mark.parametrize("days", [30, 7, 1])
def test_a_reminder_is_owed_from_its_offset_at_seven_local_and_not_a_minute_before(days: int) -> None:
    moment = local(DUE - timedelta(days=days))
    assert f"before-{days}" not in owed_names(moment - timedelta(minutes=1))
    assert owed_names(moment) == [f"before-{days}"]


def test_on_the_day_then_every_seven_days_overdue() -> None:
    assert owed_names(local(DUE)) == ["due"]
    assert owed_names(local(DUE + timedelta(days=7)) - timedelta(minutes=1)) == ["due"]
    # Tuesday + 5 working days is the next Tuesday: the escalation falls with the first overdue round
    assert owed_names(local(DUE + timedelta(days=7))) == ["overdue-1", "escalate"]
    assert owed_names(local(DUE + timedelta(days=21)))[0] == "overdue-3"


def test_the_escalation_counts_working_days_across_the_new_year_holiday() -> None:
    due = date(2026, 12, 31)  # Thursday; 1 January is a public holiday, then a weekend
    d = p.DeadlineView(1, "ceremony", due, OPENED, "CB-01", "c-1")
    # working days after 31/12: Fri 2/1, Mon 5/1, Tue 6/1, Wed 7/1, Thu 8/1 -> the 5th is 8 January
    assert "escalate" not in owed_names(local(date(2027, 1, 8)) - timedelta(minutes=1), d=d)
    assert "escalate" in owed_names(local(date(2027, 1, 8)), d=d)


def test_after_downtime_only_the_newest_missed_reminder_is_owed() -> None:
    assert owed_names(local(DUE - timedelta(days=2))) == ["before-7"]
    assert owed_names(local(DUE, 15)) == ["due"]


def test_before_reminders_are_not_owed_once_the_due_date_passed() -> None:
    quiet = KindPolicy(before_days=(7,), on_the_day=False, overdue_every_days=0, escalate_after_working_days=None)
    assert owed_names(local(DUE - timedelta(days=1)), quiet) == ["before-7"]
    assert owed_names(local(DUE + timedelta(days=1)), quiet) == []


def test_a_policy_without_escalation_or_repeats_stops_on_the_day() -> None:
    milestone = KindPolicy(before_days=(30,), on_the_day=True, overdue_every_days=0, escalate_after_working_days=None)
    assert owed_names(local(DUE + timedelta(days=100)), milestone) == ["due"]


def test_an_escalation_goes_to_the_upper_level_and_reminders_to_the_policys_roles() -> None:
    both = KindPolicy(notify=("office", "secretary"))
    slots = {s.name: s for s in p.owed(DEADLINE, both, calendar(), local(DUE + timedelta(days=8)), SEND_AT)}
    assert p.recipients(slots["overdue-1"], both) == ("office", "secretary")
    assert p.recipients(slots["escalate"], both) == ("upper",)


def test_late_means_its_moment_passed_more_than_the_grace_while_the_deadline_existed() -> None:
    slot = p.Slot("before-7", "reminder", DUE - timedelta(days=7))
    grace = timedelta(minutes=60)
    assert not p.is_late(slot, DEADLINE, local(slot.on, 8), SEND_AT, grace)
    assert p.is_late(slot, DEADLINE, local(slot.on, 8, 1), SEND_AT, grace)
    opened_later = p.DeadlineView(17, "ceremony", DUE, slot.on, "CB-01", "c-1")
    assert not p.is_late(slot, opened_later, local(slot.on, 20), SEND_AT, grace)


def test_the_key_names_deadline_due_date_moment_and_role_so_a_moved_deadline_is_reminded_again() -> None:
    assert p.reminder_key(17, DUE, "before-7", "secretary") == "r:17:2026-12-15:before-7:secretary"
    assert p.reminder_key(17, DUE, "before-7", "secretary") != p.reminder_key(17, DUE + timedelta(days=30),
                                                                              "before-7", "secretary")


def test_backoff_doubles_up_to_its_cap() -> None:
    d = DeliverySettings(backoff_seconds=60, backoff_max_seconds=300)
    assert [p.backoff(n, d).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_preview_lists_the_moments_in_a_window() -> None:
    start, end = local(DUE - timedelta(days=10)), local(DUE + timedelta(days=10))
    assert [s.name for s in p.upcoming(DEADLINE, POLICY, calendar(), start, end, SEND_AT)] == \
        ["before-7", "before-1", "due", "overdue-1", "escalate"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"kinds": {"ceremoni": {}}}, "unknown deadline kind"),
    ({"default": {"before_days": [7, 0]}}, "positive"),
    ({"default": {"notify": []}}, "at least one role"),
    ({"default": {"notify": ["chairman"]}}, "secretary"),
    ({"scheduler": {"heartbeat_seconds": 40, "lock_ttl_seconds": 60}}, "two heartbeats"),
])
def test_a_wrong_reminder_policy_is_refused_with_the_reason(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ReminderSettings.model_validate(raw)


def test_the_horizon_is_the_longest_offset_of_any_kind() -> None:
    r = ReminderSettings.model_validate({"kinds": {"certificate_expiry": {"before_days": [90]}}})
    assert r.horizon_days == 90 and r.policy("ceremony") == r.default


# --- the newest round computed from its number is the one the whole track gave (issue 14) -----------------------

ONE_CALENDAR = calendar()
POLICIES = [POLICY, KindPolicy(before_days=(90, 30, 7), overdue_every_days=0, escalate_after_working_days=None),
            KindPolicy(before_days=(7, 1), on_the_day=False, overdue_every_days=3, escalate_after_working_days=2),
            KindPolicy(before_days=(30,), overdue_every_days=5, escalate_after_working_days=0)]


@pytest.mark.parametrize("policy", POLICIES)
def test_a_deadline_overdue_for_years_owes_what_its_whole_track_owed(policy: KindPolicy) -> None:
    dues = [date(2016, 2, 29) + timedelta(days=79 * i) for i in range(52)]  # 2016 to 2027, every weekday
    nows = [local(date(2026, 12, 15) + timedelta(days=k), hour, minute)
            for k in range(-1, 9) for hour, minute in ((6, 59), (7, 0), (23, 30))]
    for due in dues:
        d = p.DeadlineView(1, "ceremony", due, due - timedelta(days=120), "CB-01", "c-1")
        for now in nows:
            assert p.owed(d, policy, ONE_CALENDAR, now, SEND_AT) == owed_from_the_whole_track(
                d, policy, ONE_CALENDAR, now, SEND_AT), (due, now)


@pytest.mark.parametrize("policy", POLICIES)
def test_the_preview_of_a_long_overdue_deadline_lists_the_rounds_its_whole_track_had(policy: KindPolicy) -> None:
    start = local(date(2026, 12, 7), 9)
    for due in [date(2017, 5, 3), date(2026, 11, 30), date(2026, 12, 10), date(2027, 1, 20)]:
        d = p.DeadlineView(1, "ceremony", due, date(2016, 1, 1), "CB-01", "c-1")
        for days in (0, 1, 7, 30):
            end = start + timedelta(days=days)
            whole = whole_track(due, policy, end.astimezone(HANOI).date())
            up = p.escalation(due, policy, ONE_CALENDAR)
            expected = sorted((s for s in whole + ([up] if up else []) if start < s.moment(SEND_AT) <= end),
                              key=lambda s: s.on)
            assert p.upcoming(d, policy, ONE_CALENDAR, start, end, SEND_AT) == expected
