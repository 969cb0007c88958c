"""What every benchmark shares: a fixed clock, the standard path of one candidate, tables and timing.

The path is the demo's (workflow/demo.py): 18 steps from identification to recognition as an official member,
for a branch whose grassroots committee votes and whose commune committee decides, so every guard, derived
deadline and projection of the standard path runs. The tree is the demo's as it stands after 1 July 2025, given
as one without history (the demo itself also records the restructuring that led to it), so that the figures
stay comparable from release to release.
"""

import argparse
import gc
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from states.candidate import replay
from states.decide import decide
from states.events import Event
from states.organisations import competent_body
from states.step import OrgFacts, Step
from storage import migrate
from storage.engine import make_engine
from storage.organisations import Organisation
from workflow.bootstrap import bootstrap
from workflow.commands import AddOrganisation, RecordStep
from workflow.config import Settings, load_settings
from workflow.demo import PATH
from workflow.service import Ketnap

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # every step is recorded at this instant
START = date(2024, 6, 3)  # the first step's date; the last one (595 days later) is still before NOW
ORG = "CB-GV"  # a branch under a grassroots committee that votes; the commune committee XA-TL decides
ORGS = [
    AddOrganisation(code="TINH-QT", name="Tỉnh ủy Quảng Trị", level="province"),
    AddOrganisation(code="XA-TL", name="Đảng ủy xã Tân Lập", level="commune", parent="TINH-QT"),
    AddOrganisation(code="DU-THPT", name="Đảng ủy Trường THPT Tân Lập", level="grassroots", parent="XA-TL"),
    AddOrganisation(code="CB-GV", name="Chi bộ Giáo viên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CB-HS", name="Chi bộ Học sinh – Đoàn thanh niên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CB-THON1", name="Chi bộ thôn Khe Sanh", level="grassroots", parent="XA-TL"),
]
PERSON = {"org": ORG, "full_name": "Trần Ngọc Ánh", "birth_date": "1995-04-18", "sex": "F",
          "education": "upper_secondary", "youth_union": False, "categories": ["public_servant"]}


class FixedClock:
    def now(self) -> datetime:
        return NOW


def standard_path(start: date = START) -> list[tuple[str, date, dict[str, Any]]]:
    """(step, date, fields) for the 18 steps of the standard path, dated from `start`."""
    steps = []
    for name, offset, fields in PATH:
        values = {k: (start + timedelta(days=v)).isoformat() if k in ("issued_on", "received_on") else v
                  for k, v in fields.items()}
        steps.append((name, start + timedelta(days=offset), PERSON if name == "identify" else values))
    return steps


def candidate_paths(spread_days: int = 28) -> list[list[tuple[str, date, dict[str, Any]]]]:
    """One path per start day: candidate i follows `paths[i % len(paths)]`, so dates (and the working-day
    look-ups they cause) differ between candidates as they would in a real branch."""
    return [standard_path(START + timedelta(days=offset)) for offset in range(spread_days)]


def organisations() -> list[AddOrganisation]:
    return list(ORGS)


def org_facts(step: str, settings_orgs: Sequence[AddOrganisation] = ORGS) -> OrgFacts:
    """The facts `workflow.facts.facts_for` would look up for `step`, without a database."""
    by_code = {o.code: Organisation(o.code, o.name, o.level, o.parent, o.admits) for o in settings_orgs}
    chain: list[Organisation] = []
    code: str | None = ORG
    while code is not None:
        chain.append(by_code[code])
        code = by_code[code].parent_code
    body, required = competent_body(chain)
    level = by_code[ORG].level if step == "identify" else None
    if step in ("decide_admission", "recognise_official"):
        return OrgFacts(org_level=level, competent_body=body, committee_vote_required=required)
    return OrgFacts(org_level=level)


