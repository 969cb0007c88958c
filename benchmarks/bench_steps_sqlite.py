"""Steps per second through the engine on a SQLite file, next to two baselines measured in the same run.

    .venv/bin/python -m benchmarks.bench_steps_sqlite [--candidates 200] [--repeat 3] [--warmup 1]

- engine: `Ketnap.record_step` with a fixed clock, one step per transaction (WAL, synchronous=NORMAL), the whole
  path: load and replay the stream, guards, hash, event, candidate and deadline projections. Candidates are
  interleaved: every candidate takes step 1, then every candidate takes step 2, ... so streams grow to 18 events
  and the replay cost is included.
- (a) plain `sqlite3`: one event row per transaction into the same `event` table with the same pragmas.
- (b) the `eventsourcing` library: the same load-command-save per step on its SQLite store, once with our
  pragma (synchronous=NORMAL, the fair comparison the target uses) and once with the library's default.
- floor: the engine's own statements, caught with their parameters in a run of its own, sent again through
  bare sqlite3: what the SQL of a step costs with no Python of ours.
Every variant first runs `--warmup` unmeasured rounds (the process's first imports, compiled statements,
the holiday tables), then `--repeat` measured ones, each on a fresh file; medians are compared.
Targets (issue 2): engine >= 1/5 of (a) and >= 1.5 x (b).
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event as sa_event

from benchmarks.common import (
    Sample,
    app_on,
    base_parser,
    candidate_paths,
    check_complete,
    fresh_sqlite,
    machine_line,
    median_rate,
    print_table,
    record_interleaved,
    scratch_dir,
    standard_events,
    timed,
)
from states.events import Event
from storage.driver_sql import DriverStatement
from storage.engine import SQLITE_PRAGMAS
from storage.event_store import event_to_row
from storage.tables import EventRow
from workflow.config import Settings, load_settings

ENGINE = "engine (Ketnap.record_step)"
PLAIN = "(a) plain sqlite3, 1 event row/txn"
FLOOR = "floor: the engine's own SQL via sqlite3"
ES_NORMAL = "(b) eventsourcing, synchronous=NORMAL"
ES_DEFAULT = "eventsourcing, library default (FULL)"


def engine_steps(workdir: Path, run: int, candidates: int, settings: Settings) -> Callable[[], int]:
    engine = fresh_sqlite(workdir / f"engine-{run}.db")
    app = app_on(engine, settings)

    def go() -> int:
        steps = record_interleaved(app, candidates)
        check_complete(engine, candidates)
        engine.dispose()
        return steps

    return go


def _row_params(template: list[Event], candidates: int) -> list[tuple[Any, ...]]:
    """One event-like row per step, interleaved like the engine run, with the real events' JSON."""
    import json

    params = []
    for event in template:
        row = event_to_row(event)
        for i in range(candidates):
            params.append((f"plain-{i:06d}", event.version, row["type"], row["effective_on"].isoformat(),
                           row["recorded_at"].strftime("%Y-%m-%d %H:%M:%S.%f"), row["actor"], row["rule_set"],
                           json.dumps(row["payload"]), json.dumps(row["derived"]), row["prev_hash"],
                           row["hash"]))
    return params


def _plain_connection(db: Path) -> sqlite3.Connection:
    """sqlite3 in autocommit mode (we write BEGIN and COMMIT) with the engine's pragmas."""
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    return conn


def plain_inserts(workdir: Path, run: int, candidates: int, template: list[Event]) -> Callable[[], int]:
    db = workdir / f"plain-{run}.db"
    fresh_sqlite(db).dispose()  # the same schema and indexes as the engine's
    params = _row_params(template, candidates)
    table = EventRow.__tablename__
    sql = (f"INSERT INTO {table} (stream_id, version, type, effective_on, recorded_at, actor, rule_set, payload,"
           " derived, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

    def go() -> int:
        conn = _plain_connection(db)
        for row in params:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, row)
            conn.execute("COMMIT")
        conn.close()
        return len(params)

    return go


Statement = tuple[str, Any, bool]  # SQL, its parameters (a list of them for executemany), many


