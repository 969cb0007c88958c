"""One reminder sweep over a large `deadline` table with about 1 % of the deadlines owing a reminder, next to
the bare indexed query that reads the same rows, both measured in the same run on the same database (issue 3).

    .venv/bin/python -m benchmarks.bench_sweep [--size 1000000] [--due-fraction 0.01] [--pg URL] [--keep]

The table holds `size` deadlines, one per candidate, of every kind: `due-fraction` of them are open and fall
within the sweep's horizon (overdue or due within 30 days, so each owes a reminder); the rest are either closed
or open but due years ahead, outside the horizon. Measured:

- baseline: `SELECT id, kind, due_on, opened_on, org, stream_id FROM deadline WHERE status = 'open' AND
  due_on <= :horizon`, all rows fetched (the `ix_deadline_open_due` index).
- sweep: `workflow.reminders.sweep` on an empty outbox: the same read in keyset chunks, the policy of each
  deadline, the existing-key check and the inserts of the outbox rows (the digest is left out).
- re-sweep: the same sweep again when everything owed is already written (what every 5-minute run costs).
Time is wall clock; memory is the tracemalloc peak of a separate run of the same operation.
"""

import argparse
import random
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select, text

from benchmarks.common import NOW, app_on, machine_line, print_table, scratch_dir, scratch_engine, timed
from states.derive import ALL_KINDS
from storage.outbox import OUTBOX
from storage.projections import DEADLINES
from workflow.config import Settings, load_settings
from workflow.reminders import sweep

ROWS_PER_INSERT = 50_000
ORGS = ("CB-GV", "CB-HS", "CB-THON1")
TODAY = date(2026, 11, 20)  # NOW's date in Hanoi


def deadline_rows(size: int, due_fraction: float, seed: int = 3) -> Any:
    """Yield the deadline rows in chunks; exactly round(size * due_fraction) of them owe a reminder now."""
    rng = random.Random(seed)
    due = round(size * due_fraction)
    chunk = []
    for i in range(size):
        if i % max(size // due, 1) == 0 and i // max(size // due, 1) < due:
            status, due_on = "open", TODAY + timedelta(days=rng.randint(-20, 29))  # inside the horizon
        elif rng.random() < 0.5:
            status, due_on = "closed", TODAY - timedelta(days=rng.randint(1, 3000))
        else:
            status, due_on = "open", TODAY + timedelta(days=rng.randint(120, 1800))  # years ahead
        chunk.append({"stream_id": f"c{i:08d}", "org": ORGS[i % len(ORGS)], "kind": ALL_KINDS[i % len(ALL_KINDS)],
                      "due_on": due_on, "opened_on": due_on - timedelta(days=60), "status": status,
                      "closed_on": due_on if status == "closed" else None,
                      "closed_by": "bench" if status == "closed" else None, "rule_set": "qd294-2025",
                      "calendar": "bench"})
        if len(chunk) == ROWS_PER_INSERT:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build(engine: Engine, settings: Settings, size: int, due_fraction: float) -> None:
    app_on(engine, settings)
    for chunk in deadline_rows(size, due_fraction):
        with engine.begin() as conn:
            conn.execute(DEADLINES.insert(), chunk)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE deadline"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def bare_query(engine: Engine, horizon: date) -> int:
    query = (select(DEADLINES.c.id, DEADLINES.c.kind, DEADLINES.c.due_on, DEADLINES.c.opened_on, DEADLINES.c.org,
                    DEADLINES.c.stream_id).where(DEADLINES.c.status == "open", DEADLINES.c.due_on <= horizon))
    with engine.connect() as conn:
        return len(conn.execute(query).all())


def peak_mib(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def clear_outbox(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(OUTBOX))


def measure(engine: Engine, settings: Settings) -> list[list[Any]]:
    r, calendar = settings.reminders, settings.working_calendar()
    horizon = TODAY + timedelta(days=r.horizon_days)
    results: dict[str, Any] = {}

    def run_sweep() -> int:
        return sweep(engine, r, calendar, NOW, digests=False).created

    bare = timed("bare query", lambda: bare_query(engine, horizon))
    clear_outbox(engine)
    first = timed("sweep", run_sweep)
    report = sweep(engine, r, calendar, NOW, digests=False)
    again = timed("re-sweep", lambda: sweep(engine, r, calendar, NOW, digests=False).deadlines)
    results["bare_mib"] = peak_mib(lambda: bare_query(engine, horizon))
    clear_outbox(engine)
    results["sweep_mib"] = peak_mib(run_sweep)
    results["again_mib"] = peak_mib(lambda: sweep(engine, r, calendar, NOW, digests=False))
    assert report.created == 0, "a second sweep wrote nothing new"
    return [
        ["bare indexed query", f"{bare.operations:,} rows read", bare.seconds, 1.0, results["bare_mib"]],
        ["sweep (empty outbox)", f"{first.operations:,} reminders written", first.seconds,
         first.seconds / bare.seconds, results["sweep_mib"]],
        ["re-sweep (all written)", f"{again.operations:,} deadlines checked", again.seconds,
         again.seconds / bare.seconds, results["again_mib"]],
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="deadlines in the table")
    parser.add_argument("--due-fraction", type=float, default=0.01, help="share owing a reminder now")
    parser.add_argument("--pg", help="a PostgreSQL server URL; the benchmark creates and drops its own database")
    parser.add_argument("--keep", action="store_true", help="keep the scratch SQLite file")
    args = parser.parse_args(argv)
    settings = load_settings()
    with scratch_dir(args.keep) as folder, scratch_engine(folder, "sweep.db", args.pg) as engine:
        built = timed("build", lambda: build(engine, settings, args.size, args.due_fraction) or args.size)
        rows = measure(engine, settings)
    print(f"reminder sweep, {args.size:,} deadlines ({args.due_fraction:.1%} owing a reminder), "
          f"{engine.dialect.name}; {machine_line()}; table built in {built.seconds:.1f} s")
    print_table(["operation", "work", "seconds", "x bare query", "peak MiB (tracemalloc)"], rows)


if __name__ == "__main__":
    main()
