"""The JSON forms of a candidate, an event, a step's result and a violation, shared by the CLI and the HTTP API.

One home, so `ketnap --json show` and `GET /api/candidates/{id}` cannot drift apart; Vietnamese stays intact
(UTF-8, NFC)."""

import json
import types
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from states.candidate import Candidate, Deadline
from states.decide import Allowed
from states.errors import Violation
from states.events import Event
from states.hashing import utc_iso
from states.organisations import SINCE_ALWAYS, Organisation, Tree
from states.steps import StepSpec
from workflow.organisations import Moved, Restructuring
from workflow.refusals import Refusal
from workflow.service import StepResult


def json_default(value: Any) -> Any:
    """Dates as ISO, timestamps as UTC ISO, enums by value: the one JSON form of the CLI and the API."""
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def to_json(document: Any) -> str:
    """Indented, as the CLI prints a document and an audit dossier is exported."""
    return json.dumps(document, ensure_ascii=False, indent=2, default=json_default)


def deadline_doc(d: Deadline) -> dict[str, Any]:
    return {"kind": d.kind, "due_on": d.due_on, "opened_on": d.opened_on, "status": "open" if d.is_open else
            "closed", "closed_on": d.closed_on, "closed_by": d.closed_by, "rule_set": d.rule_set,
            "calendar": d.calendar,
            **({"extended_on": d.extended_on, "extended_from": d.extended_from} if d.extended_on else {})}


def violation_doc(v: Violation) -> dict[str, Any]:
    return v.as_dict()


def allowed_doc(a: Allowed) -> dict[str, Any]:
    return {"step": a.step, "moves_to": a.moves_to, "ready": a.ready,
            "missing": [violation_doc(v) for v in a.missing]}


def candidate_doc(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.id, "stage": c.stage.value if c.stage else None, "version": c.version, "org": c.org,
        "full_name": c.full_name, "birth_date": c.birth_date, "sex": c.sex, "education": c.education,
        "ethnicity": c.ethnicity, "religion": c.religion, "youth_union": c.youth_union,
        "trade_union": c.trade_union, "categories": list(c.categories),
        "identified_on": c.identified_on, "decided_on": c.decided_on, "ceremony_on": c.ceremony_on,
        "probation_ends_on": c.probation_ends_on, "official_on": c.official_on,
        "party_age_from": c.party_age_from, "dropped_on": c.dropped_on, "dropped_reason": c.dropped_reason,
        "previous_membership": c.previous_membership,  # issue 12: a re-admission (kết nạp lại) when present
        "pending_transfer": c.pending_transfer,  # issue 13: a probationary member's transfer not yet received (D16)
        "deadlines": [deadline_doc(d) for d in c.open_deadlines()],
        "corrections": c.corrections,
    }


def event_doc(e: Event) -> dict[str, Any]:
    return {"version": e.version, "type": e.type, "on": e.effective_on, "recorded_at": e.recorded_at,
            "actor": e.actor, "rule_set": e.rule_set, "payload": e.payload, "derived": e.derived,
            "hash": e.hash, "position": e.position}


def result_doc(result: StepResult) -> dict[str, Any]:
    """A recorded step's answer: the candidate, the new events, what can come next, and the warnings (accepted
    but worth a second look, each with its rule id)."""
    return {**candidate_doc(result.candidate), "events": [event_doc(e) for e in result.events],
            "allowed_steps": [allowed_doc(a) for a in result.allowed],
            "warnings": [violation_doc(w) for w in result.warnings]}


def shown_doc(result: StepResult) -> dict[str, Any]:
    """A candidate as shown: stage, key dates, open deadlines and the allowed next steps."""
    return {**candidate_doc(result.candidate), "allowed_steps": [allowed_doc(a) for a in result.allowed]}


# --- steps (`ketnap --json steps`) -----------------------------------------------------------------------------

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean", date: "date",
                            datetime: "timestamp"}