@contextmanager
def _caught(engine: Engine) -> Iterator[list[Statement]]:
    """Every statement the engine sends to the driver, with its parameters: the compiled driver statements
    (storage/driver_sql.py) and Core's, and each COMMIT."""
    caught: list[Statement] = []
    execute, executemany = DriverStatement.execute, DriverStatement.executemany

    def on_execute(self: DriverStatement, conn: Any, values: Any, autobegin: bool = True) -> Any:
        caught.append((self.sql, self._params(values), False))
        return execute(self, conn, values, autobegin)

    def on_executemany(self: DriverStatement, conn: Any, rows: Any) -> None:
        caught.append((self.sql, [self._params(r) for r in rows], True))
        executemany(self, conn, rows)

    def on_core(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
        caught.append((sql, params, many))

    def on_commit(_conn: Any) -> None:
        caught.append(("COMMIT", (), False))

    sa_event.listen(engine, "before_cursor_execute", on_core)
    sa_event.listen(engine, "commit", on_commit)
    DriverStatement.execute, DriverStatement.executemany = on_execute, on_executemany  # type: ignore[method-assign]
    try:
        yield caught
    finally:
        DriverStatement.execute, DriverStatement.executemany = execute, executemany  # type: ignore[method-assign]
        sa_event.remove(engine, "before_cursor_execute", on_core)
        sa_event.remove(engine, "commit", on_commit)


def engine_sql_replayed(workdir: Path, run: int, candidates: int, settings: Settings) -> Callable[[], int]:
    """Floor: the statements the engine sent to SQLite in a run of its own, with their parameters, sent again
    through plain sqlite3 (prepared once, as the engine's are) on a fresh file with the same pragmas: the
    engine's SQL with no Python work but the driver's."""
    engine = fresh_sqlite(workdir / f"capture-{run}.db")
    with _caught(engine) as caught:
        app = app_on(engine, settings)
        first = len(caught)
        record_interleaved(app, candidates)
    setup = [c for c in caught[:first] if c[0].startswith("INSERT INTO organisation")]
    work = caught[first:]
    engine.dispose()
    db = workdir / f"floor-{run}.db"
    fresh_sqlite(db).dispose()

    def go() -> int:
        conn = _plain_connection(db)
        conn.execute("BEGIN")
        for sql, params, _ in setup:
            conn.execute(sql, params)
        conn.execute("COMMIT")
        commits = 0
        for sql, params, many in work:
            if many:
                conn.executemany(sql, params)
            else:
                conn.execute(sql, params).fetchall()
            commits += sql == "COMMIT"
        conn.close()
        return commits

    return go


def eventsourcing_steps(workdir: Path, run: int, candidates: int, normal: bool) -> Callable[[], int]:
    from contextlib import nullcontext

    from benchmarks.es_baseline import open_app, synchronous_normal

    paths = candidate_paths()
    db = workdir / f"es-{'normal' if normal else 'default'}-{run}.db"

    def go() -> int:
        with synchronous_normal() if normal else nullcontext():
            app = open_app(db)
            ids = [app.identify(paths[i % len(paths)][0][1], paths[i % len(paths)][0][2])
                   for i in range(candidates)]
            for k in range(1, len(paths[0])):
                for i, candidate_id in enumerate(ids):
                    name, on, fields = paths[i % len(paths)][k]
                    app.record(candidate_id, name, on, fields)
            final: int = app.repository.get(ids[-1]).version
            app.close()
        if final != len(paths[0]):
            raise SystemExit(f"eventsourcing run incomplete: version {final}")
        return candidates * len(paths[0])

    return go


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200, help="candidates, 18 steps each (default 200)")
    parser.add_argument("--no-es-default", action="store_true", help="skip the library-default eventsourcing run")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds of every variant first, so that no "
                        "variant's median carries the process's first imports and caches (default 1)")
    args = parser.parse_args(argv)
    settings = load_settings()
    template = standard_events(settings)
    steps = args.candidates * len(template)
    print(f"## Steps on SQLite: {args.candidates} candidates x {len(template)} steps = {steps:,} steps per run, "
          f"{args.repeat} runs each after {args.warmup} warm-up round(s), interleaved\n{machine_line()}\n")
    samples: dict[str, list[Sample]] = {ENGINE: [], PLAIN: [], FLOOR: [], ES_NORMAL: [], ES_DEFAULT: []}
    with scratch_dir(args.keep) as workdir:
        for run in range(-args.warmup, args.repeat):  # negative runs warm every variant up and are not kept
            kept = samples if run >= 0 else {name: [] for name in samples}
            kept[PLAIN].append(timed(PLAIN, plain_inserts(workdir, run, args.candidates, template)))
            kept[ENGINE].append(timed(ENGINE, engine_steps(workdir, run, args.candidates, settings)))
            kept[FLOOR].append(timed(FLOOR, engine_sql_replayed(workdir, run, args.candidates, settings)))
            kept[ES_NORMAL].append(timed(ES_NORMAL, eventsourcing_steps(workdir, run, args.candidates, True)))
            if not args.no_es_default:
                kept[ES_DEFAULT].append(timed(ES_DEFAULT, eventsourcing_steps(workdir, run, args.candidates,
                                                                              False)))
    rates = {name: median_rate(s) for name, s in samples.items() if s}
    engine = rates[ENGINE]
    rows = [(name, rate, max(s.rate for s in samples[name]), f"{engine / rate:.2f}x")
            for name, rate in rates.items()]
    print_table(["variant", "per second (median)", "best", "engine / variant"], rows)
    print(f"\ntarget >= 1/5 of (a): engine is 1/{rates[PLAIN] / engine:.1f} of (a) -> "
          f"{'met' if engine * 5 >= rates[PLAIN] else 'NOT met'}")
    print(f"target >= 1.5 x (b): engine is {engine / rates[ES_NORMAL]:.2f} x (b) -> "
          f"{'met' if engine >= 1.5 * rates[ES_NORMAL] else 'NOT met'}")
    if ES_DEFAULT in rates:
        print(f"against the library's default settings: engine is {engine / rates[ES_DEFAULT]:.2f} x")
    print(f"the engine's SQL alone (floor) is 1/{rates[PLAIN] / rates[FLOOR]:.1f} of (a); the engine reaches "
          f"{engine / rates[FLOOR]:.0%} of its floor")
    return rates


if __name__ == "__main__":
    main()
