"""The admissions report over a province-sized log, next to one plain SQL aggregate over the event table in
the same run, and the import rate of a generated workbook (issue 6).

    .venv/bin/python -m benchmarks.bench_reports [--size 50000] [--import-rows 10000] [--keep]

`--size` is the number of candidates; the log gets 20 events per candidate (1,000,000 at the default) and one
organisation per 25 candidates (2,000: a province, 20 communes, 5 grassroots committees each, and branches).

The log is built fast and stays valid: for each month of decisions from 2021-07 to 2027-04 the engine decides
one candidate's path (comments collected in two goes, one failed branch vote before the passed one: 20 steps),
cut at the clock's today (2026-11-20), so old candidates are official and recent ones are at every stage; 5 %
leave the list at the point they reached. Each candidate is a clone of one of these streams under a new id,
with its own branch, deciding committee, name, birth date, sex, ethnicity, religion and occupation, and its
hash chain recomputed; its candidate and deadline rows are cloned with it.

Measured, on one SQLite file:
- read model: folding the whole log into `report_candidate` (what `report rebuild` pays; steps keep the rows
  themselves, so no report folds anything);
- report: `admissions_report` for the province and the year 2024, then for one commune, the model current;
- after steps: a report after 100 more steps were recorded (their rows written by the steps);
- restructuring (issue 10): two communes merged into a new one on 2025-07-01; the province's 2024 report must give
  the same figures after it (checked), and the new commune's 2025 report counts its predecessors' first
  half-year, with every admission placed by the tree of its date (one placement per branch and tree epoch);
- baseline: one plain SQL aggregate over the event table (admission decisions of 2024, a full scan).
Then the import: a workbook of `--import-rows` rows (candidates at every stage) into a fresh database.
"""

import argparse
import random
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, text

from benchmarks.common import NOW, FixedClock, fresh_sqlite, machine_line, print_table, scratch_dir
from states.candidate import Candidate, replay
from states.decide import decide
from states.events import Event
from states.hashing import GENESIS, event_hash
from states.organisations import OrgChange
from states.step import OrgFacts, Step
from storage import organisations, report_model
from storage.event_store import EVENTS, event_to_row
from storage.organisations import ORGS
from storage.projections import CANDIDATES, DEADLINES, candidate_values, deadline_values
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep
from workflow.config import Settings, load_settings
from workflow.demo import PATH
from workflow.reports.admissions import admissions_report
from workflow.reports.import_columns import COLUMNS
from workflow.reports.importer import import_workbook
from workflow.reports.periods import parse_period
from workflow.service import Ketnap

TEMPLATE_ORG, TEMPLATE_BODY = "CB-TEMPLATE", "XA-TEMPLATE"
FIRST_MONTH, MONTHS = date(2021, 7, 1), 70  # decisions up to 2027-04: everyone identified by today
CATEGORIES = ["student", "private_enterprise", "worker", "farmer", "public_servant", "teacher", "armed_forces"]
ETHNICITIES = ["Kinh"] * 17 + ["Tày", "Thái", "Mường"]
TODAY = NOW.date()
EVENTS_PER_CANDIDATE, MAX_PADDING = 20, 6
ROWS_PER_INSERT = 20_000


# --- the organisation tree --------------------------------------------------------------------------------------

def org_rows(total: int) -> list[dict[str, Any]]:
    """A province, 20 communes (they decide), 5 grassroots committees each (they vote), then branches."""
    rows = [("TINH", "Tỉnh ủy", "province", None)]
    communes = [f"XA-{i:02d}" for i in range(1, 21)]
    rows += [(c, f"Đảng ủy xã {c}", "commune", "TINH") for c in communes]
    grassroots = [f"DU-{c[3:]}-{j}" for c in communes for j in range(1, 6)]
    rows += [(g, f"Đảng ủy cơ sở {g}", "grassroots", f"XA-{g[3:5]}") for g in grassroots]
    rows += [(f"CB-{k:04d}", f"Chi bộ {k}", "branch", grassroots[k % len(grassroots)])
             for k in range(max(total - len(rows), len(grassroots)))]
    return [{"code": c, "name": n, "level": lv, "parent_code": p, "admits": False, "created_at": NOW}
            for c, n, lv, p in rows]


