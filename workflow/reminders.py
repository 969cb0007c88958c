"""Reminders: the sweep that turns open deadlines into outbox rows, the morning digests, the preview, and the
service that the CLI and the scheduler call.

The `deadline` projection is the only input and the outbox is the only output: the sweep can run any number
of times, in any number of processes, and after any downtime, and writes each reminder once (UNIQUE key,
notifications/policy.py). Closing a deadline cancels its waiting reminders here and again at send time.
"""

import os
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import field_validator, model_validator
from sqlalchemy import Connection, Engine

from notifications import policy as p
from notifications.channels import Channel
from notifications.outbox import DispatchReport, dispatch_pending
from notifications.settings import ReminderSettings
from states.calendar import WorkingCalendar
from states.rules import RuleBook
from states.text import NameLine
from storage import contacts, organisations
from storage import outbox as store
from storage.contacts import Contact
from storage.failures import BusyRetry
from storage.organisations import OrgLog
from storage.paging import DEFAULT_LIMIT, Page
from storage.reminder_reads import candidate_names, open_deadlines
from workflow.commands import Command
from workflow.config import Settings
from workflow.errors import ReminderError as ReminderError  # re-exported: its home is workflow/errors.py (no tables)
from workflow.organisations import OrganisationError, subtree_now
from workflow.recipients import OrgTree, Resolver, addresses, contact_role
from workflow.report_upward import plan_reports

SWEEP_CHUNK = 5000
URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SetContact(Command):
    """How to reach one role of one organisation; at least one address."""

    org: str
    role: Literal["secretary", "office"]
    email: str | None = None
    webhook: str | None = None
    name: NameLine | None = None
    language: Literal["vi", "en"] = "vi"

    @field_validator("name")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _reachable(self) -> "SetContact":
        if not self.email and not self.webhook:
            raise ValueError("give --email or --webhook (or both)")
        if self.email and not EMAIL.match(self.email):
            raise ValueError(f"{self.email!r} is not an e-mail address")
        if self.webhook and not URL.match(self.webhook):
            raise ValueError(f"{self.webhook!r} is not an http(s) URL")
        return self


@dataclass
class SweepReport:
    deadlines: int = 0  # open deadlines within the reminder horizon that were looked at
    created: int = 0
    late: int = 0
    cancelled: int = 0
    digests: int = 0
    reports: int = 0  # reports to the upper level written (V1, D19, D8; workflow/report_upward.py)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _view(row: Any) -> p.DeadlineView:
    return p.DeadlineView(row.id, row.kind, row.due_on, row.opened_on, row.org, row.stream_id)


def plan_rows(d: p.DeadlineView, r: ReminderSettings, calendar: WorkingCalendar, now: datetime,
              ) -> list[dict[str, Any]]:
    """The outbox rows a deadline owes at `now` (before removing those already written)."""
    policy, late_after = r.policy(d.kind), timedelta(minutes=r.late_after_minutes)
    rows = []
    for slot in p.owed(d, policy, calendar, now, r.send_at):
        late = p.is_late(slot, d, now, r.send_at, late_after)
        for role in p.recipients(slot, policy):
            rows.append({"key": p.reminder_key(d.id, d.due_on, slot.name, role), "kind": slot.kind,
                         "slot": slot.name, "role": role, "deadline_id": d.id, "due_on": d.due_on, "org": None,
                         "fire_at": store.utc(slot.moment(r.send_at)), "created_at": store.utc(now), "late": late,
                         "status": "pending", "attempts": 0, "available_at": store.utc(now),
                         "channels_done": "", "context": {}})
    return rows


def sweep(engine: Engine, r: ReminderSettings, calendar: WorkingCalendar, now: datetime, *,
          digests: bool = True, chunk: int = SWEEP_CHUNK, orgs: OrgLog | None = None) -> SweepReport:
    """Cancel moot rows, then write the rows every open deadline owes, a chunk per transaction. `orgs`: the
    organisation history kept between sweeps (the digests read the tree)."""
    report = SweepReport()
    with engine.begin() as conn:
        report.cancelled = store.cancel_moot(conn)
    until, after = p.local_date(now) + timedelta(days=r.horizon_days), None
    while True:
        with engine.begin() as conn:
            batch = open_deadlines(conn, until, after, chunk)
            if not batch:
                break
            after = (batch[-1].due_on, batch[-1].id)
            report.deadlines += len(batch)
            planned = [row for d in batch for row in plan_rows(_view(d), r, calendar, now)]
            written = store.existing_keys(conn, sorted({row["deadline_id"] for row in planned}))
            new = [row for row in planned if row["key"] not in written]
            report.created += store.insert_new(conn, new)
            report.late += sum(1 for row in new if row["late"])
    report.reports = plan_reports(engine, now, chunk)
    if digests and r.digest.enabled:
        report.digests = plan_digests(engine, r, now, orgs)
    return report


