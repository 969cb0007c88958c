"""A realistic population, written fast on SQLite or PostgreSQL: the shared builder of the scale benchmarks
(benchmarks/national.py; a province is the same tree with one province).

What the step path writes, and nothing else: each candidate's events (decided by the engine, with their hash
chain), its candidate row, its deadline rows and its report row (`Batch.add`, the one place the benchmarks'
builders make a stream's rows: benchmarks/bench_web.py uses it too); the organisation tree's log is the one
`ketnap org add` would write (storage/organisations.py `append`, one transaction), and `audit verify` is clean
on the result.

- The tree: `tree(provinces, communes)`: each commune's party committee decides admissions; under it grassroots
  committees (not authorised to admit) with their branches, the shape of the demo's CB-GV (COMMUNE_SHAPE). At
  the national size: 34 provinces, 3,300 communes and wards, 9,900 grassroots committees, 39,600 branches.
- The histories: the standard path (benchmarks/common.py) started on the first of every month of the last
  `years` years, each decided once by the engine under the rules of its dates (`histories`). A candidate takes
  one of them, up to the steps dated before NOW (most go the whole way; a share stops earlier, so every stage
  is present, with overdue deadlines as in life), under its own stream, name and branch, with its own chain.
- The writer: `write` sends a batch (one transaction: events, candidates, deadlines, report rows) by COPY on
  PostgreSQL and by executemany on SQLite. The position is still drawn by the table's default, so appends made
  later by the step path follow on.
"""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import JSON, Engine, Table

from benchmarks.common import NOW, standard_path
from states.candidate import Candidate, replay
from states.decide import decide
from states.events import Event
from states.hashing import GENESIS, event_hash
from states.organisations import OrgHistory, competent_body
from states.report_facts import facts_of
from states.step import OrgFacts, Step
from storage import organisations
from storage.engine import json_dumps
from storage.event_store import EVENTS, event_to_row
from storage.organisations import Organisation
from storage.projections import CANDIDATES, DEADLINES, candidate_values, deadline_values
from storage.report_model import FACTS
from workflow.commands import AddOrganisation
from workflow.config import Settings
from workflow.organisations import creation_of
from workflow.service import Ketnap

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Thị", "Văn", "Hữu", "Minh", "Ngọc", "Thu", "Quốc", "Thanh", "Đức", "Mỹ"]
GIVEN = ["Hoà", "Khải", "Ánh", "Đạt", "Thuỷ", "Tuấn", "Hương", "Bình", "Cường", "Dung", "Lan", "Nam", "Quỳnh",
         "Sơn", "Trang", "Việt", "Yến", "Phúc", "Hải", "Linh"]
GRASSROOTS_PER_COMMUNE, BRANCHES_PER_GRASSROOTS = 3, 4
NATIONAL_PROVINCES, NATIONAL_COMMUNES = 34, 3_300
FOUNDED = date(2015, 1, 1)  # every organisation exists before the first history starts
BATCH = 5_000  # candidates per transaction of the bulk writer
COMPLETE_SHARE = 0.85  # candidates whose history goes as far as NOW allows; the others stopped earlier
SHAPE_COMMUNE, SHAPE_BRANCH = "XA-TL", "CB-GV"  # the template's deciding commune and branch (common.ORGS)


def person_name(rng: random.Random) -> str:
    """A Vietnamese full name drawn from the lists above."""
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@dataclass(frozen=True)
class Tree:
    orgs: list[AddOrganisation]
    branches: list[tuple[str, str]]  # (branch, the commune that decides for it)

    def provinces(self) -> list[str]:
        return [o.code for o in self.orgs if o.level == "province"]


def tree(provinces: int, communes: int) -> Tree:
    """`communes` spread over `provinces` (at least one each), each with its grassroots committees and branches."""
    orgs: list[AddOrganisation] = []
    branches: list[tuple[str, str]] = []
    for p in range(provinces):
        orgs.append(AddOrganisation(code=f"T{p:02d}", name=f"Tỉnh ủy số {p + 1}", level="province",
                                    on=FOUNDED))
    for c in range(max(communes, provinces)):
        province, commune = f"T{c % provinces:02d}", f"X{c:04d}"
        orgs.append(AddOrganisation(code=commune, name=f"Đảng ủy xã số {c + 1}", level="commune", parent=province,
                                    on=FOUNDED))
        for g in range(GRASSROOTS_PER_COMMUNE):
            grassroots = f"{commune}-D{g}"
            orgs.append(AddOrganisation(code=grassroots, name=f"Đảng ủy cơ sở {g + 1} xã {c + 1}",
                                        level="grassroots", parent=commune, on=FOUNDED))
            for b in range(BRANCHES_PER_GRASSROOTS):
                branch = f"{grassroots}-B{b}"
                orgs.append(AddOrganisation(code=branch, name=f"Chi bộ {b + 1}, cơ sở {g + 1} xã {c + 1}",
                                            level="branch", parent=grassroots, on=FOUNDED))
                branches.append((branch, commune))
    return Tree(orgs, branches)


def national_tree(scale: float) -> Tree:
    """The nation's tree from scale 0.1 up; below it, fewer communes in proportion (and fewer provinces once
    there are fewer communes than provinces)."""
    communes = max(1, round(NATIONAL_COMMUNES * min(1.0, scale * 10)))
    return tree(min(NATIONAL_PROVINCES, communes), communes)


