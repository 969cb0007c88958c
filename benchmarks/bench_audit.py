"""`audit verify` over a large log, next to a plain `sqlite3` scan of the same table hashing each row, both
measured in the same run on the same file (issue 4).

    .venv/bin/python -m benchmarks.bench_audit [--size 1000000] [--workers 1 auto] [--keep]

The log is built fast: one candidate goes through the standard path (18 steps, decided by the engine), then
its events are cloned under new stream ids with their hash chains recomputed, and its candidate and deadline
rows are cloned with them, so every clone is a valid history that verifies clean.

- verify: `workflow.audit.verify` in a fresh process: read every stream, recompute every hash chain, re-judge
  every step under the rule set of its date with the organisation facts, replay, compare the candidate and
  deadline rows. Peak RSS is sampled at 10 %, 50 % and 100 % of the events: flat means memory does not grow
  with the log. `--workers N` runs it with N processes; `auto` as `Verifier.run(workers=None)` sizes it
  (`default_workers`: one per CPU for a log of EVENTS_PER_WORKER events per process or more).
- baseline: plain `sqlite3`, `SELECT * FROM event`, SHA-256 over each row's columns, in a fresh process and
  a single thread.
Target: verify >= 1/4 of the baseline's events per second, judged on the `auto` run: that is what
`ketnap audit verify` does without `--workers` (one process per CPU for a log this size). The single-process
run is printed beside it, both against the same single-threaded baseline.
"""

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import app_on, fresh_sqlite, machine_line, print_table, scratch_dir, standard_events
from states.candidate import replay
from states.events import Event
from states.hashing import GENESIS, event_hash
from storage.event_store import EVENTS, event_to_row
from storage.projections import project
from workflow.config import load_settings

TEMPLATE = "template"
ROWS_PER_INSERT = 20_000


def _rechained(template: list[Event], stream_id: str) -> list[tuple[str, str]]:
    """(prev_hash, hash) of the template's events under another stream id."""
    out, prev = [], GENESIS
    for e in template:
        digest = event_hash(e._replace(stream_id=stream_id), prev)
        out.append((prev, digest))
        prev = digest
    return out


