"""A province's restructuring workbook applied in one transaction on SQLite, next to baselines measured in the
same run on the same database (issue 10: 1,000 organisations and 20,000 candidates in flight, under a minute).

    .venv/bin/python -m benchmarks.bench_restructure [--orgs 1000] [--candidates 20000] [--keep]

The province before 1 July 2025 (HD 31-HD/BTCTW): districts (one per 100 organisations), each with old communes,
grassroots committees (schools, agencies) and grassroots branches (chi bộ cơ sở), and branches under the communes
and committees. Every candidate is in flight (identified up to probationary), a clone of an engine-decided stream
under a new id and person, in a branch or a grassroots branch; their candidate and deadline rows are written too.

The workbook (`ketnap org restructure`'s own template, filled row by row): new communes directly under the
province; every grassroots committee and grassroots branch moved under one and renamed; the old communes merged
into them (their branches follow); in each district one branch split by candidates between two new branches (one
row per candidate); every district dissolved. About 900 rows for 1,000 organisations; every candidate changes
deciding committee. Measured:

- read: `read_plan` alone (opening the workbook, reading and checking every cell, grouping and ordering);
- baseline: plain sqlite3 in one transaction, rolled back: insert one `org_event` row per change and update the
  `candidate` and `deadline` rows of every candidate carried (what the transaction must write at least);
- one bad row: the same workbook with one more row, a merge into a commune the workbook creates a month later:
  refused, nothing written (the log, the organisation and candidate rows are compared before and after);
- dry run: the whole workbook judged and rolled back;
- apply: `apply_workbook`, the whole restructuring in one transaction.
"""

import argparse
import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import Engine, text

from benchmarks import common
from benchmarks.bench_reports import clone, person
from benchmarks.common import NOW, print_table
from states.candidate import Candidate, replay
from states.decide import decide
from states.events import Event
from states.step import Step
from storage import organisations
from storage.event_store import EVENTS, event_to_row
from storage.organisations import ORGS
from storage.projections import CANDIDATES, DEADLINES, candidate_values, deadline_values
from workflow.bootstrap import bootstrap
from workflow.config import Settings, load_settings
from workflow.restructure.columns import BY_FIELD
from workflow.restructure.template import DATA_SHEET, write_template
from workflow.restructure.workbook import WorkbookRefused, apply_workbook, read_plan
from workflow.service import Ketnap

ON, LATE = date(2025, 7, 1), date(2025, 8, 1)
DECISION, ISSUER = "1234-QĐ/TU", "Ban Thường vụ Tỉnh ủy"
START = date(2023, 9, 1)  # the standard path from here ends on 2025-04-18: every step before the restructuring
ROWS_PER_INSERT = 20_000


# --- the province -------------------------------------------------------------------------------------------------