def add_tree(app: Ketnap, built: Tree, actor: str = "bench") -> None:
    """The whole tree in one transaction: the organisation log `ketnap org add` writes (its events, chained) and
    the `organisation` rows, parents first. Not through `Organisations.change`, which judges each change against
    the tree carried forward and costs O(changes x organisations): 5,314 creations took 51 s on the machine of
    the README's table, the nation's 53,000 would take over an hour. `audit verify` re-checks the log."""
    changes = [creation_of(o) for o in built.orgs]
    latest = OrgHistory(changes).latest()
    with app.uow.transaction() as tx:
        organisations.append(tx.conn, changes, actor, NOW)
        tx.conn.execute(organisations.ORGS.insert(), [organisations.projected_values(latest.orgs[o.code])
                                                      | {"created_at": NOW} for o in built.orgs])
    app.uow.org_log.forget()


def _shape_facts(step: str) -> OrgFacts:
    """The organisation facts of the template's shape: a branch under a grassroots committee that does not
    admit, under the commune that decides (the same for every branch of `tree`)."""
    chain = [Organisation(SHAPE_BRANCH, "", "branch", "DU", False), Organisation("DU", "", "grassroots", SHAPE_COMMUNE,
                                                                                   False),
             Organisation(SHAPE_COMMUNE, "", "commune", "T", False), Organisation("T", "", "province", None, False)]
    body, required = competent_body(chain)
    if step == "identify":
        return OrgFacts(org_level="branch")
    if step in ("decide_admission", "recognise_official"):
        return OrgFacts(competent_body=body, committee_vote_required=required)
    return OrgFacts()


def histories(settings: Settings, years: int = 10) -> list[list[Event]]:
    """The standard path started on the first of each month of the last `years` years, decided by the engine,
    each cut at its last step dated before NOW; a start the rules of its date refuse is left out."""
    rulebook, calendar = settings.rulebook(), settings.working_calendar()
    today = NOW.date()
    out: list[list[Event]] = []
    first = date(today.year - years, today.month, 1)
    for month in range(years * 12):
        start = date(first.year + (first.month - 1 + month) // 12, (first.month - 1 + month) % 12 + 1, 1)
        events: list[Event] = []
        try:
            for name, on, fields in standard_path(start):
                if on > today:
                    break
                candidate = replay(events, stream_id="template")
                step = Step(name, on, {**fields, "org": SHAPE_BRANCH} if name == "identify" else fields, NOW,
                            "bench", _shape_facts(name))
                events.extend(decide(candidate, step, rulebook.for_date(on), calendar))
        except Exception:  # noqa: BLE001 - a start the rules refuse (before the first rule set) is not used
            continue
        if events:
            out.append(events)
    return out


def clone(template: Sequence[Event], stream_id: str, name: str, branch: str, commune: str) -> list[Event]:
    """The template's events under another stream, name, branch and deciding commune, with their own chain."""
    out, prev = [], GENESIS
    for e in template:
        payload = e.payload
        if e.type == "identify":
            payload = {**payload, "full_name": name, "org": branch}
        elif payload.get("decided_by") == SHAPE_COMMUNE:
            payload = {**payload, "decided_by": commune}
        moved = e._replace(stream_id=stream_id, payload=payload, prev_hash=prev)
        moved = moved._replace(hash=event_hash(moved, prev))
        out.append(moved)
        prev = moved.hash
    return out


@dataclass
class Batch:
    """Rows to write in one transaction, each stream's as a step leaves them (workflow/service.py: the events,
    storage/projections.py `project`, storage/report_model.py `store`)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def add(self, events: Sequence[Event]) -> Candidate:
        """One stream's events, candidate row, deadline rows and report row; returns the replayed candidate."""
        candidate = replay(events)
        self.events += [event_to_row(e) for e in events]
        self.candidates.append(candidate_values(candidate, NOW))
        self.deadlines += deadline_values(candidate, candidate.deadlines)
        self.facts.append(facts_of(events, candidate))
        return candidate

    def tables(self) -> list[tuple[Table, list[dict[str, Any]]]]:
        """(table, rows) in the order they are written: events first, as the step path does."""
        return [(EVENTS, self.events), (CANDIDATES, self.candidates), (DEADLINES, self.deadlines),
                (FACTS, self.facts)]


def candidates(built: Tree, templates: list[list[Event]], count: int, seed: int = 14, prefix: str = "n",
               batch: int = BATCH, branches: Sequence[tuple[str, str]] | None = None) -> Iterator[Batch]:
    """`count` candidates spread over the branches (or `branches`), `batch` at a time, as rows to write."""
    rng = random.Random(seed)
    where = list(branches or built.branches)
    for start in range(0, count, batch):
        out = Batch()
        for n in range(start, min(count, start + batch)):
            template = templates[rng.randrange(len(templates))]
            steps = len(template) if rng.random() < COMPLETE_SHARE else rng.randint(1, len(template))
            branch, commune = where[n % len(where)]
            name = person_name(rng)
            out.add(clone(template[:steps], f"{prefix}{n:07d}", name, branch, commune))
        yield out


def write(engine: Engine, batch: Batch) -> None:
    """One batch in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            for table, rows in batch.tables():
                if rows:
                    conn.execute(table.insert(), rows)
        return
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:  # type: ignore[attr-defined]
            for table, rows in batch.tables():
                _copy(cursor, table, rows)
        raw.commit()
    finally:
        raw.close()


def _copy(cursor: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY the rows' columns (the table's defaults fill the others, the position among them)."""
    if not rows:
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    json_columns = {c.name for c in columns if isinstance(c.type, JSON)}
    names = ", ".join(f'"{c.name}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json_dumps(row[c.name]) if c.name in json_columns and row[c.name] is not None
                            else row[c.name] for c in columns])


def count_rows(engine: Engine) -> tuple[int, int]:
    """(streams, events) in the database."""
    with engine.connect() as conn:
        streams = conn.exec_driver_sql("SELECT count(*) FROM candidate").scalar_one()
        events = conn.exec_driver_sql("SELECT count(*) FROM event").scalar_one()
    return int(streams), int(events)

