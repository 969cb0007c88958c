"""A candidate's timeline for auditors: each step with its form, rule set, actor, late marks, and the
corrections made to it shown next to the values they correct (PROCEDURE.md `correct`: the original stays)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from states.events import Event
from states.steps import STEPS
from workflow.audit.late_entries import entry_delay

# DOMAIN.md section 6: a union's introduction resolution is its own form next to the members' 3-KNĐ.
UNION_FORMS = {"youth_union": "4-KNĐ", "trade_union": "4A-KNĐ"}


def forms_of(e: Event) -> list[str]:
    """The form codes (DOMAIN.md section 6) of the documents behind a step, from its StepSpec."""
    spec = STEPS.get(e.type)
    forms = [spec.form] if spec is not None and spec.form else []
    resolution = e.payload.get("union_resolution") if e.type == "introduce" else None
    if isinstance(resolution, dict) and resolution.get("body") in UNION_FORMS:
        forms.append(UNION_FORMS[resolution["body"]])
    return forms


@dataclass
class Change:
    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "from": self.before, "to": self.after}


@dataclass
class Correction:
    version: int  # the `correct` event
    corrects: int
    on: date
    recorded_at: datetime
    actor: str
    reason: str
    changes: list[Change]

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "corrects": self.corrects, "on": self.on, "recorded_at": self.recorded_at,
                "actor": self.actor, "reason": self.reason, "changes": [c.as_dict() for c in self.changes]}


@dataclass
class Entry:
    event: Event
    forms: list[str]
    entered_days_after: int
    late: bool  # the engine's late mark (ceremony or member history after its deadline, D8, D9)
    report_upward: bool
    corrections: list[Correction] = field(default_factory=list)
    correction: Correction | None = None  # when this event is itself a correction

    @property
    def corrected_on(self) -> date:
        """The business date after corrections (the original stays in the event)."""
        for c in reversed(self.corrections):
            for change in c.changes:
                if change.field == "on":
                    return date.fromisoformat(str(change.after))
        return self.event.effective_on

    def as_dict(self) -> dict[str, Any]:
        e = self.event
        return {"version": e.version, "step": e.type, "on": e.effective_on, "corrected_on": self.corrected_on,
                "recorded_at": e.recorded_at, "entered_days_after": self.entered_days_after, "forms": self.forms,
                "rule_set": e.rule_set, "actor": e.actor, "late": self.late, "report_upward": self.report_upward,
                "payload": e.payload, "hash": e.hash,
                "corrections": [c.as_dict() for c in self.corrections],
                "corrects": self.correction.as_dict() if self.correction else None}


def _correction(e: Event, current: dict[str, Any]) -> Correction:
    changes = [Change(name, current.get(name), value) for name, value in e.payload["fields"].items()]
    return Correction(e.version, int(e.payload["corrects"]), e.effective_on, e.recorded_at, e.actor,
                      str(e.payload.get("reason", "")), changes)


def timeline(events: Sequence[Event]) -> list[Entry]:
    """One entry per event, in version order; each correction is attached to the event it corrects, with
    the value it replaced (the original, or the previous correction's) and the new one."""
    entries: dict[int, Entry] = {}
    current: dict[int, dict[str, Any]] = {}
    for e in events:
        entry = Entry(e, forms_of(e), entry_delay(e), bool(e.derived.get("late")),
                      bool(e.derived.get("report_upward")))
        entries[e.version] = entry
        current[e.version] = {**e.payload, "on": e.effective_on.isoformat()}
        if e.type == "correct":
            target = int(e.payload["corrects"])
            values = current.setdefault(target, {})
            fix = _correction(e, values)
            entry.correction = fix
            values.update(e.payload["fields"])
            if target in entries:
                entries[target].corrections.append(fix)
    return list(entries.values())
