"""Generated blocs of agencies and enterprises for the organisation-type reports (issue 20): grassroots
organisations of given types under one upper-level committee, admissions cloned from one engine-decided stream
(tests/integration/reports_data.py), and trainees enrolled in a class the same way.

The published figures the tests rebuild (the issue's sources, dates of congresses not published there are
assumed and say so): Lào Cai's bloc of agencies and enterprises, Hà Tĩnh's, and Đồng Nai's bloc of agencies.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from states.organisations import OrgChange
from tests.integration.reports_data import admit, clone, insert, template
from workflow.service import Ketnap


def bloc(app: Ketnap, code: str, name: str, types: Sequence[tuple[str, int]], *, on: date,
         prefix: str = "") -> dict[str, list[str]]:
    """An upper-level committee `code` and, under it, n grassroots committees of each (type, n), founded `on`,
    recorded in one transaction; {type: their codes}."""
    changes = [OrgChange("created", code, on, name=name, level="upper")]
    made: dict[str, list[str]] = {}
    for org_type, n in types:
        for i in range(n):
            org = f"{prefix or code}-{org_type[:6].upper()}-{i:02d}"
            changes.append(OrgChange("created", org, on, name=f"Đảng bộ {org_type} {i}", level="grassroots",
                                     parent=code, admits=True, org_type=org_type))
            made.setdefault(org_type, []).append(org)
    app.organisations.change(changes, "test")
    return made


def spread(orgs: Sequence[str], n: int, **fields: Any) -> list[dict[str, Any]]:
    """n people spread over `orgs` in turn, with `fields` in common."""
    return [{"full_name": f"Người {orgs[i % len(orgs)]} {i}", "org": orgs[i % len(orgs)], **fields}
            for i in range(n)]


def admitted(app: Ketnap, decided_on: date, people: Iterable[Mapping[str, Any]]) -> list[str]:
    return admit(app.engine, decided_on, people)


def enrolled(app: Ketnap, class_name: str, starts_on: date, people: Iterable[Mapping[str, Any]]) -> list[str]:
    """One candidate per person, enrolled in the class named `class_name` (their stream cloned from one path
    stopped after enrol_training, the class's name put in its payload)."""
    base = template(date(starts_on.year + 1, starts_on.month, 1), until="enrol_training")
    base = [e._replace(payload={**e.payload, "class_name": class_name}) if e.type == "enrol_training" else e
            for e in base]
    return insert(app.engine, (clone(base, uuid.uuid4().hex[:12], person) for person in people))