def plan_digests(engine: Engine, r: ReminderSettings, now: datetime, orgs: OrgLog | None = None) -> int:
    """Once a day, from `digest.at` local time: one digest per (organisation, role) listing its deadlines that
    are overdue or due within `digest.days_ahead` days."""
    today = p.local_date(now)
    fire_at = p.moment(today, r.digest.at)
    if now < fire_at:
        return 0
    with engine.begin() as conn:
        if store.digest_planned(conn, today):
            return 0
        groups: dict[tuple[str, str], list[int]] = {}
        tree = OrgTree.on(conn, today, orgs)
        for d in open_deadlines(conn, today + timedelta(days=r.digest.days_ahead), None, 10**9):
            for role in r.policy(d.kind).notify:
                org, _ = tree.org_for(role, d.kind, d.org)
                if org is not None:
                    groups.setdefault((org, role), []).append(d.id)
        late = now - fire_at > timedelta(minutes=r.late_after_minutes)
        rows = [{"key": p.digest_key(today, org, role), "kind": "digest", "slot": "digest", "role": role,
                 "deadline_id": None, "due_on": None, "org": org, "fire_at": store.utc(fire_at),
                 "created_at": store.utc(now), "late": late, "status": "pending", "attempts": 0,
                 "available_at": store.utc(now), "channels_done": "",
                 "context": {"deadline_ids": ids, "days_ahead": r.digest.days_ahead}}
                for (org, role), ids in sorted(groups.items())]
        written = store.insert_new(conn, rows)
        store.record_digest_run(conn, today, now, len(rows))
    return written