def type_doc(annotation: Any) -> dict[str, Any]:
    """A field's type as a program reads it: `type` is string, integer, number, boolean, date, enum (with its
    `values`), object (with its `fields`, or any keys) or list[...] (with the item's details under `items`)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_doc(args[0])
    if origin in (Union, types.UnionType):  # X | None: whether it may be left out is `required`
        kinds = [a for a in args if a is not type(None)]
        return type_doc(kinds[0]) if len(kinds) == 1 else {"type": "any"}
    if origin is Literal:
        return {"type": "enum", "values": list(args)}
    if origin is list:
        item = type_doc(args[0]) if args else {"type": "any"}
        return {"type": f"list[{item['type']}]", "items": item}
    if origin is dict or annotation is dict:
        return {"type": "object"}
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {"type": "enum", "values": [m.value for m in annotation]}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"type": "object", "fields": fields_doc(annotation)}
    return {"type": _SCALARS.get(annotation, "any")}


def fields_doc(model: type[BaseModel]) -> dict[str, Any]:
    return {name: {"required": info.is_required(), **type_doc(info.annotation)}
            for name, info in model.model_fields.items()}


def step_doc(spec: StepSpec) -> dict[str, Any]:
    """A step as `ketnap --json steps` lists it: where it is allowed, where it moves, its fields and their types."""
    return {"step": spec.name, "allowed_in": spec.allowed_in, "moves_to": spec.moves_to, "form": spec.form,
            "summary": spec.summary, "fields": fields_doc(spec.fields)}


def refusal_doc(r: Refusal) -> dict[str, Any]:
    """A refusal as the HTTP API answers it: the code, the message, every violation, and the extras."""
    return {"code": r.code, "message": r.message, "violations": r.violations, **r.extra}


def cli_refusal_doc(r: Refusal) -> dict[str, Any]:
    """A refusal as `ketnap --json` prints it; `error` (what scripts read before) and `code` hold the same code."""
    return {"error": r.code, "code": r.code, "message": r.message, "violations": r.violations}


# --- organisations (the CLI's --json and the API) ---------------------------------------------------------------

def org_doc(org: Organisation) -> dict[str, object]:
    """An organisation as one JSON object; `founded_on` is null for "before anything recorded"."""
    return {"code": org.code, "name": org.name, "level": org.level, "parent_code": org.parent_code,
            "admits": org.admits, "founded_on": None if org.founded_on == SINCE_ALWAYS else org.founded_on.isoformat(),
            "ended_on": org.ended_on.isoformat() if org.ended_on else None, "ended_by": org.ended_by,
            "successors": list(org.successors), "predecessors": list(org.predecessors), "org_type": org.org_type}


def org_view_doc(tree: Tree, org: Organisation, on: date | None) -> dict[str, object]:
    """One organisation in the tree of `on` (None: every recorded change applied): its place, who decides
    admissions for its branches then, and what came before and after it. `org` is the latest form, shown
    when the organisation did not exist yet on that date."""
    shown = tree.get(org.code)
    body, vote = tree.decides_for_branches(org.code)
    return {**org_doc(shown or org), "as_of": on.isoformat() if on else None,
            "exists_on_date": shown is not None and (on is None or shown.exists_on(on)),
            "chain": [o.code for o in tree.chain(org.code)], "children": tree.children(org.code),
            "deciding_committee": body, "committee_vote_required": vote}


def org_event_doc(event: Event) -> dict[str, object]:
    """One change of the tree: what, when (effective and recorded), by whose decision, by whom."""
    return {"code": event.stream_id, "version": event.version, "change": event.type,
            "effective_on": None if event.effective_on == SINCE_ALWAYS else event.effective_on.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "actor": event.actor,
            "decision": event.payload.get("decision", ""), "issuer": event.payload.get("issuer", ""),
            "details": {k: v for k, v in event.payload.items() if k not in ("decision", "issuer")},
            "hash": event.hash}


def moved_doc(m: Moved) -> dict[str, object]:
    return {"candidate_id": m.id, "full_name": m.full_name, "stage": m.stage, "from_org": m.from_org,
            "to_org": m.to_org, "from_body": m.from_body, "to_body": m.to_body, "open_deadlines": m.open_deadlines}


def restructuring_doc(r: Restructuring) -> dict[str, object]:
    return {"dry_run": r.dry_run, "changes": len(r.changes),
            "events": [org_event_doc(e) for e in r.events],
            "moved": [moved_doc(m) for m in r.moved],
            "attached": [{"org": a.org, "plans": a.plans, "membership_years": a.membership_years,
                          "contacts": list(a.contacts), "classes": a.classes, "users": a.users} for a in r.attached]}
