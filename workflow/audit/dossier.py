"""`ketnap export dossier`: a candidate's full timeline as JSON, CSV or printable HTML (A4), with each step's
form code, rule set and guidance, actor, late marks and corrections, and the state of its hash chain."""

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from states.candidate import Candidate, replay
from states.events import Event
from states.hashing import utc_iso
from states.organisations import OrgHistory, placements
from states.rules import RuleBook
from workflow.audit.chain import check_stream
from workflow.audit.timeline import timeline
from workflow.reports.xlsx import FORMULA_STARTS

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("json", "csv", "html")
CSV_COLUMNS = ("version", "step", "on", "corrected_on", "recorded_at", "entered_days_after", "forms", "rule_set",
               "guidance", "actor", "late", "report_upward", "corrections", "corrects", "payload", "hash", "org",
               "org_name")


def build(events: list[Event], generated_at: datetime, orgs: OrgHistory | None = None,
          rulebook: RuleBook | None = None) -> dict[str, Any]:
    """The dossier as one document: the candidate as replayed, every deadline, the timeline (each step with
    its branch as named on its date and the guidance it was judged under beside its rule set), the chain.
    Without `rulebook` an event's guidance is its stamp (None for an event written before stamps existed)."""
    c = replay(events)
    problems = check_stream(events)
    history = orgs or OrgHistory()
    places = placements(history, events)
    now = history.latest()
    home = now.current(c.org, c.id) if c.org else c.org

    by_version = {e.version: e for e in events}

    def placed(row: dict[str, Any]) -> dict[str, Any]:
        where = places.get(row["version"])
        e = by_version[row["version"]]
        guidance = rulebook.guidance_of(e) if rulebook else e.derived.get("guidance")
        return {**row, "guidance": guidance, "org": where.org if where else None,
                "org_name": where.name if where else None}

    return {
        "candidate": {**_candidate(c), "org_now": home, "org_now_name": now.name(home) if home else None},
        "generated_at": generated_at,
        "deadlines": [_deadline(d) for d in sorted(c.deadlines.values(), key=lambda d: (d.due_on, d.kind))],
        "timeline": [placed(entry.as_dict()) for entry in timeline(events)],
        "integrity": {"chain_ok": not problems, "head_version": events[-1].version, "head_hash": events[-1].hash,
                      "findings": [f.as_dict() for f in problems]},
    }


def _candidate(c: Candidate) -> dict[str, Any]:
    return {"id": c.id, "full_name": c.full_name, "org": c.org, "stage": c.stage.value if c.stage else None,
            "birth_date": c.birth_date, "sex": c.sex, "education": c.education, "identified_on": c.identified_on,
            "decided_on": c.decided_on, "decision_no": c.decision_no, "ceremony_on": c.ceremony_on,
            "probation_ends_on": c.probation_ends_on, "official_on": c.official_on,
            "party_age_from": c.party_age_from, "dropped_on": c.dropped_on, "dropped_reason": c.dropped_reason}


def _deadline(d: Any) -> dict[str, Any]:
    return {"kind": d.kind, "opened_on": d.opened_on, "due_on": d.due_on, "closed_on": d.closed_on,
            "closed_by": d.closed_by, "status": "open" if d.is_open else "closed", "rule_set": d.rule_set,
            "calendar": d.calendar}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _inert(text: str) -> str:
    """A CSV has no cell types: a text Excel would read as a formula is quote-prefixed, as Excel itself does."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(document: dict[str, Any]) -> str:
    """One row per event; corrections as readable text in the row of the value they correct."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in document["timeline"]:
        writer.writerow({k: _inert(v) for k, v in {
            **{k: _text(row[k]) for k in CSV_COLUMNS if k not in ("forms", "corrections", "corrects", "payload")},
            "forms": " ".join(row["forms"]),
            "corrections": " | ".join(_correction_text(c) for c in row["corrections"]),
            "corrects": f"v{row['corrects']['corrects']}" if row["corrects"] else "",
            "payload": json.dumps(row["payload"], ensure_ascii=False, sort_keys=True),
        }.items()})
    return out.getvalue()


def _correction_text(c: dict[str, Any]) -> str:
    changes = ", ".join(f"{ch['field']}: {ch['from']} -> {ch['to']}" for ch in c["changes"])
    return f"v{c['version']} by {c['actor']}: {changes} ({c['reason']})"


def to_html(document: dict[str, Any]) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["d"] = _text
    return env.get_template("dossier.html.j2").render(doc=document)


def render(document: dict[str, Any], fmt: str, to_json: Any) -> str:
    if fmt == "json":
        return str(to_json(document))
    if fmt == "csv":
        return to_csv(document)
    if fmt == "html":
        return to_html(document)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
