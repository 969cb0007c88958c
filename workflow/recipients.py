"""Recipients are roles, resolved when a reminder is sent (ARCHITECTURE.md decision 10).

secretary: the candidate's branch. office: the committee that decides for that branch (Tree.competent_body,
DOMAIN.md section 4, authority). upper: the committee above the body responsible for the deadline, which is
where an overdue deadline must be reported (D6, D8, D12); it is reached through that committee's office.
A reminder whose recipient cannot be reached becomes an incident, never a silent skip.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from notifications import deadline_kinds
from notifications.message import Address, Notification
from notifications.outbox import Cancel, Deliver, Incident, OutboxItem, Resolution
from notifications.policy import local_date
from states.calendar import WorkingCalendar
from states.organisations import Tree
from states.rules import RuleBook, RuleSet
from storage import contacts, event_store, reminder_reads
from storage.contacts import Contact
from storage.organisations import OrgLog
from workflow.report_upward import report_context


@dataclass
class OrgTree:
    """The tree in force on the sending day (states/organisations.py): from a restructuring's date on, a
    reminder goes to the new deciding committee's office, before it to the old one's."""

    tree: Tree

    @classmethod
    def on(cls, conn: Connection, day: date, log: OrgLog | None = None) -> "OrgTree":
        return cls((log or OrgLog()).history(conn).tree_on(day))

    def name(self, code: str) -> str:
        return self.tree.name(code)

    def upper(self, code: str) -> str | None:
        """The committee above the organisation where a candidate recorded under `code` now belongs."""
        return self.tree.upper(self.tree.current(code))

    def org_for(self, role: str, kind: str, deadline_org: str) -> tuple[str | None, str]:
        """The organisation that plays `role` for a deadline of `kind` on a candidate of `deadline_org`,
        or None with the reason."""
        if role == "secretary":
            return deadline_org, ""
        if role == "office":
            body, _ = self.tree.competent_body(self.tree.current(deadline_org))
            return body, "" if body else f"no committee above {deadline_org} decides its admissions"
        responsible, why = self.org_for(deadline_kinds.info(kind).responsible, kind, deadline_org)
        if responsible is None:
            return None, why
        parent = self.upper(responsible)
        return parent, "" if parent else f"{responsible} has no upper-level organisation to escalate to"


def contact_role(role: str) -> str:
    return "office" if role == "upper" else role


def addresses(contact: Contact | None) -> tuple[Address, ...]:
    if contact is None:
        return ()
    found = [Address(channel="email", target=contact.email)] if contact.email else []
    if contact.webhook_url:
        found.append(Address(channel="webhook", target=contact.webhook_url))
    return tuple(found)


def no_contact(org: str, role: str) -> str:
    return (f"no contact for the {role} of {org}: run `ketnap org contact {org} --role {role} --email ...` "
            f"(the waiting reminders are re-queued when it is set)")


def _rules(rulebook: RuleBook, rule_set: str, opened_on: date) -> RuleSet:
    """The deadline's regulation with the guidance in force on the day it opened (DOMAIN.md section 7 caveat)."""
    try:
        return rulebook.get(rule_set, on=opened_on)
    except KeyError:
        return rulebook.for_date(opened_on)


def deadline_context(d: Any, rulebook: RuleBook, calendar: WorkingCalendar, today: date,
                     language: str) -> dict[str, Any]:
    """What a template says about one deadline row, in `language`, counted from `today`."""
    state = "overdue" if d.due_on < today else "today" if d.due_on == today else "upcoming"
    rules = _rules(rulebook, d.rule_set, d.opened_on)
    k = deadline_kinds.info(d.kind)
    return {"id": d.id, "kind": d.kind, "label": deadline_kinds.label(d.kind, language),
            "short": deadline_kinds.short_label(d.kind, language), "step": k.step,
            "due_on": d.due_on.isoformat(), "state": state,
            "working_days": abs(calendar.working_days_between(today, d.due_on)),
            "calendar_days": abs((d.due_on - today).days), "ref": k.link,
            "rule": deadline_kinds.rule_sentence(d.kind, rules, language), "regulation": rules.basis,
            "rule_set": rules.id}


def _candidate(tree: OrgTree, d: Any) -> dict[str, str]:
    return {"id": d.stream_id, "full_name": d.full_name or d.stream_id, "org": d.org, "org_name": tree.name(d.org)}


def _party(tree: OrgTree, role: str, org: str, language: str) -> dict[str, str]:
    return {"role": role, "role_label": deadline_kinds.ROLE_LABELS[language][role], "org": org,
            "org_name": tree.name(org)}