def build(path: Path, size: int) -> tuple[int, int]:
    """A log of about `size` events: (candidates, events)."""
    settings = load_settings()
    engine = fresh_sqlite(path)
    app_on(engine, settings)
    template = standard_events(settings, TEMPLATE)
    with engine.begin() as conn:
        conn.execute(EVENTS.insert(), [event_to_row(e) for e in template])
        project(conn, replay(template), None, template[-1].recorded_at)
    engine.dispose()
    clones = max(1, size // len(template)) - 1
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    _clone(con, template, clones)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return clones + 1, (clones + 1) * len(template)


def _raw(con: sqlite3.Connection, table: str, key: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = con.execute(f"SELECT * FROM {table} WHERE {key} = ? ORDER BY 1", (TEMPLATE,))  # noqa: S608
    return [d[0] for d in cursor.description], cursor.fetchall()


def _clone(con: sqlite3.Connection, template: list[Event], clones: int) -> None:
    """Copy the template's rows as stored (same text for dates and JSON), changing ids and hashes."""
    ecols, erows = _raw(con, "event", "stream_id")
    ccols, crows = _raw(con, "candidate", "id")
    dcols, drows = _raw(con, "deadline", "stream_id")
    ei = {c: i for i, c in enumerate(ecols)}
    insert = {t: f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
              for t, cols in (("event", ecols), ("candidate", ccols), ("deadline", dcols))}
    events: list[tuple[Any, ...]] = []
    others: dict[str, list[tuple[Any, ...]]] = {"candidate": [], "deadline": []}
    for n in range(1, clones + 1):
        sid = f"c{n:07d}"
        for row, (prev, digest) in zip(erows, _rechained(template, sid), strict=True):
            values = list(row)
            values[ei["position"]] = None
            values[ei["stream_id"]], values[ei["prev_hash"]], values[ei["hash"]] = sid, prev, digest
            events.append(tuple(values))
        others["candidate"] += [(sid, *r[1:]) for r in crows]
        others["deadline"] += [(None, sid, *r[2:]) for r in drows]
        if len(events) >= ROWS_PER_INSERT or n == clones:
            con.executemany(insert["event"], events)
            for table, rows in others.items():
                con.executemany(insert[table], rows)
            events, others = [], {"candidate": [], "deadline": []}


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_verify(path: Path, workers: int | None = 1) -> dict[str, Any]:
    """`workers` None: as many processes as `default_workers` picks for the log."""
    from storage.engine import make_engine
    from workflow.audit.verify import Scope, Verifier, default_workers, snapshot

    settings = load_settings()
    engine = make_engine(f"sqlite:///{path}")
    samples: dict[str, float] = {"start": _rss_mib()}
    with snapshot(engine) as conn:
        verifier = Verifier(conn, settings.rulebook(), settings.working_calendar(), Scope())
        total, seen = verifier.total(), [0]
        processes = workers if workers is not None else default_workers(total)
        marks = [(0.1, "10%"), (0.5, "50%")]

        def progress(n: int) -> None:
            seen[0] += n
            while marks and seen[0] >= marks[0][0] * total:
                samples[marks.pop(0)[1]] = _rss_mib()

        started = time.perf_counter()
        report = verifier.run(progress, processes)
        seconds = time.perf_counter() - started
    samples["100%"] = _rss_mib()
    if processes > 1:  # this process and its workers did the work: the largest peak of any of them
        samples = {"100%": max(samples["100%"], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    return {"events": report.events, "seconds": seconds, "ok": report.ok, "findings": len(report.findings),
            "rss_mib": samples, "processes": processes}


def child_baseline(path: Path) -> dict[str, Any]:
    con = sqlite3.connect(path)
    started = time.perf_counter()
    rows = 0
    for row in con.execute("SELECT * FROM event"):
        hashlib.sha256("\x1f".join(map(str, row)).encode("utf-8")).hexdigest()
        rows += 1
    seconds = time.perf_counter() - started
    return {"events": rows, "seconds": seconds, "rss_mib": {"100%": _rss_mib()}}


def _in_child(kind: str, path: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_audit", "--child", kind, str(path)],  # noqa: S603
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="events in the log (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--workers", nargs="+", default=["1", "auto"], type=_workers,
                        help="verify runs, by process count; auto: as the audit sizes itself (default: 1 auto)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, db = args.child
        print(json.dumps(child_baseline(Path(db)) if kind == "baseline" else
                         child_verify(Path(db), _count(kind.removeprefix("verify")))))
        return
    print(machine_line())
    with scratch_dir(args.keep) as scratch:
        db = scratch / "audit.db"
        started = time.perf_counter()
        candidates, events = build(db, args.size)
        print(f"built {events:,} events for {candidates:,} candidates in {time.perf_counter() - started:.1f} s "
              f"({db.stat().st_size / 2**20:,.0f} MiB)")
        baseline = _in_child("baseline", db)
        runs = [(n, _in_child(f"verify{n}", db)) for n in args.workers]
    base = baseline["events"] / baseline["seconds"]
    rows = [["sqlite3 scan + SHA-256 (baseline, 1 thread)", baseline["events"], baseline["seconds"], base, 1.0,
             baseline["rss_mib"]["100%"]]]
    for asked, run in runs:
        if not run["ok"]:
            raise SystemExit(f"the cloned log did not verify clean: {run['findings']} finding(s)")
        rate = run["events"] / run["seconds"]
        rows.append([_label(asked, run["processes"]), run["events"], run["seconds"], rate, rate / base,
                     run["rss_mib"]["100%"]])
    print_table(["run", "events", "seconds", "events/s", "ratio to baseline", "peak RSS MiB"], rows)
    print("target: ratio >= 0.25, judged on the auto run (what `ketnap audit verify` does without --workers); "
          + "; ".join(f"{r[0]}: {'met' if r[4] >= 0.25 else 'NOT met'} (1/{1 / r[4]:.1f})" for r in rows[1:]))
    single = next((run for asked, run in runs if run["processes"] == 1), None)
    if single is not None:
        print("single-process verify peak RSS MiB at " + ", ".join(f"{k} {v:.0f}" for k, v in single["rss_mib"]
                                                                  .items())
              + " of the events (flat = memory does not grow with the log)")


def _workers(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) >= 1):
        raise argparse.ArgumentTypeError("a process count (1, 2, ...) or auto")
    return value


def _count(value: str) -> int | None:
    return None if value == "auto" else int(value or 1)


def _label(asked: str, processes: int) -> str:
    many = f"{processes} process{'es' if processes > 1 else ''}"
    return f"audit verify, auto: {many} ({os.cpu_count()} CPUs)" if asked == "auto" else f"audit verify, {many}"


if __name__ == "__main__":
    main()