def branches(orgs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(branch, the commune that decides for it)."""
    parent = {o["code"]: o["parent_code"] for o in orgs}
    return [(o["code"], parent[parent[o["code"]]]) for o in orgs if o["level"] == "branch"]


# --- template streams decided by the engine ---------------------------------------------------------------------

def path(start: date) -> list[tuple[str, date, dict[str, Any]]]:
    """The demo's 18 steps from `start`, with comments collected in two goes and a failed vote first."""
    steps = []
    for name, offset, fields in PATH:
        values = {k: (start + timedelta(days=v)).isoformat() if k in ("issued_on", "received_on") else v
                  for k, v in fields.items()}
        values = {**values, "decided_by": TEMPLATE_BODY} if "decided_by" in values else values
        if name == "identify":
            values = {"org": TEMPLATE_ORG, "full_name": "Mẫu", "birth_date": "1995-04-18", "sex": "F",
                      "education": "upper_secondary"}
        if name == "collect_comments":
            steps.append((name, start + timedelta(days=offset - 3), {"sources": ["residence"]}))
            values = {"sources": ["mass_organisations"]}
        if name == "branch_vote":
            steps.append((name, start + timedelta(days=offset - 7), {"official_members": 21, "in_favour": 10}))
        steps.append((name, start + timedelta(days=offset), values))
    return steps


def template(settings: Settings, month: int, dropped: bool) -> tuple[list[Event], Candidate]:
    """One candidate whose admission decision falls in `month` (from FIRST_MONTH), cut at today."""
    decision = date(FIRST_MONTH.year + (FIRST_MONTH.month - 1 + month) // 12,
                    (FIRST_MONTH.month - 1 + month) % 12 + 1, 1 + month % 27)
    rulebook, calendar, events = settings.rulebook(), settings.working_calendar(), []
    facts = OrgFacts(org_level="branch", competent_body=TEMPLATE_BODY, committee_vote_required=True)
    steps = [s for s in path(decision - timedelta(days=180)) if s[1] <= TODAY]
    if dropped and steps[-1][0] != "recognise_official":
        steps.append(("drop", min(TODAY, steps[-1][1] + timedelta(days=10)), {"reason": "withdrew"}))
    for name, on, fields in steps:
        candidate = replay(events, stream_id="template")
        events += decide(candidate, Step(name, on, fields, NOW, "bench", facts), rulebook.for_date(on), calendar)
    return events, replay(events)


class Templates:
    def __init__(self, settings: Settings) -> None:
        self.settings, self.cache = settings, dict[tuple[int, bool], tuple[list[Event], Candidate]]()

    def get(self, month: int, dropped: bool) -> tuple[list[Event], Candidate]:
        key = (month, dropped)
        if key not in self.cache:
            self.cache[key] = template(self.settings, month, dropped)
        return self.cache[key]


def person(rng: random.Random, i: int, org: str, body: str) -> dict[str, Any]:
    return {"org": org, "full_name": f"Người vào Đảng {i}", "sex": rng.choice("FM"),
            "birth_date": (date(1975, 1, 1) + timedelta(days=rng.randrange(27 * 365))).isoformat(),
            "ethnicity": rng.choice(ETHNICITIES), "religion": "Phật giáo" if rng.random() < 0.05 else None,
            "categories": [rng.choice(CATEGORIES)], "decided_by": body}


def clone(events: list[Event], stream_id: str, who: dict[str, Any]) -> list[Event]:
    """The template under a new id and person, with its hash chain recomputed."""
    body, fields = who["decided_by"], {k: v for k, v in who.items() if k != "decided_by" and v is not None}
    out, prev = [], GENESIS
    for e in events:
        payload = {**e.payload, **fields} if e.type == "identify" else \
            {**e.payload, "decided_by": body} if "decided_by" in e.payload else e.payload
        fresh = e._replace(stream_id=stream_id, payload=payload, prev_hash=prev)
        fresh = fresh._replace(hash=event_hash(fresh, prev))
        out.append(fresh)
        prev = fresh.hash
    return out


def _projected(c: Candidate, stream_id: str, who: dict[str, Any]) -> Candidate:
    return replace(c, id=stream_id, org=who["org"], full_name=who["full_name"], sex=who["sex"],
                   birth_date=date.fromisoformat(who["birth_date"]), ethnicity=who["ethnicity"],
                   religion=who["religion"], categories=tuple(who["categories"]))


def padded(events: list[Event], extra: int) -> list[Event]:
    """`extra` more comment collections (a residence cell answering again): allowed while vetted, they derive
    nothing, so the stream stays one the engine would have written; versions are renumbered."""
    last = max((i for i, e in enumerate(events) if e.type == "collect_comments"), default=None)
    if last is None or extra <= 0:
        return events
    longer = [*events[: last + 1], *[events[last]] * extra, *events[last + 1:]]
    return [e._replace(version=v) for v, e in enumerate(longer, start=1)]


def streams(size: int, orgs: list[dict[str, Any]], templates: Templates,
            seed: int = 6) -> Iterator[tuple[list[Event], Candidate]]:
    """`size` candidates, EVENTS_PER_CANDIDATE events each on average (exactly, when the log is large enough)."""
    rng, where, total = random.Random(seed), branches(orgs), 0
    for i in range(size):
        events, candidate = templates.get(rng.randrange(MONTHS), rng.random() < 0.05)
        events = padded(events, min(MAX_PADDING, EVENTS_PER_CANDIDATE * (i + 1) - total - len(events)))
        total += len(events)
        stream_id = f"c{i:07d}"
        who = person(rng, i, *where[rng.randrange(len(where))])
        yield clone(events, stream_id, who), replace(_projected(candidate, stream_id, who), version=len(events))


def build(engine: Engine, size: int, settings: Settings) -> tuple[int, int]:
    """The province's log: (candidates, events)."""
    orgs = org_rows(max(50, size // 25))
    templates = Templates(settings)
    first, _ = templates.get(0, False)
    rows: dict[str, list[dict[str, Any]]] = {"event": [], "candidate": [], "deadline": []}
    count = 0
    with engine.begin() as conn:
        conn.execute(ORGS.insert(), orgs)
        organisations.adopt_legacy(conn, NOW)  # rows written directly get their `created` events
        for events, candidate in streams(size, orgs, templates):
            rows["event"] += [event_to_row(e) for e in events]
            rows["candidate"].append(candidate_values(candidate, NOW))
            rows["deadline"] += deadline_values(candidate, candidate.deadlines)
            count += len(events)
            if len(rows["event"]) >= ROWS_PER_INSERT:
                _flush(conn, rows)
        _flush(conn, rows)
    return size, count


def _flush(conn: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    for table, batch in (("event", EVENTS), ("candidate", CANDIDATES), ("deadline", DEADLINES)):
        if rows[table]:
            conn.execute(batch.insert(), rows[table])
            rows[table] = []


# --- measurements -----------------------------------------------------------------------------------------------

def seconds(run: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def measure_report(engine: Engine, settings: Settings, events: int) -> list[list[Any]]:
    app = bootstrap(settings, engine=engine, clock=FixedClock())
    fold, folded = seconds(lambda: _rebuild(app))
    province, doc = seconds(lambda: admissions_report(app, "TINH", parse_period("2024")))
    commune, _ = seconds(lambda: admissions_report(app, "XA-07", parse_period("2024")))
    _record_more(app, 100)
    caught, doc = seconds(lambda: admissions_report(app, "TINH", parse_period("2024")))
    merged, _ = seconds(lambda: _restructure(app))
    after, again = seconds(lambda: admissions_report(app, "TINH", parse_period("2024")))
    assert {k: v for k, v in again.items() if k != "org"} == {k: v for k, v in doc.items() if k != "org"}
    successor, new = seconds(lambda: admissions_report(app, NEW_COMMUNE, parse_period("2025")))
    with engine.connect() as conn:
        plain, count = seconds(lambda: conn.execute(text(
            "SELECT count(*) FROM event WHERE type = 'decide_admission' "
            "AND effective_on BETWEEN '2024-01-01' AND '2024-12-31'")).scalar_one())
    assert count == doc["admissions"], (count, doc["admissions"])
    return [["read model: fold the whole log", f"{folded:,} candidates, {events:,} events", fold],
            ["admissions report, province, 2024", f"{doc['admissions']:,} admissions", province],
            ["admissions report, one commune, 2024", "", commune],
            ["report after 100 new steps", "", caught],
            ["restructuring: 2 communes merged into a new one (recorded)", "", merged],
            ["admissions report, province, 2024, after it (same figures)", "", after],
            ["admissions report, the new commune, 2025", f"{new['admissions']:,} admissions, "
             f"{new['predecessors']['admissions']:,} before it existed", successor],
            ["plain SQL: count decisions of 2024 (full scan)", f"{count:,} admissions", plain]]


NEW_COMMUNE = "XA-NEW"


def _restructure(app: Ketnap) -> None:
    """HD 31-HD/BTCTW: communes XA-01 and XA-02 end on 2025-07-01, merged into a commune founded that day."""
    on, issuer = date(2025, 7, 1), "Ban Thường vụ Tỉnh ủy"
    app.organisations.change([
        OrgChange("created", NEW_COMMUNE, on, "1-QĐ/TU", issuer, name="Đảng ủy xã mới", level="commune",
                  parent="TINH"),
        *(OrgChange("merged", old, on, "2-QĐ/TU", issuer, into=NEW_COMMUNE) for old in ("XA-01", "XA-02"))], "bench")


def _rebuild(app: Ketnap) -> int:
    with app.uow.transaction() as tx:
        return report_model.rebuild(tx.conn, app.clock.now())


def _record_more(app: Ketnap, n: int) -> None:
    for i in range(n):
        app.record_step(RecordStep(candidate_id=None, step="identify", on=TODAY, fields={
            "org": "CB-0001", "full_name": f"Mới {i}", "birth_date": "2000-01-01", "sex": "M",
            "education": "university"}))


# --- the import -------------------------------------------------------------------------------------------------

def import_rows(n: int) -> list[list[Any]]:
    """n rows at every stage of the demo path (dates spread over 200 days), in CB-0000 or CB-0001."""
    headers = {(c.step, c.field): i for i, c in enumerate(COLUMNS)}
    rows = []
    for i in range(n):
        cells: list[Any] = [None] * len(COLUMNS)
        steps = path(date(2023, 1, 1) + timedelta(days=i % 200))[: 1 + i % 20]
        for name, on, fields in steps:
            if name == "identify":
                fields = {**fields, "org": f"CB-000{i % 2}", "full_name": f"Người {i}", "sex": "Nữ",
                          "education": "THPT"}
            for key, value in _flat(fields, name == "decide_admission" or name == "recognise_official"):
                if (name, key) in headers:
                    cells[headers[name, key]] = date.fromisoformat(value) if key.endswith(("_on", "since")) \
                        or key in ("birth_date",) else value
            if (name, "on") in headers:
                cells[headers[name, "on"]] = on
        rows.append(cells)
    return rows


def _flat(fields: dict[str, Any], decides: bool) -> Iterator[tuple[str, Any]]:
    for key, value in fields.items():
        if key == "introducers":
            for n, who in enumerate(value):
                yield from ((f"introducers.{n}.{k}", v) for k, v in who.items())
        elif key == "decided_by" and decides:
            yield key, "XA-01"
        elif not isinstance(value, list):
            yield key, value.isoformat() if isinstance(value, date) else value


def measure_import(workdir: Path, settings: Settings, n: int) -> list[list[Any]]:
    engine = fresh_sqlite(workdir / "import.db")
    app = bootstrap(settings, engine=engine, clock=FixedClock())
    with engine.begin() as conn:
        conn.execute(ORGS.insert(), org_rows(0)[:3] + [
            {"code": "DU-01-1", "name": "Đảng ủy cơ sở", "level": "grassroots", "parent_code": "XA-01",
             "admits": False, "created_at": NOW}] + [
            {"code": f"CB-000{k}", "name": f"Chi bộ {k}", "level": "branch", "parent_code": "DU-01-1",
             "admits": False, "created_at": NOW} for k in (0, 1)])
        organisations.adopt_legacy(conn, NOW)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append([c.header for c in COLUMNS])
    for row in import_rows(n):
        ws.append(row)
    book.save(workdir / "import.xlsx")
    took, result = seconds(lambda: import_workbook(app, workdir / "import.xlsx"))
    return [[f"import {result.rows:,} rows ({result.events:,} events), one transaction", took,
             result.rows / took, result.events / took]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=50_000, help="candidates (20 events each)")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows of the import workbook")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)
    settings = load_settings()
    print(machine_line())
    with scratch_dir(args.keep) as workdir:
        engine = fresh_sqlite(workdir / "province.db")
        took, (candidates, events) = seconds(lambda: build(engine, args.size, settings))
        print(f"built {candidates:,} candidates, {events:,} events, {max(50, args.size // 25):,} organisations "
              f"in {took:.0f} s")
        print_table(["measured", "rows", "seconds"], measure_report(engine, settings, events))
        engine.dispose()
        if args.import_rows:
            print_table(["import", "seconds", "rows/s", "events/s"], measure_import(workdir, settings,
                                                                                  args.import_rows))


if __name__ == "__main__":
    main()
