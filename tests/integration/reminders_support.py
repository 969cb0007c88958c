"""Helpers for the reminder tests: an organisation tree with an upper level above every committee, the
standard path shifted to end near the test clock, contacts, and direct seeding of many deadlines."""

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from benchmarks.scheduler_processes import (  # noqa: F401 - the tests import them from here
    SECRET,
    STARTED,
    SWEEP_FAST,
    Delivery,
    WebhookReceiver,
    fast_policy,
    ketnap_executable,
    output,
    start_scheduler,
    stop,
    wait_until,
    write_config,
)
from notifications import policy as p
from notifications.channels import InMemoryChannel
from notifications.settings import KindPolicy, ReminderSettings
from states.calendar import WorkingCalendar
from storage import contacts
from storage.contacts import Contact
from storage.engine import make_engine
from storage.projections import CANDIDATES, DEADLINES
from storage.reminder_tables import OutboxRow
from tests.builders import AFTER_VOTE, PATH_TO_VOTE, settings
from workflow.commands import AddOrganisation, RecordStep
from workflow.config import Settings
from workflow.reminders import Reminders
from workflow.service import Ketnap

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
FULL_PATH = [*PATH_TO_VOTE, *AFTER_VOTE]

# TINH is above DU-XA, which decides for the branches of DU-CS (a grassroots committee not authorised to admit,
# DOMAIN.md V2, V3). So: secretary = the branch; office = DU-XA's office; the upper level of a branch is DU-CS,
# the upper level of the deciding committee DU-XA is TINH (D6, D8, D12).
ORGS = [
    AddOrganisation(code="TINH", name="Tỉnh ủy Quảng Trị", level="province"),
    AddOrganisation(code="DU-XA", name="Đảng ủy xã Tân Lập", level="commune", parent="TINH"),
    AddOrganisation(code="DU-CS", name="Đảng ủy Trường THPT Tân Lập", level="grassroots", parent="DU-XA"),
    AddOrganisation(code="CB-01", name="Chi bộ Giáo viên", level="branch", parent="DU-CS"),
]
EMAIL = {("CB-01", "secretary"): "bithu.cb01@example.vn", ("DU-XA", "office"): "vanphong@duxa.example.vn",
         ("DU-CS", "office"): "vanphong@ducs.example.vn", ("TINH", "office"): "vanphong@tinh.example.vn"}
DATE_FIELDS = ("issued_on", "received_on")


def add_orgs(app: Ketnap) -> None:
    for org in ORGS:
        app.add_org(org)


def add_contacts(engine: Engine, which: Mapping[tuple[str, str], str] = EMAIL, language: str = "vi") -> None:
    with engine.begin() as conn:
        for (org, role), email in which.items():
            contacts.put(conn, Contact(org, role, email=email, language=language))


def shifted_path(stop: str, last_on: date) -> list[tuple[str, date, dict[str, Any]]]:
    """The standard path before `stop`, moved in time so that its last step falls on `last_on`."""
    names = [name for name, _, _ in FULL_PATH]
    steps = FULL_PATH[: names.index(stop)]
    delta = last_on - steps[-1][1]
    return [(name, on + delta, {k: (date.fromisoformat(v) + delta).isoformat() if k in DATE_FIELDS else v
                                for k, v in fields.items()}) for name, on, fields in steps]


def record_until(app: Ketnap, stop: str, last_on: date) -> str:
    """A candidate of CB-01 whose last recorded step is the one before `stop`, dated `last_on`."""
    candidate_id: str | None = None
    for name, on, fields in shifted_path(stop, last_on):
        candidate_id = app.record_step(RecordStep(candidate_id=candidate_id, step=name, on=on,
                                                  fields=fields)).candidate.id
    assert candidate_id is not None
    return candidate_id


def deadline(engine: Engine, candidate_id: str, kind: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(DEADLINES).where(DEADLINES.c.stream_id == candidate_id,
                                                    DEADLINES.c.kind == kind)).one()


def at_local(on: date, hour: int = 7, minute: int = 0) -> datetime:
    """The UTC instant of a local (Asia/Ho_Chi_Minh) time, computed here independently of the code."""
    return datetime.combine(on, time(hour, minute), VIETNAM).astimezone(UTC)


def outbox_rows(engine: Engine, **where: Any) -> list[Any]:
    query = select(OUTBOX).order_by(OUTBOX.c.id)
    for column, value in where.items():
        query = query.where(OUTBOX.c[column] == value)
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def with_reminders(base: Settings | None = None, **changes: Any) -> Settings:
    """Settings whose `reminders` block has `changes` (nested dicts merged), the digest off unless named."""
    s = base or settings()
    raw = s.reminders.model_dump()
    raw["digest"]["enabled"] = False
    for key, value in changes.items():
        raw[key] = {**raw[key], **value} if isinstance(value, dict) and isinstance(raw.get(key), dict) else value
    return s.model_copy(update={"reminders": ReminderSettings.model_validate(raw)})


