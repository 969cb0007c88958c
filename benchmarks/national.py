"""The national data set on PostgreSQL, and what a secretary, a province and the steps path see on it, each next
to a baseline measured in the same run (issue 14).

    KETNAP_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m benchmarks.national --scale 0.1 [--requests 400] [--clients 32] [--keep]
    # build once and keep it, then measure it as often as needed (migrated first; each run adds its steps):
    ... -m benchmarks.national --scale 0.1 --only-build --name bench_national_01
    .venv/bin/python -m benchmarks.national --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_national_01

Scale 1 is the nation: 34 provinces, 3,300 communes and wards (with 9,900 grassroots committees and 39,600
branches, benchmarks/population.py) and 2,000,000 candidates with up to 10 years of history; scale 0.1 is the
same tree with 200,000 candidates; below 0.1 the communes shrink in proportion. The set is built in a database of
its own on the server (dropped at the end unless --keep): the tree through the engine, the candidates by COPY,
one transaction per 5,000 (population.py). Then, in one run:

- pages: `ketnap serve` (one process, no scheduler), `--clients` threads each with its own signed-in session,
  p50/p99: the dashboard, candidate list and one candidate's page of a grassroots committee's secretary; the
  candidate list and the search "nguyen thi" of the province's auditor; the province's admissions report.
  Baselines: GET /api/health (no database) in the same process, and bare SQL (psycopg) doing the same fetch.
- `audit verify --org PROVINCE` in its own process, next to bare SQL reading the same streams' events.
- the reminders sweep over every open deadline, next to bare SQL reading them.
- deliveries: the sweep of today, then 3 `ketnap scheduler` processes sending it to a webhook receiver on
  127.0.0.1 until the outbox is drained (or `--deliver-seconds`): messages, messages/s, duplicates and missing
  (both must be 0), next to the receiver's rate for as many plain POSTs (benchmarks/national_deliveries.py).
- steps: `--clients` clients recording steps on new candidates through 1, 2 and 3 `ketnap serve` processes,
  next to plain psycopg single-row commits from as many connections; the servers' memory before and after.
- `audit verify` of the whole set at the end (exit code 0 when clean; --skip-audit leaves it out).
"""

import argparse
import hashlib
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from benchmarks import national_deliveries, population
from benchmarks.bench_web import free_port, serve
from benchmarks.common import NOW, FixedClock, machine_line, print_table, run_threads, scratch_postgres, standard_path
from storage import migrate
from storage.engine import make_engine
from storage.organisations import ORGS
from workflow import accounts
from workflow.bootstrap import bootstrap, reminders_for
from workflow.commands import AddOrganisation
from workflow.config import load_settings
from workflow.reports.admissions import admissions_report
from workflow.reports.periods import parse_period
from workflow.service import Ketnap

PASSWORD = "mat-khau-do-dai-benchmark-14"
STEP_PATH = standard_path()[:6]  # identify ... declare_history: what a branch records most


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else [samples[0]] * 99
    return cuts[49], cuts[98]


# --- the data set ---------------------------------------------------------------------------------------------

