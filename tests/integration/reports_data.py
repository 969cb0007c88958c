"""Generated data for the report and import tests: admissions made quickly by cloning one stream decided by
the engine (new ids, the person's fields changed, hashes recomputed), and import rows built from the standard
path of tests/builders.py.

Clones stay valid streams: every step was judged by `decide` on the template, the changed identify fields
(name, sex, ethnicity, religion, categories, branch) are not read by any later guard, and both branches CB-01
and CB-02 have the same deciding committee (DU-XA), so `ketnap audit verify` finds nothing to report.
"""

import pathlib
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine

from states.candidate import replay
from states.events import Event
from states.hashing import GENESIS, event_hash
from states.report_facts import facts_of
from storage import event_store, projections, report_model
from tests.builders import AFTER_VOTE, NOW, PATH_TO_VOTE, record
from workflow.reports.import_columns import COLUMNS

Path = list[tuple[str, date, dict[str, Any]]]
BASE_DECISION = date(2024, 8, 1)  # the standard path's decision date
FULL: Path = [*PATH_TO_VOTE, *AFTER_VOTE]


def path_deciding_on(decided_on: date, *, until: str = "hold_ceremony") -> Path:
    """The standard path moved in time so that the admission decision is dated `decided_on`."""
    delta = decided_on - BASE_DECISION
    names = [name for name, _, _ in FULL]
    steps = []
    for name, on, fields in FULL[: names.index(until) + 1]:
        moved = {k: (date.fromisoformat(v) + delta).isoformat() if k in ("issued_on", "received_on") else v
                 for k, v in fields.items()}
        steps.append((name, on + delta, moved))
    return steps


def template(decided_on: date, *, until: str = "hold_ceremony") -> list[Event]:
    events: list[Event] = []
    for name, on, fields in path_deciding_on(decided_on, until=until):
        events = record(events, name, on, fields)
    return events


def clone(events: list[Event], stream_id: str, person: Mapping[str, Any]) -> list[Event]:
    """The same stream under a new id, with identify's fields overridden and the hash chain recomputed."""
    copies, previous = [], GENESIS
    for e in events:
        payload = {**e.payload, **person} if e.type == "identify" else e.payload
        fresh = e._replace(stream_id=stream_id, payload=payload, prev_hash=previous, hash="", position=None)
        fresh = fresh._replace(hash=event_hash(fresh, previous))
        copies.append(fresh)
        previous = fresh.hash
    return copies


def insert(engine: Engine, streams: Iterable[list[Event]]) -> list[str]:
    """Append the streams and project them (candidate, deadlines, report facts), as the service would, in one
    transaction."""
    ids = []
    with engine.begin() as conn:
        for events in streams:
            event_store.append(conn, events, 0)
            candidate = replay(events)
            projections.project(conn, candidate, None, NOW)
            report_model.store(conn, facts_of(events, candidate))
            ids.append(events[0].stream_id)
    return ids


def admit(engine: Engine, decided_on: date, people: Iterable[Mapping[str, Any]], *,
          until: str = "hold_ceremony") -> list[str]:
    """One admitted candidate per person (identify fields), all decided on `decided_on`."""
    base = template(decided_on, until=until)
    return insert(engine, (clone(base, uuid.uuid4().hex[:12], person) for person in people))


def people(n: int, **fields: Any) -> list[dict[str, Any]]:
    """n distinct people in CB-01 (unless `org` is given), with `fields` in common."""
    return [{"full_name": f"Người thứ {i}", **fields} for i in range(n)]


# --- import rows ---------------------------------------------------------------------------------------------------

HEADER = {(c.step, c.field): c.header for c in COLUMNS}


def import_row(i: int, *, steps: int = len(FULL), shift_days: int = 0) -> dict[str, Any]:
    """A valid row: person i of CB-01 or CB-02 with the first `steps` steps of the standard path done, the
    whole path moved `shift_days` later."""
    path = path_deciding_on(BASE_DECISION + timedelta(days=shift_days), until=FULL[-1][0])[:steps]
    row: dict[str, Any] = {}
    for name, on, fields in path:
        if name == "identify":
            row.update({HEADER["identify", "org"]: "CB-01" if i % 2 else "CB-02",
                        HEADER["identify", "full_name"]: f"Trần Thị Thu {i}",
                        HEADER["identify", "birth_date"]: date(1995, 1, 1) + timedelta(days=i % 1500),
                        HEADER["identify", "sex"]: "Nữ" if i % 3 else "Nam",
                        HEADER["identify", "education"]: "Đại học", HEADER["identify", "ethnicity"]: "Kinh",
                        HEADER["identify", "categories"]: "Học sinh, sinh viên" if i % 4 == 0 else "Công nhân",
                        HEADER["identify", "on"]: on})
            continue
        for field, value in fields.items():
            if field == "introducers":
                for n, person in enumerate(value):
                    for key, item in person.items():
                        row[HEADER[name, f"introducers.{n}.{key}"]] = _value(key, item)
            elif (name, field) in HEADER:
                row[HEADER[name, field]] = _value(field, value)
        if (name, "on") in HEADER:
            row[HEADER[name, "on"]] = on
    return row


def _value(field: str, value: Any) -> Any:
    if field in ("official_since", "on", "received_on", "issued_on") and isinstance(value, str):
        return date.fromisoformat(value)
    if field == "recommendation":
        return "Công nhận" if value == "recognise" else "Xóa tên"
    return value


def workbook(path: pathlib.Path, rows: Iterable[Mapping[str, Any]]) -> pathlib.Path:
    """An import workbook of one sheet: every column of the template in its order, one line per row."""
    book = Workbook()
    ws = book.active
    headers = [c.header for c in COLUMNS]
    ws.append(headers)  # type: ignore[union-attr]
    for row in rows:
        ws.append([row.get(h) for h in headers])  # type: ignore[union-attr]
    book.save(path)
    return path