def memory_reminders(app: Ketnap, s: Settings | None = None, **channels: InMemoryChannel) -> Reminders:
    chans = channels or {"email": InMemoryChannel(), "webhook": InMemoryChannel()}
    return Reminders(s or with_reminders(), app.engine, app.calendar, app.rulebook, dict(chans))


# --- the reminder rule as first written: every slot since the deadline opened (issue 14 computes only the last) ---

def whole_track(due_on: date, policy: KindPolicy, until: date) -> list[p.Slot]:
    """Every slot from the first offset to `until`, oldest first, listed one by one."""
    slots = [p.Slot(f"before-{n}", "reminder", due_on - timedelta(days=n)) for n in policy.before_days]
    if policy.on_the_day:
        slots.append(p.Slot("due", "reminder", due_on))
    if policy.overdue_every_days:
        rounds = (until - due_on).days // policy.overdue_every_days
        slots += [p.Slot(f"overdue-{k}", "reminder", due_on + timedelta(days=k * policy.overdue_every_days))
                  for k in range(1, rounds + 1)]
    return slots


def owed_from_the_whole_track(d: p.DeadlineView, policy: KindPolicy, calendar: WorkingCalendar, now: datetime,
                              send_at: time) -> list[p.Slot]:
    """The newest passed slot of the whole track (no "before" slot once overdue) and the escalation once due."""
    today = now.astimezone(VIETNAM).date()
    passed = [s for s in whole_track(d.due_on, policy, today) if s.on <= today and s.moment(send_at) <= now
              and not (s.name.startswith("before-") and today > d.due_on)]
    up = p.escalation(d.due_on, policy, calendar)
    return passed[-1:] + ([up] if up is not None and up.moment(send_at) <= now else [])


# --- many deadlines at once, written straight into the projection tables (benchmarks and scale tests) -----------

def seed_due_deadlines(engine: Engine, count: int, due_on: date, opened_on: date, org: str = "CB-01",
                       kind: str = "ceremony", prefix: str = "seed") -> list[str]:
    """`count` candidates of `org`, each with one open deadline of `kind`; returns their ids."""
    ids = [f"{prefix}-{i:06d}" for i in range(count)]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(CANDIDATES.insert(), [
            {"id": cid, "org": org, "stage": "admitted", "version": 12, "full_name": f"Nguyễn Văn Số {i}",
             "search_name": f"nguyen van so {i}", "sex": "M", "education": "university", "youth_union": False,
             "trade_union": False, "categories": [], "updated_at": now} for i, cid in enumerate(ids)])
        conn.execute(DEADLINES.insert(), [
            {"stream_id": cid, "org": org, "kind": kind, "due_on": due_on, "opened_on": opened_on,
             "status": "open", "rule_set": "qd294-2025", "calendar": "test"} for cid in ids])
    return ids


def vietnam_today() -> date:
    return datetime.now(VIETNAM).date()


# --- scheduler processes killed and restarted ------------------------------------------------------------------

def seed_webhook_deadlines(url: str, count: int, webhook: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            contacts.put(conn, Contact("CB-01", "secretary", webhook_url=webhook))
        today = vietnam_today()
        return seed_due_deadlines(engine, count, today - timedelta(days=1), today - timedelta(days=40))
    finally:
        engine.dispose()


def killed_and_restarted(db_url: str, tmp_path: Path, count: int) -> tuple[WebhookReceiver, Any]:
    """A scheduler is SIGKILLed while it delivers; a new one finishes. Returns the receiver and the rows."""
    config = write_config(tmp_path / "config.yaml", fast_policy(lease_seconds=2),
                          {"channels": {"webhook": {"transport": "http", "timeout_seconds": 5}}})
    env = {"KETNAP_WEBHOOK_SECRET": SECRET}
    with WebhookReceiver(SECRET.encode(), delay=0.01) as receiver:
        seed_webhook_deadlines(db_url, count, receiver.url)
        first = start_scheduler(config, db_url, tmp_path / "first.log", env=env)
        try:
            assert wait_until(lambda: len(receiver.accepted()) >= count // 5, 60), output(tmp_path / "first.log")
        finally:
            first.kill()  # SIGKILL: no clean-up, rows it claimed stay leased
            first.wait()
        assert len({d.key_header for d in receiver.accepted()}) < count, "killed before the end"
        second = start_scheduler(config, db_url, tmp_path / "second.log", env=env)
        try:
            done = wait_until(lambda: len({d.key_header for d in receiver.accepted()}) >= count, 90)
            assert done, output(tmp_path / "second.log")
        finally:
            assert stop(second) == 0
    engine = make_engine(db_url)
    rows = outbox_rows(engine)
    engine.dispose()
    return receiver, rows


def check_nothing_lost_at_most_one_duplicate(receiver: WebhookReceiver, rows: Any, count: int) -> None:
    accepted = receiver.accepted()
    per_key = Counter(d.key_header for d in accepted)
    assert len(per_key) == count and sum(1 for n in per_key.values() if n > 1) <= 1
    assert max(per_key.values()) <= 2
    assert all(d.signed and d.key_header == d.payload["idempotency_key"] for d in accepted)
    assert Counter(r.status for r in rows) == {"sent": count}
