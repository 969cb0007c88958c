"""Steps per second through the engine on PostgreSQL, next to plain psycopg single-row commits in the same run.

    KETNAP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m benchmarks.bench_steps_postgres [--candidates 100] [--repeat 3]

The server URL comes from --url, else KETNAP_BENCH_DATABASE_URL, else KETNAP_TEST_DATABASE_URL; the benchmark
creates its own database there and drops it at the end. Without a URL it says so and exits.
- engine: `Ketnap.record_step` as in bench_steps_sqlite (one step per transaction, the whole path; the position
  default takes the append lock in shared mode, and no connection is pinged before use: issue 14). Steps from
  several `ketnap serve` processes at once are measured by benchmarks/national.py.
- baseline: plain psycopg, one connection, one INSERT of an event row into the same `event` table and one
  COMMIT per row, with the same row contents (the server's own durability settings for both).
"""

import json
import os
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from benchmarks.common import (
    Sample,
    app_on,
    base_parser,
    check_complete,
    machine_line,
    median_rate,
    print_table,
    record_interleaved,
    scratch_postgres,
    standard_events,
    timed,
)
from states.events import Event
from storage import migrate
from storage.engine import make_engine
from storage.event_store import event_to_row
from workflow.config import Settings, load_settings

ENGINE, PLAIN = "engine (Ketnap.record_step)", "plain psycopg, 1 row/commit"


def _empty(engine: Engine) -> None:
    """Every table empty (and sequences reset) between runs, so each run starts from the same database."""
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def engine_steps(engine: Engine, candidates: int, settings: Settings) -> Callable[[], int]:
    _empty(engine)
    app = app_on(engine, settings)

    def go() -> int:
        steps = record_interleaved(app, candidates)
        check_complete(engine, candidates)
        return steps

    return go


def plain_commits(engine: Engine, url: str, candidates: int, template: list[Event]) -> Callable[[], int]:
    _empty(engine)
    rows: list[tuple[Any, ...]] = []
    for event in template:
        row = event_to_row(event)
        rows.extend((f"plain-{i:06d}", event.version, row["type"], row["effective_on"], row["recorded_at"],
                     row["actor"], row["rule_set"], json.dumps(row["payload"]), json.dumps(row["derived"]),
                     row["prev_hash"], row["hash"]) for i in range(candidates))
    sql = ("INSERT INTO event (stream_id, version, type, effective_on, recorded_at, actor, rule_set, payload,"
           " derived, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::json, %s::json, %s, %s)")
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def go() -> int:
        with psycopg.connect(dsn) as conn:
            for row in rows:
                conn.execute(sql, row)
                conn.commit()
        return len(rows)

    return go


def server_url(explicit: str | None) -> str | None:
    return explicit or os.environ.get("KETNAP_BENCH_DATABASE_URL") or os.environ.get("KETNAP_TEST_DATABASE_URL")


def main(argv: list[str] | None = None) -> dict[str, float] | None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100, help="candidates, 18 steps each (default 100)")
    parser.add_argument("--url", help="PostgreSQL server URL (default: KETNAP_BENCH_DATABASE_URL, then "
                                      "KETNAP_TEST_DATABASE_URL)")
    args = parser.parse_args(argv)
    server = server_url(args.url)
    if not server:
        print("## Steps on PostgreSQL: skipped, set KETNAP_BENCH_DATABASE_URL (or KETNAP_TEST_DATABASE_URL)")
        return None
    settings = load_settings()
    template = standard_events(settings)
    steps = args.candidates * len(template)
    samples: dict[str, list[Sample]] = {ENGINE: [], PLAIN: []}
    with scratch_postgres(server) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
            commit_mode = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        print(f"## Steps on PostgreSQL {version} (synchronous_commit={commit_mode}): {args.candidates} candidates "
              f"x {len(template)} steps = {steps:,} steps per run, {args.repeat} runs each\n{machine_line()}\n")
        for _ in range(args.repeat):
            samples[PLAIN].append(timed(PLAIN, plain_commits(engine, url, args.candidates, template)))
            samples[ENGINE].append(timed(ENGINE, engine_steps(engine, args.candidates, settings)))
        engine.dispose()
    rates = {name: median_rate(s) for name, s in samples.items()}
    print_table(["variant", "per second (median)", "best", "engine / variant"],
                [(name, rate, max(s.rate for s in samples[name]), f"{rates[ENGINE] / rate:.2f}x")
                 for name, rate in rates.items()])
    print(f"\nengine is 1/{rates[PLAIN] / rates[ENGINE]:.1f} of plain psycopg single-row commits")
    return rates


if __name__ == "__main__":
    main()