@dataclass
class Resolver:
    """Turns a claimed outbox row into a notification for its recipients as they are now."""

    engine: Engine
    rulebook: RuleBook
    calendar: WorkingCalendar
    default_language: str = "vi"
    _log: OrgLog = field(default_factory=OrgLog)  # the organisation history, read again only when it changed

    def __call__(self, item: OutboxItem, now: datetime) -> Resolution:
        with self.engine.connect() as conn:
            tree = OrgTree.on(conn, local_date(now), self._log)
            if item.kind == "digest":
                return self._digest(conn, tree, item, now)
            if item.kind == "report":
                return self._report(conn, tree, item, now)
            return self._reminder(conn, tree, item, now)

    def _reminder(self, conn: Connection, tree: OrgTree, item: OutboxItem, now: datetime) -> Resolution:
        d = reminder_reads.deadline_with_name(conn, item.deadline_id)
        if d is None or d.status != "open":
            return Cancel(f"the deadline was {'closed by ' + str(d.closed_by) if d is not None else 'removed'}")
        if d.due_on != item.due_on:
            return Cancel(f"the due date moved from {item.due_on} to {d.due_on}")
        org, why = tree.org_for(item.role, d.kind, d.org)
        if org is None:
            return Incident(why, problem="no_org")
        contact = contacts.get(conn, org, contact_role(item.role))
        if not addresses(contact):
            return Incident(no_contact(org, contact_role(item.role)), org=org)
        assert contact is not None
        language = contact.language or self.default_language
        responsible = deadline_kinds.info(d.kind).responsible
        responsible_org, _ = tree.org_for(responsible, d.kind, d.org)
        context = {
            "slot": item.slot, "late": item.late, "scheduled_on": local_date(item.fire_at).isoformat(),
            "today": local_date(now).isoformat(),
            "recipient": _party(tree, item.role, org, language),
            "responsible": _party(tree, responsible, responsible_org or d.org, language),
            "candidate": _candidate(tree, d),
            "deadline": deadline_context(d, self.rulebook, self.calendar, local_date(now), language),
        }
        template = "escalation" if item.kind == "escalation" else "reminder"
        return Deliver(Notification(key=item.key, template=template, language=language,
                                    recipients=addresses(contact), context=context), org)

    def _digest(self, conn: Connection, tree: OrgTree, item: OutboxItem, now: datetime) -> Resolution:
        assert item.org is not None, "a digest row names its organisation"
        contact = contacts.get(conn, item.org, item.role)
        if not addresses(contact):
            return Incident(no_contact(item.org, item.role), org=item.org)
        assert contact is not None
        language = contact.language or self.default_language
        today = local_date(now)
        ids = [int(i) for i in item.context.get("deadline_ids", [])]
        rows = reminder_reads.open_deadlines_with_names(conn, ids)
        if not rows:
            return Cancel("every deadline of the digest was closed before it was sent")
        items = [{"candidate": _candidate(tree, d),
                  "deadline": deadline_context(d, self.rulebook, self.calendar, today, language)} for d in rows]
        context = {"today": today.isoformat(), "late": item.late, "days_ahead": item.context.get("days_ahead", 0),
                   "recipient": _party(tree, item.role, item.org, language), "items": items,
                   "overdue_count": sum(1 for i in items if i["deadline"]["state"] == "overdue")}
        return Deliver(Notification(key=item.key, template="digest", language=language,
                                    recipients=addresses(contact), context=context), item.org)

    def _report(self, conn: Connection, tree: OrgTree, item: OutboxItem, now: datetime) -> Resolution:
        """A report upward (V1, D19, D8) goes to the committee above the candidate's branch, via its office."""
        event = event_store.event_at(conn, item.context.get("position"))
        candidate = reminder_reads.candidate_branch(conn, item.context.get("stream_id"))
        if event is None or candidate is None:
            return Cancel("the event or its candidate is no longer in the database")
        upper = tree.upper(candidate.org)
        if upper is None:
            return Incident(f"{candidate.org} has no upper-level organisation to report to", problem="no_org")
        contact = contacts.get(conn, upper, contact_role("upper"))
        if not addresses(contact):
            return Incident(no_contact(upper, contact_role("upper")), org=upper)
        assert contact is not None
        language = contact.language or self.default_language
        ceremony = reminder_reads.due_on(conn, event.stream_id, "ceremony")
        context = {"today": local_date(now).isoformat(), "late": item.late,
                   "recipient": _party(tree, "upper", upper, language),
                   "candidate": {"id": event.stream_id, "full_name": candidate.full_name or event.stream_id,
                                 "org": candidate.org, "org_name": tree.name(candidate.org)},
                   "report": report_context(event, ceremony if event.type == "hold_ceremony" else None)}
        return Deliver(Notification(key=item.key, template="report_upward", language=language,
                                    recipients=addresses(contact), context=context), upper)