def build(engine: Engine, scale: float) -> dict[str, Any]:
    """The tree, the candidates and the users; returns what was built and how long it took."""
    settings = load_settings()
    app = bootstrap(settings, engine=engine, clock=FixedClock())
    started = time.perf_counter()
    tree = population.national_tree(scale)
    population.add_tree(app, tree)
    tree_seconds = time.perf_counter() - started
    templates = population.histories(settings)
    count = max(1, round(2_000_000 * scale))
    for done, batch in enumerate(population.candidates(tree, templates, count), start=1):
        population.write(engine, batch)
        print(f"built {min(count, done * population.BATCH):,} of {count:,} candidates, "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    streams, events = population.count_rows(engine)
    province = tree.provinces()[0]
    grassroots = next(o.code for o in tree.orgs if o.level == "grassroots" and o.code.startswith("X0000"))
    return {"seconds": time.perf_counter() - started, "tree_seconds": tree_seconds, "streams": streams,
            "events": events, "orgs": len(tree.orgs), "templates": len(templates), "tree": tree,
            "province": province, "grassroots": grassroots, "tokens": sign_up(app, province, grassroots)}


def sign_up(app: Ketnap, province: str, grassroots: str) -> dict[str, str]:
    """The benchmark's users (a grassroots committee's secretary, the province's auditor and a secretary who
    records steps across the province), added unless a kept database has them already; a new token each."""
    for username, role, org in (("thuky", "secretary", grassroots), ("kiemtra", "auditor", province),
                                ("ghi", "secretary", province)):
        try:
            accounts.add_user(app, username, role, [org], PASSWORD, enforce_policy=False)
        except accounts.AccountError:
            pass  # kept from an earlier run, with the same password
    return {u: accounts.create_token(app, u, "bench").token for u in ("thuky", "kiemtra", "ghi")}


def kept(engine: Engine) -> dict[str, Any]:
    """What `build` returns, read back from a kept data set (the tree from its `organisation` rows, the same
    province and grassroots committee as `build` picks), with the users added if missing."""
    with engine.connect() as conn:
        rows = conn.execute(select(ORGS.c.code, ORGS.c.name, ORGS.c.level, ORGS.c.parent_code)
                            .order_by(ORGS.c.code)).all()
    parent = {code: up for code, _, _, up in rows}
    level = {code: lvl for code, _, lvl, _ in rows}

    def commune_of(code: str) -> str:
        while level[code] != "commune":
            code = parent[code]
        return code

    orgs = [AddOrganisation(code=code, name=name, level=lvl, parent=up, on=population.FOUNDED)
            for code, name, lvl, up in rows]
    tree = population.Tree(orgs, [(o.code, commune_of(o.code)) for o in orgs if o.level == "branch"])
    province = tree.provinces()[0]
    grassroots = next(o.code for o in orgs if o.level == "grassroots" and o.code.startswith("X0000"))
    streams, events = population.count_rows(engine)
    app = bootstrap(load_settings(), engine=engine, clock=FixedClock())
    return {"seconds": 0.0, "tree_seconds": 0.0, "streams": streams, "events": events, "orgs": len(orgs),
            "templates": 0, "tree": tree, "province": province, "grassroots": grassroots,
            "tokens": sign_up(app, province, grassroots)}


def subtree(tree: population.Tree, root: str) -> list[str]:
    children: dict[str | None, list[str]] = {}
    for o in tree.orgs:
        children.setdefault(o.parent, []).append(o.code)
    out, todo = [], [root]
    while todo:
        code = todo.pop()
        out.append(code)
        todo += children.get(code, [])
    return out


# --- load -----------------------------------------------------------------------------------------------------

def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no sign-in form"
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1),
                                         "next": "/"})
    assert answer.status_code in (200, 303), answer.status_code
    return client


def run_load(clients: list[httpx.Client], urls: list[str], headers: dict[str, str] | None = None) -> dict[str, float]:
    """GET every url once, one thread per client; latencies in ms."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = iter(urls)

    def worker(client: httpx.Client) -> None:
        while True:
            with lock:
                url = next(queue, None)
            if url is None:
                return
            started = time.perf_counter()
            answer = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if answer.status_code >= 400:
                    failures.append(f"{url}: {answer.status_code}")

    wall = run_threads(worker, [(c,) for c in clients])
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    p50, p99 = quantiles(latencies)
    return {"n": len(latencies), "rps": len(latencies) / wall, "p50": p50, "p99": p99}


def sql_load(dsn: str, threads: int, queries: list[tuple[str, tuple[Any, ...]]]) -> dict[str, float]:
    """Run every query once on `threads` connections; latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = iter(queries)

    def worker() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                started = time.perf_counter()
                conn.execute(item[0], item[1]).fetchall()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    run_threads(worker, [()] * threads)
    p50, p99 = quantiles(latencies)
    return {"n": len(latencies), "p50": p50, "p99": p99}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the scenarios --------------------------------------------------------------------------------------------