@dataclass
class District:
    code: str
    communes: list[str] = field(default_factory=list)  # old communes (grassroots), merged into new ones
    committees: list[str] = field(default_factory=list)  # grassroots committees with branches, moved
    cells: list[str] = field(default_factory=list)  # grassroots branches (chi bộ cơ sở), moved
    branches: dict[str, list[str]] = field(default_factory=dict)  # parent -> its branches

    def new_communes(self) -> list[str]:
        return [f"XM-{self.code[2:]}-{k}" for k in range(1, (len(self.communes) + 2) // 3 + 1)]


def province(total: int) -> tuple[list[dict[str, Any]], list[District]]:
    """Exactly `total` organisations: the province, its districts and what is under them."""
    count = max(2, total // 100)
    budget = (total - 1) // count - 1
    rows = [("TINH", "Đảng bộ tỉnh", "province", None)]
    districts = []
    for d in range(1, count + 1):
        district = District(f"H-{d:02d}")
        rows.append((district.code, f"Đảng bộ huyện {d}", "upper", "TINH"))
        size = max(2, budget // 10)
        for kind, group, level in (("XA", district.communes, "grassroots"), ("DU", district.committees, "grassroots"),
                                   ("CS", district.cells, "grassroots")):
            for k in range(1, size + 1):
                code = f"{kind}-{d:02d}-{k:02d}"
                group.append(code)
                rows.append((code, f"{_kind_vi(kind)} {k} huyện {d}", level, district.code))
        districts.append(district)
    parents = [p for district in districts for p in (*district.communes, *district.committees)]
    owner = {p: district for district in districts for p in (*district.communes, *district.committees)}
    for k in range(total - len(rows)):
        parent = parents[k % len(parents)]
        code = f"CB-{k:04d}"
        owner[parent].branches.setdefault(parent, []).append(code)
        rows.append((code, f"Chi bộ {k}", "branch", parent))
    return [{"code": c, "name": n, "level": lv, "parent_code": p, "admits": False, "created_at": NOW}
            for c, n, lv, p in rows], districts


def _kind_vi(kind: str) -> str:
    return {"XA": "Đảng bộ xã", "DU": "Đảng bộ cơ quan", "CS": "Chi bộ cơ sở"}[kind]


def holders(districts: list[District]) -> list[tuple[str, str]]:
    """(an organisation that keeps candidates, the district that decides for it before the restructuring)."""
    found = []
    for district in districts:
        found += [(b, district.code) for branches in district.branches.values() for b in branches]
        found += [(c, district.code) for c in district.cells]
    return found


# --- candidates in flight -----------------------------------------------------------------------------------------

def templates(settings: Settings) -> list[tuple[list[Event], Candidate]]:
    """The standard path cut after each of its first 17 steps: in flight at every stage up to probationary."""
    rulebook, calendar = settings.rulebook(), settings.working_calendar()
    events: list[Event] = []
    found = []
    for name, on, fields in common.standard_path(START)[:-1]:
        step = Step(name, on, fields, NOW, "bench", common.org_facts(name))
        events = [*events, *decide(replay(events, stream_id="template"), step, rulebook.for_date(on), calendar)]
        found.append((events, replay(events)))
    return found


def add_candidates(conn: Any, size: int, districts: list[District], settings: Settings) -> dict[str, list[str]]:
    """`size` candidates spread over the branches; returns {branch: candidate ids}."""
    rng, where, paths = random.Random(10), holders(districts), templates(settings)
    rows: dict[str, list[dict[str, Any]]] = {"event": [], "candidate": [], "deadline": []}
    placed: dict[str, list[str]] = {}
    for i in range(size):
        org, body = where[i % len(where)]
        events, candidate = paths[rng.randrange(len(paths))]
        sid, who = f"c{i:07d}", person(rng, i, org, body)
        rows["event"] += [event_to_row(e) for e in clone(events, sid, who)]
        projected = replace(candidate, id=sid, org=org, full_name=who["full_name"], sex=who["sex"],
                            birth_date=date.fromisoformat(who["birth_date"]), ethnicity=who["ethnicity"],
                            religion=who["religion"], categories=tuple(who["categories"]))
        rows["candidate"].append(candidate_values(projected, NOW))
        rows["deadline"] += deadline_values(projected, projected.deadlines)
        placed.setdefault(org, []).append(sid)
        if len(rows["event"]) >= ROWS_PER_INSERT:
            _flush(conn, rows)
    _flush(conn, rows)
    return placed


def _flush(conn: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    for name, table in (("event", EVENTS), ("candidate", CANDIDATES), ("deadline", DEADLINES)):
        if rows[name]:
            conn.execute(table.insert(), rows[name])
            rows[name] = []


def build(engine: Engine, orgs: int, candidates: int, settings: Settings) -> tuple[list[District],
                                                                                  dict[str, list[str]]]:
    rows, districts = province(orgs)
    with engine.begin() as conn:
        conn.execute(ORGS.insert(), rows)
        organisations.adopt_legacy(conn, NOW)  # rows written directly get their `created` events
        placed = add_candidates(conn, candidates, districts, settings)
    return districts, placed


# --- the workbook -------------------------------------------------------------------------------------------------

def plan_rows(districts: list[District], placed: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The restructuring, one dict per row keyed by column field, district by district."""
    rows: list[dict[str, Any]] = []
    for district in districts:
        new = district.new_communes()
        rows += [{"code": c, "kind": "Thành lập", "name": f"Đảng bộ xã mới {c}", "level": "Xã/phường/đặc khu",
                  "parent": "TINH"} for c in new]
        for k, code in enumerate([*district.committees, *district.cells]):
            rows.append({"code": code, "kind": "Chuyển trực thuộc", "parent": new[k % len(new)]})
            rows.append({"code": code, "kind": "Đổi tên", "name": f"Đảng bộ {code} xã {new[k % len(new)]}"})
        rows += [{"code": c, "kind": "Hợp nhất", "successor": new[k // 3]} for k, c in enumerate(district.communes)]
        rows += _split(district, placed)
        rows.append({"code": district.code, "kind": "Giải thể"})
    return [{"on": ON, "decision": DECISION, "issuer": ISSUER, **row} for row in rows]


def _split(district: District, placed: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The first committee branch with candidates split between two new branches, one row per candidate."""
    split = next(((p, b) for p in district.committees for b in district.branches.get(p, []) if placed.get(b)), None)
    if split is None:
        return []
    parent, branch = split
    halves = [f"CB-{district.code[2:]}-T", f"CB-{district.code[2:]}-X"]
    return [*({"code": h, "kind": "Thành lập", "name": f"Chi bộ {h}", "level": "Chi bộ", "parent": parent}
              for h in halves),
            *({"code": branch, "kind": "Chia tách", "part": cid, "successor": halves[k % 2]}
              for k, cid in enumerate(placed[branch]))]


def bad_row(districts: list[District]) -> list[dict[str, Any]]:
    """A commune created a month late, and a branch merged into it on 1 July: the bad row."""
    late = {"code": "XM-LATE", "kind": "Thành lập", "name": "Xã lập muộn", "level": "Xã", "parent": "TINH",
            "on": LATE, "decision": DECISION}
    merge = {"code": districts[-1].branches[districts[-1].communes[-1]][0], "kind": "Hợp nhất",
             "successor": "XM-LATE", "on": ON, "decision": DECISION}
    return [late, merge]


def write_plan(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The shipped template, filled from row 2 (a committee office's workbook)."""
    write_template(path)
    book = load_workbook(path)
    ws = book[DATA_SHEET]
    column = {cell.value: cell.column for cell in ws[1]}
    for number, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(number, column[BY_FIELD[key].header]).value = value
    book.save(path)
    return path


# --- measurements -------------------------------------------------------------------------------------------------

def seconds(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def plain_writes(db: Path, changes: int, moves: list[tuple[str, str]]) -> None:
    """The least the transaction must write, with sqlite3 alone: one event row per change, then every carried
    candidate's row and deadlines; rolled back."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        payload = json.dumps({"decision": DECISION, "issuer": ISSUER, "parent": "TINH"}, ensure_ascii=False)
        conn.executemany("INSERT INTO org_event (stream_id, version, type, effective_on, recorded_at, actor, "
                         "rule_set, payload, derived, prev_hash, hash) VALUES (?, 2, 'moved', ?, ?, 'bench', 'org', "
                         "?, '{}', ?, ?)",
                         [(f"BASE-{i}", ON.isoformat(), NOW.isoformat(), payload, "0" * 64,
                           hashlib.sha256(f"{i}{payload}".encode()).hexdigest()) for i in range(changes)])
        conn.executemany("UPDATE candidate SET org = ? WHERE id = ?", [(org, cid) for cid, org in moves])
        conn.executemany("UPDATE deadline SET org = ? WHERE stream_id = ?", [(org, cid) for cid, org in moves])
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def state(engine: Engine) -> str:
    """A digest of the organisation log, the organisation rows and where every candidate is listed."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for query in ("SELECT position, hash FROM org_event ORDER BY position",
                      "SELECT code, name, parent_code, ended_on FROM organisation ORDER BY code",
                      "SELECT id, org FROM candidate ORDER BY id", "SELECT id, org FROM deadline ORDER BY id"):
            digest.update(repr(conn.execute(text(query)).all()).encode())
    return digest.hexdigest()


def measure(app: Ketnap, db: Path, workdir: Path, districts: list[District],
            placed: dict[str, list[str]]) -> list[list[Any]]:
    rows = plan_rows(districts, placed)
    good = write_plan(workdir / "plan.xlsx", rows)
    bad = write_plan(workdir / "bad.xlsx", [*rows, *bad_row(districts)])
    read, (_, _, plan) = seconds(lambda: read_plan(good))
    before = state(app.engine)
    refused, problems = seconds(lambda: _refused(app, bad))
    assert state(app.engine) == before, "a refused workbook wrote something"
    dry, trial = seconds(lambda: apply_workbook(app, good, dry_run=True, actor="bench"))
    assert state(app.engine) == before, "a dry run wrote something"
    moves = [(m.id, m.to_org) for m in trial.result.moved]
    baseline, _ = seconds(lambda: plain_writes(db, len(plan), moves))
    took, applied = seconds(lambda: apply_workbook(app, good, actor="bench"))
    _check(app, districts, applied.result.moved)
    carried = sum(m.to_org != m.from_org for m in applied.result.moved)
    print(f"workbook: {len(rows):,} rows, {len(plan):,} changes; {len(applied.result.moved):,} candidates with a new "
          f"deciding committee, {carried:,} of them carried to a new branch; the bad row: {problems}")
    return [["read the workbook alone (read_plan)", f"{len(rows):,} rows", read, read / baseline],
            ["baseline: plain sqlite3 writes, rolled back", f"{len(plan):,} + {len(moves):,} rows", baseline, 1.0],
            ["one bad row: refused, nothing written", f"{len(rows) + 2:,} rows", refused, refused / baseline],
            ["dry run (judged, rolled back)", f"{len(plan):,} changes", dry, dry / baseline],
            ["apply: one transaction", f"{len(plan):,} changes", took, took / baseline]]


def _refused(app: Ketnap, path: Path) -> str:
    try:
        apply_workbook(app, path, actor="bench")
    except WorkbookRefused as err:
        return "; ".join(f"{p.sheet}!{p.column}{p.row} {p.violation.rule}" for p in err.problems)
    raise SystemExit("the workbook with a bad row was applied")


def _check(app: Ketnap, districts: list[District], moved: list[Any]) -> None:
    """Not timed: a run is only worth reporting if the restructuring happened as planned."""
    tree = app.organisations.tree(ON)
    assert all(tree.living(d.code) is None for d in districts), "a district survived"
    assert all(tree.upper(c) in d.new_communes() for d in districts for c in d.committees), "a committee not moved"
    with app.engine.connect() as conn:
        orgs = dict(conn.execute(text("SELECT id, org FROM candidate")).all())
    assert all(orgs[m.id] == m.to_org for m in moved), "a candidate was not carried"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=1000, help="organisations in the province")
    parser.add_argument("--candidates", type=int, default=20_000, help="candidates in flight")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and workbooks")
    args = parser.parse_args(argv)
    settings = load_settings()
    print(common.machine_line())
    with common.scratch_dir(args.keep) as workdir:
        db = workdir / "province.db"
        engine = common.fresh_sqlite(db)
        took, (districts, placed) = seconds(lambda: build(engine, args.orgs, args.candidates, settings))
        print(f"built {args.orgs:,} organisations ({len(districts)} districts), {args.candidates:,} candidates in "
              f"flight in {took:.0f} s")
        app = bootstrap(settings, engine=engine, clock=common.FixedClock())
        print_table(["measured", "size", "seconds", "ratio to baseline"],
                    measure(app, db, workdir, districts, placed))
        engine.dispose()


if __name__ == "__main__":
    main()
