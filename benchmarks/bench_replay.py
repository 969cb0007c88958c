"""Replaying every candidate from the log: candidates per second and peak memory, next to a plain `sqlite3` scan.

    .venv/bin/python -m benchmarks.bench_replay [--sizes 2500,5000,10000]
    .venv/bin/python -m benchmarks.bench_replay --sizes 25000,50000,100000      # the issue's sizes

The log is built quickly: one candidate's 18 events are decided once by the engine (the standard path), then
cloned under new stream ids with the hash chain recomputed, and appended through `event_store.append` in
large transactions. Each size replays the first N candidates of the same log with `iter_streams` (batches
of events ordered by stream and version) and `replay`. Peak memory is measured by tracemalloc in a second,
separate pass (tracemalloc slows Python down, so the timed pass runs without it); it must not grow with N.
"""

import resource
import sqlite3
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.common import base_parser, fresh_sqlite, machine_line, print_table, scratch_dir, standard_events
from states.candidate import replay
from states.events import Event
from states.hashing import event_hash
from storage import event_store
from workflow.config import load_settings

CHUNK = 1000  # candidates per transaction while building the log


def clone(template: list[Event], stream_id: str) -> list[Event]:
    """The template's events under another stream id, each hash recomputed so the chain verifies."""
    events, prev = [], ""
    for e in template:
        fields = (stream_id, e.version, e.type, e.effective_on, e.recorded_at, e.actor, e.rule_set, e.payload,
                  e.derived, prev)
        prev = event_hash(Event(*fields), prev)
        events.append(Event(*fields, hash=prev))
    return events


def build_log(engine: Engine, candidates: int, template: list[Event]) -> float:
    started = time.perf_counter()
    for first in range(0, candidates, CHUNK):
        with engine.begin() as conn:
            for i in range(first, min(first + CHUNK, candidates)):
                event_store.append(conn, clone(template, f"c{i:07d}"), expected_version=0)
    return time.perf_counter() - started


def replay_engine(engine: Engine, limit: int, batch: int) -> tuple[int, int]:
    """Replay the first `limit` candidates; only a Counter of stages survives each one."""
    stages: Counter[str] = Counter()
    events = 0
    with engine.connect() as conn:
        for stream in event_store.iter_streams(conn, batch=batch):
            candidate = replay(stream)
            stages[candidate.stage.value if candidate.stage else "-"] += 1
            events += len(stream)
            if sum(stages.values()) >= limit:
                break
    return sum(stages.values()), events


def scan_plain(db: Path, limit: int) -> tuple[int, int]:
    """The same rows in the same order through plain sqlite3: the floor for reading the log."""
    conn = sqlite3.connect(db)
    streams, rows, last = 0, 0, None
    cursor = conn.execute("SELECT position, stream_id, version, type, effective_on, recorded_at, actor, rule_set,"
                          " payload, derived, prev_hash, hash FROM event ORDER BY stream_id, version")
    for row in cursor:
        if row[1] != last:
            if streams == limit:
                break
            streams, last = streams + 1, row[1]
        rows += 1
    conn.close()
    return streams, rows


def measure(run: Callable[[], tuple[int, int]], repeat: int) -> tuple[int, int, float, float]:
    """(candidates, events, median seconds without tracemalloc, peak MiB traced in one more pass)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        candidates, events = run()
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return candidates, events, seconds, peak


def main(argv: list[str] | None = None) -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,10000", help="candidates to replay, comma-separated")
    parser.add_argument("--batch", type=int, default=5000, help="events per read batch in iter_streams")
    parser.set_defaults(repeat=1)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    template = standard_events(load_settings())
    print(f"## Replay from SQLite: sizes {', '.join(f'{s:,}' for s in sizes)} candidates x {len(template)} "
          f"events, batch {args.batch:,}\n{machine_line()}\n")
    with scratch_dir(args.keep) as workdir:
        db = workdir / "log.db"
        engine = fresh_sqlite(db)
        built = build_log(engine, sizes[-1], template)
        print(f"log built: {sizes[-1] * len(template):,} events in {built:.1f} s "
              f"({db.stat().st_size / 2**20:.0f} MiB)\n")
        rows = []
        for size in sizes:
            candidates, events, seconds, peak = measure(partial(replay_engine, engine, size, args.batch), args.repeat)
            p_candidates, p_rows, p_seconds, p_peak = measure(partial(scan_plain, db, size), args.repeat)
            if (candidates, events) != (size, size * len(template)) or (p_candidates, p_rows) != (size, events):
                raise SystemExit(f"incomplete replay: {candidates} / {events}, plain {p_candidates} / {p_rows}")
            rows.append((f"{size:,}", candidates / seconds, events / seconds, peak, p_candidates / p_seconds,
                         p_peak, f"1/{(p_candidates / p_seconds) / (candidates / seconds):.1f}"))
        engine.dispose()
    print_table(["candidates", "engine cand./s", "engine events/s", "engine peak MiB", "plain scan cand./s",
                 "plain peak MiB", "engine / plain"], rows)
    peaks = [r[3] for r in rows]
    growth = peaks[-1] / peaks[0] if peaks[0] else float("inf")
    print(f"\npeak memory from {sizes[0]:,} to {sizes[-1]:,} candidates: x{growth:.2f} "
          f"({'flat' if growth < 1.5 else 'GROWS'}); tracemalloc counts Python objects only (the plain scan holds "
          f"one row at a time); process max RSS after every run: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
