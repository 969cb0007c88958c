"""Recording a step over HTTP against the trivial endpoint, for this tree and another checkout in the same run.

    .venv/bin/python -m benchmarks.step_http --size 10000 [--before ../main-checkout] [--runs 5] [--steps 450]

Issue 19 item 4 asks a step over HTTP to run at least 1/3 of the trivial endpoint's rate at every size. On a
shared machine the rates move with the other jobs by more than any change does, so this runs the variants
interleaved on one data set and reports medians, and next to the rates the server's CPU per request (user +
system from /proc, every thread of the `ketnap serve` process), which the other jobs move much less.

Set-up: `bench_web`'s data set (candidates at every stage) built once; each run starts `ketnap serve` (uvicorn,
one worker, no scheduler) of one variant on its own copy of the file, warms it up, then sends `--steps` x 3
GET /api/health and `--steps` POST /api/candidates/{id}/steps (`certify_training` with a secretary's token, a
fresh mentored candidate each) from 8 httpx client threads in this process.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_web import add_users, build, cpu_seconds, free_port, load
from benchmarks.common import fresh_sqlite, machine_line, print_table, scratch_dir

HERE = Path(__file__).resolve().parent.parent
WARM = 100
STEP = {"step": "certify_training", "on": "2025-03-01",
        "fields": {"certificate_no": "NTVĐ-1", "issued_on": "2025-02-27"}}


def serve_tree(tree: Path, db: Path, port: int) -> subprocess.Popen[bytes]:
    """`ketnap serve` with the code of `tree` (a checkout of this repository) on the SQLite file `db`."""
    env = {**os.environ, "KETNAP_SESSION_SECRET": "benchmark-secret-of-thirty-two-characters",
           "PYTHONPATH": str(tree)}
    env.pop("KETNAP_DATABASE_URL", None)
    command = [sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", f"sqlite:///{db}",
               "serve", "--no-scheduler", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"ketnap serve of {tree} did not start")


def one_run(tree: Path, data: Path, work: Path, mentored: list[str], token: str, steps: int) -> dict[str, Any]:
    for f in data.glob("web.db*"):
        shutil.copy(f, work / f.name)
    port = free_port()
    process = serve_tree(tree, work / "web.db", port)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    health = [("GET", "/api/health", {}, None)] * (3 * steps)
    posts = [("POST", f"/api/candidates/{c}/steps", auth, STEP) for c in mentored[:WARM + steps]]
    try:
        load(base, health[:WARM], 8)
        load(base, posts[:WARM], 8)
        result = {}
        for name, batch in (("health", health), ("step", posts[WARM:])):
            before = cpu_seconds(process.pid)
            measured = load(base, batch, 8)
            after = cpu_seconds(process.pid)
            cpu = None if before is None or after is None else (after - before) * 1000 / measured["n"]
            result[name] = {"rps": measured["rps"], "cpu_ms": cpu}
        return result
    finally:
        process.terminate()
        process.wait(timeout=60)
        for f in work.glob("web.db*"):
            f.unlink()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="candidates in the database")
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run (e.g. main)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each variant, interleaved")
    parser.add_argument("--steps", type=int, default=450, help="steps per run (3x as many health requests)")
    args = parser.parse_args(argv)
    trees = {"this": HERE} if args.before is None else {"before": args.before.resolve(), "this": HERE}
    with scratch_dir() as folder:
        data, work = folder / "data", folder / "work"
        data.mkdir()
        work.mkdir()
        engine = fresh_sqlite(data / "web.db")
        mentored = build(engine, args.size)
        token = add_users(engine)["secretary"]
        engine.dispose()
        if len(mentored) < WARM + args.steps:
            raise SystemExit(f"only {len(mentored)} mentored candidates: use --steps {len(mentored) - WARM} or less")
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        for n in range(args.runs):
            for name, tree in trees.items():
                found = one_run(tree, data, work, mentored, token, args.steps)
                runs[name].append(found)
                load_avg = os.getloadavg()[0]
                print(f"run {n + 1} {name}: " + json.dumps(found) + f" load {load_avg:.1f}", flush=True)
    print(f"\n{args.size:,} candidates, {args.runs} runs each, medians; {machine_line()}\n")
    rows = []
    for name, found in runs.items():
        def median(key: str, what: str, found: list[dict[str, Any]] = found) -> float:
            return statistics.median(r[key][what] for r in found)
        cpu = all(r["health"]["cpu_ms"] is not None for r in found)
        rows.append((name, median("health", "rps"), median("step", "rps"),
                     statistics.median(r["step"]["rps"] / r["health"]["rps"] for r in found),
                     median("health", "cpu_ms") if cpu else "", median("step", "cpu_ms") if cpu else "",
                     statistics.median(r["health"]["cpu_ms"] / r["step"]["cpu_ms"] for r in found) if cpu else ""))
    print_table(["tree", "health req/s", "step req/s", "step/health (rates)", "health CPU ms", "step CPU ms",
                 "health CPU/step CPU"], rows)


if __name__ == "__main__":
    main()
