"""The HTTP API under load: requests per second and p50/p99 latency for recording a step and for the candidate
list, with 100,000 candidates in the database, next to trivial endpoints of the same app in the same run.

    .venv/bin/python -m benchmarks.bench_web [--size 100000] [--requests 2000] [--concurrency 8] [--keep]

Set-up: a SQLite file with the demo organisation tree plus 40 more branches; candidates go through a prefix of
the standard path (1 to 18 steps, so every stage is present), cloned from one history decided by the engine,
with their own names, branches and hash chains, and their candidate and deadline rows. `ketnap serve` runs in
its own process on 127.0.0.1 (uvicorn, one worker, no scheduler); the load generator is this process, httpx
clients in threads with keep-alive, each request timed. The machine is shared by both.

- health: GET /api/health, no authentication, no database (the floor of the stack).
- me: GET /api/me, a token look-up and the user's scope (the floor of every authenticated route).
- list (branch): GET /api/candidates?limit=50 as a branch secretary (about 1/43 of the candidates).
- list (province): GET /api/candidates?limit=50 as the province's auditor (all candidates in scope).
- search: GET /api/candidates?q=nguyen thi&limit=50 as the auditor (a name without diacritics).
- record a step: POST /api/candidates/{id}/steps `certify_training` on a different mentored candidate each time.

Besides requests per second, the server process's CPU per request (user + system time from /proc, all its
threads): on a shared machine the rates move with the other jobs, the CPU a request costs much less.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from benchmarks import population
from benchmarks.common import app_on, fresh_sqlite, machine_line, print_table, run_threads, scratch_dir, standard_events
from workflow import accounts
from workflow.bootstrap import bootstrap
from workflow.commands import AddOrganisation
from workflow.config import load_settings

EXTRA_BRANCHES = 40
CHUNK = 5_000  # candidates per insert transaction


def branches() -> list[str]:
    return ["CB-GV", "CB-HS", *(f"CB-B{i:02d}" for i in range(1, EXTRA_BRANCHES + 1))]


def build(engine: Engine, size: int, seed: int = 5) -> list[str]:
    """`size` candidates, with the rows a step writes (candidate, deadlines, report facts); returns the ids of
    the mentored ones (where `certify_training` may be recorded)."""
    settings = load_settings()
    app = app_on(engine, settings)
    for code in branches()[2:]:
        app.add_org(AddOrganisation(code=code, name=f"Chi bộ {code}", level="branch", parent="DU-THPT"))
    template = standard_events(settings)
    rng, mentored = random.Random(seed), []
    for start in range(0, size, CHUNK):
        batch = population.Batch()
        for n in range(start, min(size, start + CHUNK)):
            steps = n % len(template) + 1
            name = population.person_name(rng)
            org = branches()[n % len(branches())]
            events = population.clone(template[:steps], f"w{n:07d}", name, org, population.SHAPE_COMMUNE)
            candidate = batch.add(events)
            if candidate.stage is not None and candidate.stage.value == "mentored":
                mentored.append(candidate.id)
        population.write(engine, batch)
    return mentored


def add_users(engine: Engine) -> dict[str, str]:
    """The benchmark's users, added unless a kept database has them already, with a new token each."""
    app = bootstrap(load_settings(), engine=engine)
    users = {"secretary": ("secretary", ["DU-THPT"]), "branch": ("secretary", ["CB-B07"]),
             "auditor": ("auditor", ["TINH-QT"])}
    tokens = {}
    for username, (role, orgs) in users.items():
        try:
            accounts.add_user(app, username, role, orgs)
        except accounts.AccountError:
            pass  # kept from an earlier run
        tokens[username] = accounts.create_token(app, username, "bench").token
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path | str, port: int, wait: bool = True, scheduler: bool = False) -> subprocess.Popen[bytes]:
    """`ketnap serve` on a SQLite file or a database URL, in its own process; `wait` until it answers."""
    env = {**os.environ, "KETNAP_SESSION_SECRET": "benchmark-secret-of-thirty-two-characters"}
    env.pop("KETNAP_DATABASE_URL", None)
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    command = [sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", url,
               "serve", "--scheduler" if scheduler else "--no-scheduler", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240  # a shared, loaded machine starts Python slowly
    while wait and time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    if not wait:
        return process
    process.kill()
    raise RuntimeError("ketnap serve did not start")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(base: str, requests: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]],
         concurrency: int) -> dict[str, float]:
    """Send every request once, `concurrency` at a time; latencies in milliseconds."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    queue = iter(requests)

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                method, url, headers, body = item
                started = time.perf_counter()
                response = client.request(method, url, headers=headers, json=body)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if response.status_code >= 400:
                        failures.append(response.status_code)

    wall = run_threads(worker, [()] * concurrency)
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / wall, "p50": cuts[49], "p99": cuts[98], "n": len(latencies)}


def scenarios(tokens: dict[str, str], mentored: list[str], n: int) -> dict[str, list[Any]]:
    auth = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
    step = {"step": "certify_training", "on": "2025-03-01",
            "fields": {"certificate_no": "NTVĐ-1", "issued_on": "2025-02-27"}}
    return {
        "health (trivial, no auth)": [("GET", "/api/health", {}, None)] * n,
        "me (trivial, token)": [("GET", "/api/me", auth["auditor"], None)] * n,
        "list, branch secretary": [("GET", "/api/candidates?limit=50", auth["branch"], None)] * n,
        "list, province auditor": [("GET", "/api/candidates?limit=50", auth["auditor"], None)] * n,
        "search 'nguyen thi'": [("GET", "/api/candidates?q=nguyen%20thi&limit=50", auth["auditor"], None)] * n,
        "record a step": [("POST", f"/api/candidates/{cid}/steps", auth["secretary"], step)
                          for cid in mentored[:n]],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="candidates in the database")
    parser.add_argument("--requests", type=int, default=2_000, help="requests per scenario")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    with scratch_dir(args.keep) as folder:
        db = folder / "web.db"
        engine = fresh_sqlite(db)
        started = time.perf_counter()
        mentored = build(engine, args.size)
        tokens = add_users(engine)
        engine.dispose()
        print(f"built {args.size:,} candidates ({len(mentored):,} mentored) in {time.perf_counter() - started:.0f} s")
        requests = min(args.requests, len(mentored))
        port = free_port()
        process = serve(db, port)
        try:
            rows = []
            for name, batch in scenarios(tokens, mentored, requests).items():
                load(f"http://127.0.0.1:{port}", batch[: max(50, requests // 10)], args.concurrency)  # warm-up
                before = cpu_seconds(process.pid)
                result = load(f"http://127.0.0.1:{port}", batch, args.concurrency) if name != "record a step" \
                    else load(f"http://127.0.0.1:{port}", _fresh(batch, requests), args.concurrency)
                after = cpu_seconds(process.pid)
                cpu = None if before is None or after is None else (after - before) * 1000 / result["n"]
                rows.append((name, int(result["n"]), result["rps"], result["p50"], result["p99"], cpu))
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"\n{args.size:,} candidates, {args.concurrency} client threads, {machine_line()}\n")
    print_table(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "server CPU ms/request"], rows)
    floor = rows[0][2]
    print("\nrelative to health: " + ", ".join(f"{r[0]} {r[2] / floor:.2f}x" for r in rows[1:]))
    if rows[0][5]:
        print("CPU of health relative to each: " + ", ".join(f"{r[0]} {rows[0][5] / r[5]:.2f}x" for r in rows[1:]
                                                           if r[5]))


def _fresh(batch: list[Any], requests: int) -> list[Any]:
    """The warm-up recorded a step for the first candidates: measure on the ones after them."""
    warm = max(50, requests // 10)
    return batch[warm:] if len(batch) > warm else batch


if __name__ == "__main__":
    main()