def standard_events(settings: Settings, stream_id: str = "template") -> list[Event]:
    """The events of one candidate going through the standard path, decided by the engine itself."""
    rulebook, calendar = settings.rulebook(), settings.working_calendar()
    events: list[Event] = []
    for name, on, fields in standard_path():
        candidate = replay(events, stream_id=stream_id)
        step = Step(name, on, fields, NOW, "bench", org_facts(name))
        events.extend(decide(candidate, step, rulebook.for_date(on), calendar))
    return events


@contextmanager
def scratch_dir(keep: bool = False) -> Iterator[Path]:
    """A temporary directory on the same disk as /tmp, removed afterwards unless `keep`."""
    path = Path(tempfile.mkdtemp(prefix="ketnap-bench-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def scratch_postgres(server: str, keep: bool = False, name: str | None = None) -> Iterator[str]:
    """A database of its own on the PostgreSQL server at `server` (its URL is yielded), dropped afterwards
    unless `keep`; `name` instead of a random one (it must not exist yet)."""
    base = make_url(server)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = name or f"ketnap_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_engine(folder: Path, name: str, pg_server: str | None = None) -> Iterator[Engine]:
    """A migrated scratch database: a SQLite file in `folder`, or a database of its own on `pg_server`."""
    with scratch_postgres(pg_server) if pg_server else _no_server() as url:
        engine = make_engine(url) if url else fresh_sqlite(folder / name)
        if url:
            migrate.upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def _no_server() -> Iterator[None]:
    yield None


def fresh_sqlite(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


def app_on(engine: Engine, settings: Settings | None = None) -> Ketnap:
    app = bootstrap(settings or load_settings(), engine=engine, clock=FixedClock())
    for org in organisations():
        app.add_org(org)
    return app


def record_interleaved(app: Ketnap, candidates: int) -> int:
    """Every candidate takes step 1, then every candidate takes step 2, ...: one `record_step` (one
    transaction) per step, so each stream is loaded and replayed at every length from 1 to 18 events."""
    paths = candidate_paths()
    ids: list[str | None] = [None] * candidates
    for k in range(len(paths[0])):
        for i in range(candidates):
            name, on, fields = paths[i % len(paths)][k]
            result = app.record_step(RecordStep(candidate_id=ids[i], step=name, on=on, fields=fields,
                                                actor="bench"))
            ids[i] = result.candidate.id
    return candidates * len(paths[0])


def check_complete(engine: Engine, candidates: int) -> None:
    """Not a timed assertion: a run is only worth reporting if every candidate went the whole way."""
    steps = len(PATH)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*), count(DISTINCT stream_id) FROM event").one()
        official = conn.exec_driver_sql("SELECT count(*) FROM candidate WHERE stage = 'official'").scalar()
    if tuple(rows) != (candidates * steps, candidates) or official != candidates:
        raise SystemExit(f"engine run incomplete: {tuple(rows)} events/streams, {official} official")


@dataclass
class Sample:
    name: str
    operations: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds else float("inf")


def timed(name: str, run: Callable[[], int]) -> Sample:
    """Run once with the garbage collector as in production (enabled) and return operations and seconds."""
    gc.collect()
    started = time.perf_counter()
    operations = run()
    return Sample(name, operations, time.perf_counter() - started)


def run_threads(target: Callable[..., None], args: Sequence[tuple[Any, ...]]) -> float:
    """One thread per entry of `args` running `target(*entry)`, all started, then all joined; wall seconds."""
    threads = [threading.Thread(target=target, args=a) for a in args]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def median_rate(samples: Sequence[Sample]) -> float:
    return statistics.median(s.rate for s in samples)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain-text table that also reads as Markdown."""
    cells = [[str(h) for h in headers], *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print("| " + " | ".join(v.rjust(w) if _numeric(v) else v.ljust(w)
                                for v, w in zip(row, widths, strict=True)) + " |")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("x", "").replace("-", "").strip().isdigit()


def machine_line() -> str:
    import platform
    import sqlite3

    return (f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
            f"{platform.machine()} {platform.system()}")


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the median is compared")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    return parser