@dataclass
class Reminders:
    """The reminders use cases over one database; built by `workflow.bootstrap.reminders_for`."""

    settings: Settings
    engine: Engine
    calendar: WorkingCalendar
    rulebook: RuleBook
    channels: Mapping[str, Channel]
    worker: str = field(default_factory=worker_id)
    busy_retry: BusyRetry | None = None  # how the scheduler's work waits out a busy database; config.yaml's when None
    # The organisation history, read again only when it changed: a scheduler sweeps and dispatches every minute,
    # and reading the whole tree costs about 0.3 s at 5,000 organisations (issue 14).
    orgs: OrgLog = field(default_factory=OrgLog)

    @property
    def policy(self) -> ReminderSettings:
        return self.settings.reminders

    @property
    def on_busy(self) -> BusyRetry:
        return self.busy_retry if self.busy_retry is not None else self.settings.database.retry()

    def sweep(self, now: datetime, *, digests: bool = True) -> SweepReport:
        return sweep(self.engine, self.policy, self.calendar, now, digests=digests, orgs=self.orgs)

    def dispatch(self, now: datetime, should_stop: Callable[[], bool] = lambda: False) -> DispatchReport:
        delivery = self.policy.delivery
        outbox = store.SqlOutbox(self.engine, self.worker, timedelta(seconds=delivery.lease_seconds), self.on_busy)
        resolver = Resolver(self.engine, self.rulebook, self.calendar, self.settings.notifications.language,
                            self.orgs)
        return dispatch_pending(outbox, self.channels, resolver, now=now, delivery=delivery,
                                should_stop=should_stop)

    def run_once(self, now: datetime) -> tuple[SweepReport, DispatchReport]:
        return self.sweep(now), self.dispatch(now)

    # --- contacts and the outbox, for the CLI ------------------------------------------------------------------

    def set_contact(self, cmd: SetContact, now: datetime) -> int:
        """Set the contact; returns how many reminders waiting for it were re-queued.

        Raises:
            ReminderError: the organisation does not exist.
        """
        with self.engine.begin() as conn:
            if organisations.get(conn, cmd.org) is None:
                raise ReminderError(f"no organisation with code {cmd.org!r}")
            contacts.put(conn, Contact(cmd.org, cmd.role, cmd.email, cmd.webhook, cmd.name, cmd.language), now)
            return store.requeue_missing_contact(conn, cmd.org, now)

    def contacts(self, org: str | None = None) -> list[Contact]:
        with self.engine.connect() as conn:
            return contacts.all_contacts(conn, org)

    def outbox(self, failed: bool = False, limit: int = DEFAULT_LIMIT, cursor: str | None = None, offset: int = 0,
               count: bool = False) -> Page:
        """A page of the outbox, newest first. Raises: BadCursor."""
        with self.engine.connect() as conn:
            return store.list_rows(conn, ["failed"] if failed else None, limit, cursor, offset, count)

    def retry(self, row_id: int, now: datetime) -> dict[str, Any]:
        """Raises: ReminderError when there is no such row or it has not failed."""
        with self.engine.begin() as conn:
            row = store.get_row(conn, row_id)
            if row is None:
                raise ReminderError(f"no outbox row {row_id}")
            if not store.requeue(conn, row_id, now):
                raise ReminderError(f"outbox row {row_id} is {row['status']}, not failed: nothing to retry")
            return store.get_row(conn, row_id) or row

    # --- preview -----------------------------------------------------------------------------------------------

    def preview(self, now: datetime, days: int, org: str | None = None) -> list[dict[str, Any]]:
        """What would be sent from now until `days` ahead, and to whom; what is owed now and not written yet
        comes first. Reads only.

        Raises:
            ReminderError: `org` does not exist.
        """
        r, end = self.policy, now + timedelta(days=days)
        with self.engine.connect() as conn:
            scope = self._scope(conn, org)
            tree = OrgTree.on(conn, p.local_date(now), self.orgs)
            until = p.local_date(end) + timedelta(days=r.horizon_days)
            rows = [d for d in open_deadlines(conn, until, None, 10**9) if scope is None or d.org in scope]
            names = candidate_names(conn, sorted({d.stream_id for d in rows}))
            # read once, not a query per row: the keys already written and every contact
            ids = sorted({d.id for d in rows})
            written = {key for i in range(0, len(ids), SWEEP_CHUNK)
                       for key in store.existing_keys(conn, ids[i:i + SWEEP_CHUNK])}
            reachable = {(c.org, c.role): c for c in contacts.all_contacts(conn)}
            result = []
            for d in rows:
                view, policy = _view(d), r.policy(d.kind)
                owed = [(s, "owed now") for s in p.owed(view, policy, self.calendar, now, r.send_at)]
                later = [(s, "scheduled") for s in p.upcoming(view, policy, self.calendar, now, end, r.send_at)]
                for slot, when in owed + later:
                    for role in p.recipients(slot, policy):
                        key = p.reminder_key(d.id, d.due_on, slot.name, role)
                        if when == "owed now" and key in written:
                            continue
                        result.append(self._preview_row(reachable, tree, d, slot, role, when, names, r))
        return sorted(result, key=lambda x: (x["when"] != "owed now", x["at"], x["candidate_id"]))

    def _preview_row(self, reachable: Mapping[tuple[str, str], Contact], tree: OrgTree, d: Any, slot: p.Slot,
                     role: str, when: str, names: dict[str, str], r: ReminderSettings) -> dict[str, Any]:
        target, why = tree.org_for(role, d.kind, d.org)
        contact = reachable.get((target, contact_role(role))) if target else None
        reach = ", ".join(f"{a.channel}:{a.target}" for a in addresses(contact))
        return {"when": when, "at": slot.moment(r.send_at), "slot": slot.name, "type": slot.kind,
                "kind": d.kind, "due_on": d.due_on, "candidate_id": d.stream_id,
                "candidate": names.get(d.stream_id, d.stream_id), "role": role, "org": target,
                "contact": reach or None,
                "problem": why or (None if reach else f"no contact for the {contact_role(role)} of {target}")}

    def _scope(self, conn: Connection, org: str | None) -> set[str] | None:
        if org is None:
            return None
        try:
            return subtree_now(self.orgs.history(conn), org)
        except OrganisationError as err:
            raise ReminderError(str(err)) from None