def pages(url: str, info: dict[str, Any], requests: int, clients: int) -> list[tuple[Any, ...]]:
    dsn, tree = _dsn(url), info["tree"]
    secretary_orgs = subtree(tree, info["grassroots"])
    province_orgs = subtree(tree, info["province"])
    with psycopg.connect(dsn) as conn:
        mine = [r[0] for r in conn.execute("SELECT id FROM candidate WHERE org = ANY(%s)", (secretary_orgs,))]
    rng = random.Random(3)
    port = free_port()
    process = serve(url, port)
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[Any, ...]] = []
    try:
        secretaries = [signed_in(base, "thuky") for _ in range(clients)]
        auditors = [signed_in(base, "kiemtra") for _ in range(clients)]
        plain = [httpx.Client(base_url=base, timeout=120) for _ in range(clients)]
        rss_before = rss_mib(process.pid)
        # One page alone first: a fresh process fills its caches (the organisation tree, the scopes) on it, and
        # 32 cold requests at once exhausted the connection pool (8 + 8) at scale 0.1 (HTTP 500 after 30 s).
        for label, who, first in (("secretary: dashboard", secretaries, "/"),
                                  ("province auditor: candidate list", auditors, "/candidates")):
            cold = run_load(who[:1], [first])
            rows.append((f"{label}, first request after start (alone)", 1, "-", cold["p50"], "-", "-", "-"))
        page_ids = [rng.choice(mine) for _ in range(requests)]
        list_sql = ("SELECT * FROM candidate WHERE org = ANY(%s) ORDER BY org, full_name, id LIMIT 50", )
        scenarios: list[tuple[str, list[httpx.Client], list[str], dict[str, str] | None,
                              list[tuple[str, tuple[Any, ...]]]]] = [
            ("health (trivial, no database)", plain, ["/api/health"] * requests, None, []),
            ("secretary: dashboard", secretaries, ["/"] * requests, None,
             [("SELECT kind, due_on, stream_id FROM deadline WHERE status = 'open' AND org = ANY(%s) "
               "ORDER BY due_on LIMIT 200", (secretary_orgs,))] * requests),
            ("secretary: candidate list", secretaries, ["/candidates"] * requests, None,
             [(list_sql[0], (secretary_orgs,))] * requests),
            ("secretary: one candidate's page", secretaries, [f"/candidates/{cid}" for cid in page_ids], None,
             [("SELECT * FROM event WHERE stream_id = %s ORDER BY version", (cid,)) for cid in page_ids]),
            ("province auditor: candidate list", auditors, ["/candidates"] * requests, None,
             [(list_sql[0], (province_orgs,))] * requests),
            ("province auditor: search 'nguyen thi'", auditors, ["/candidates?q=nguyen%20thi"] * requests, None,
             [("SELECT * FROM candidate WHERE org = ANY(%s) AND search_name LIKE %s ORDER BY full_name LIMIT 50",
               (province_orgs, "%nguyen thi%"))] * requests),
        ]
        for name, who, urls, headers, sql in scenarios:
            run_load(who, urls[: max(clients, requests // 10)], headers)  # warm-up
            measured = run_load(who, urls, headers)
            bare = sql_load(dsn, clients, sql) if sql else None
            rows.append((name, int(measured["n"]), measured["rps"], measured["p50"], measured["p99"],
                         bare["p50"] if bare else "-", bare["p99"] if bare else "-"))
        rss_after = rss_mib(process.pid)
        for c in [*secretaries, *auditors, *plain]:
            c.close()
    finally:
        process.terminate()
        process.wait(timeout=60)
    rows.append(("server memory (MiB): before, after the pages", "-", "-", rss_before, rss_after, "-", "-"))
    return rows


def report(url: str, info: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The province's admissions report: the first run (read model rows kept by the steps) and the next ones."""
    app = bootstrap(load_settings(), engine=make_engine(url), clock=FixedClock())
    period = parse_period(str(NOW.year - 1))
    times = []
    for _ in range(4):
        started = time.perf_counter()
        admissions_report(app, info["province"], period)
        times.append(time.perf_counter() - started)
    app.engine.dispose()
    orgs = subtree(info["tree"], info["province"])
    with psycopg.connect(_dsn(url)) as conn:
        started = time.perf_counter()
        conn.execute("SELECT org, stage, count(*) FROM candidate WHERE org = ANY(%s) GROUP BY org, stage",
                     (orgs,)).fetchall()
        bare = time.perf_counter() - started
    return [("province report, first run", times[0], bare),
            ("province report, next (median of 3)", statistics.median(times[1:]), bare)]


def audit_org(url: str, info: dict[str, Any]) -> list[tuple[Any, ...]]:
    env = {k: v for k, v in os.environ.items() if k != "KETNAP_DATABASE_URL"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", url, "audit",
                           "verify", "--org", info["province"]], capture_output=True, env=env, check=False)
    seconds = time.perf_counter() - started
    orgs = subtree(info["tree"], info["province"])
    started = time.perf_counter()
    events = 0
    with psycopg.connect(_dsn(url)) as conn, conn.cursor(name="scan") as cursor:
        cursor.execute("SELECT e.* FROM event e JOIN candidate c ON c.id = e.stream_id WHERE c.org = ANY(%s) "
                       "ORDER BY e.stream_id, e.version", (orgs,))
        for row in cursor:
            hashlib.sha256(repr(row).encode()).digest()
            events += 1
    bare = time.perf_counter() - started
    return [(f"audit verify --org {info['province']} (exit {done.returncode}, {events:,} events)", seconds, bare)]


def sweep(url: str) -> list[tuple[Any, ...]]:
    app = bootstrap(load_settings(), engine=make_engine(url), clock=FixedClock())
    reminders = reminders_for(app, channels={})
    started = time.perf_counter()
    reminders.sweep(NOW)
    seconds = time.perf_counter() - started
    app.engine.dispose()
    with psycopg.connect(_dsn(url)) as conn:
        started = time.perf_counter()
        found = conn.execute("SELECT * FROM deadline WHERE status = 'open'").fetchall()
        bare = time.perf_counter() - started
    return [(f"reminders sweep over every open deadline ({len(found):,})", seconds, bare)]


def steps(url: str, info: dict[str, Any], clients: int, per_client: int) -> list[tuple[Any, ...]]:
    """Steps/s through 1, 2 and 3 servers (new candidates, six steps each), then plain commits."""
    token = info["tokens"]["ghi"]
    province = set(subtree(info["tree"], info["province"]))
    branches = [b for b, _ in info["tree"].branches if b in province]
    ports = [free_port() for _ in range(3)]
    processes = [serve(url, port, wait=False) for port in ports]
    rows: list[tuple[Any, ...]] = []
    try:
        for port in ports:
            _wait_healthy(f"http://127.0.0.1:{port}")
        memory = [rss_mib(p.pid) for p in processes]
        for servers in (1, 2, 3):
            bases = [f"http://127.0.0.1:{p}" for p in ports[:servers]]
            recorded = _record(bases, token, branches, clients, per_client, f"s{servers}")
            rows.append((f"steps through {servers} server(s), {clients} clients", recorded, "-"))
        after = [rss_mib(p.pid) for p in processes]
    finally:
        for p in processes:
            p.terminate()
            p.wait(timeout=60)
    plain = _plain_commits(_dsn(url), clients, clients * per_client * len(STEP_PATH))
    rows.append((f"plain psycopg single-row commits, {clients} connections", plain, "-"))
    rows.append(("servers' memory (MiB) before, after the steps",
                 " / ".join(f"{m:.0f}" for m in memory), " / ".join(f"{m:.0f}" for m in after)))
    return rows


def _wait_healthy(base: str, timeout: float = 300) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{base} did not start")


def _record(bases: list[str], token: str, branches: list[str], clients: int, per_client: int, tag: str) -> float:
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=bases[n % len(bases)], timeout=120,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            for k in range(per_client):
                (_, on, person), *rest = STEP_PATH
                fields = {**person, "org": branches[(n * per_client + k) % len(branches)],
                          "full_name": f"Nguyễn Thị Bước {tag} {n} {k}"}
                answer = http.post("/api/candidates", json={"on": on.isoformat(), "fields": fields})
                if answer.status_code != 201:
                    errors.append(answer.text[:300])
                    return
                cid = answer.json()["id"]
                for step, day, values in rest:
                    answer = http.post(f"/api/candidates/{cid}/steps",
                                       json={"step": step, "on": _iso(day), "fields": values})
                    if answer.status_code != 201:
                        errors.append(answer.text[:300])
                        return
                with lock:
                    done[0] += len(STEP_PATH)

    seconds = run_threads(client, [(n,) for n in range(clients)])
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed, e.g. {errors[0]}")
    return done[0] / seconds


def _iso(day: date) -> str:
    return day.isoformat()


def _plain_commits(dsn: str, clients: int, rows: int) -> float:
    """Single-row INSERT + COMMIT of an event-sized row, from `clients` connections, into a table of its own."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_plain (LIKE event)")
    per = max(1, rows // clients)
    payload = '{"helper": "Phạm Văn Bình"}'

    def worker(n: int) -> None:
        with psycopg.connect(dsn) as conn:
            for k in range(per):
                conn.execute("INSERT INTO bench_plain VALUES (%s, %s, %s, 'assign_helper', %s, now(), 'bench', "
                             "'qd294-2025', %s::json, '{}'::json, %s, %s)",
                             (n * per + k, f"p{n}-{k}", 2, date(2026, 1, 1), payload, "0" * 64, "1" * 64))
                conn.commit()

    seconds = run_threads(worker, [(n,) for n in range(clients)])
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_plain")
    return per * clients / seconds


def verify_all(url: str) -> tuple[int, float]:
    env = {k: v for k, v in os.environ.items() if k != "KETNAP_DATABASE_URL"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", url, "audit",
                           "verify"], capture_output=True, env=env, check=False)
    return done.returncode, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="1 = the nation (2,000,000 candidates); 0.1 = "
                                                                 "200,000 candidates on the whole tree")
    parser.add_argument("--url", help="PostgreSQL server URL (default: KETNAP_BENCH_DATABASE_URL, then "
                                      "KETNAP_TEST_DATABASE_URL)")
    parser.add_argument("--requests", type=int, default=400, help="requests per page scenario")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients for pages and steps")
    parser.add_argument("--steps-per-client", type=int, default=3, help="new candidates per client and server "
                                                                        "count (six steps each)")
    parser.add_argument("--deliver-seconds", type=float, default=900, help="stop the schedulers after this "
                                                                             "long if the outbox is not drained")
    parser.add_argument("--only-build", action="store_true", help="build the data set, measure nothing")
    parser.add_argument("--skip-audit", action="store_true", help="leave out the final `audit verify` of all")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--name", help="build into a new database of this name, kept (implies --keep)")
    parser.add_argument("--database", help="measure the kept data set at this URL (built with --name or --keep; "
                                           "migrated first, users added if missing) instead of building one")
    args = parser.parse_args(argv)
    if args.database:
        engine = make_engine(args.database)
        migrate.upgrade(engine)  # the migrations added since it was built
        info = kept(engine)
        engine.dispose()
        print(f"## National data set kept at {make_url(args.database).database}: {info['orgs']:,} organisations, "
              f"{info['streams']:,} candidates, {info['events']:,} events\n{machine_line()}\n", flush=True)
        return 0 if args.only_build else measure(args.database, info, args)
    server = args.url or os.environ.get("KETNAP_BENCH_DATABASE_URL") or os.environ.get("KETNAP_TEST_DATABASE_URL")
    if not server:
        print("## National: skipped, set KETNAP_BENCH_DATABASE_URL (or KETNAP_TEST_DATABASE_URL)")
        return 0
    keep = args.keep or args.name is not None
    with scratch_postgres(server, keep=keep, name=args.name) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        info = build(engine, args.scale)
        engine.dispose()
        print(f"## National data set, scale {args.scale}: {info['orgs']:,} organisations, {info['streams']:,} "
              f"candidates, {info['events']:,} events ({info['templates']} start months) built in "
              f"{info['seconds']:.0f} s (tree {info['tree_seconds']:.0f} s)\n{machine_line()}\n")
        if keep:
            print(f"database: {url}\n", flush=True)
        return 0 if args.only_build else measure(url, info, args)


def measure(url: str, info: dict[str, Any], args: argparse.Namespace) -> int:
    """Every scenario on the data set at `url`; the exit code of the final `audit verify` (0 when skipped)."""
    print(f"### Pages, {args.clients} clients, one `ketnap serve`\n")
    print_table(["scenario", "requests", "req/s", "p50 ms", "p99 ms", "bare SQL p50 ms", "bare SQL p99 ms"],
                pages(url, info, args.requests, args.clients))
    print("\n### Province\n")
    rows = [*report(url, info), *audit_org(url, info), *sweep(url)]
    print_table(["operation", "seconds", "bare SQL seconds"], rows)
    print("\n### One day of reminders, 3 schedulers on the same database\n")
    sent = national_deliveries.deliveries(url, _dsn(url), args.deliver_seconds)
    print_table(["what", "messages", "seconds", "per second"], national_deliveries.rows(sent))
    print(f"\ndeliveries: duplicates {sent['duplicates']}, missing {sent['missing']}; outbox now "
          f"{sent['statuses']}")
    print(f"\n### Steps, {args.clients} clients on new candidates\n")
    print_table(["variant", "per second", ""], steps(url, info, args.clients, args.steps_per_client))
    exactly_once = 0 if sent["duplicates"] == sent["missing"] == 0 else 1
    if args.skip_audit:
        return exactly_once
    code, seconds = verify_all(url)
    print(f"\n`audit verify` of the whole set: exit {code} ({'clean' if code == 0 else 'FINDINGS'}) in "
          f"{seconds:.0f} s")
    return code or exactly_once

if __name__ == "__main__":
    raise SystemExit(main())
