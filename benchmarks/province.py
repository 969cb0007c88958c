"""A province on one SQLite file (issue 19): the CLI commands and the pages a committee office uses, each next
to a baseline of the same run, with the peak memory of the process that served it.

    .venv/bin/python -m benchmarks.province [--size 10000] [--repeat 5] [--requests 50] [--steps 500] [--keep]

Set-up: `benchmarks/bench_web.py`'s builder (`build`): the demo tree plus 40 branches, `--size` candidates at
every stage of the standard path (about 9.5 events each), with the rows a step writes (candidate, deadlines,
report facts), users and tokens.

- Commands: `ketnap ...` run as processes, `--repeat` times each (`report admissions` also once on its own,
  first, right after the build: with report rows kept by the steps, the first report of a period costs what
  the second does). Baselines: `ketnap --help` (the cost of starting the program), and the same fetch in bare
  SQL (stdlib sqlite3, the rows fetched, no program around it).
- Pages: `ketnap serve` in its own process, one signed-in browser session (httpx), `--requests` sequential GETs
  each; baseline: GET /api/health (no authentication, no database) and the same bare SQL.
- Recording a step over HTTP: POST /api/candidates/{id}/steps with a token, 8 client threads, against
  GET /api/health under the same load: requests per second and their ratio.
Peak memory: the maximum resident set of each command's process, and of the server after all its requests.
"""

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from benchmarks import population
from benchmarks.bench_web import add_users, build, free_port, load, serve
from benchmarks.common import machine_line, print_table, scratch_dir
from storage import migrate
from storage.engine import make_engine
from workflow import accounts
from workflow.bootstrap import bootstrap
from workflow.config import load_settings

PASSWORD = "benchmark-password-0123456789"
PERIOD = ("2024-01-01", "2024-12-31")
TODAY = date.today().isoformat()
# The same fetches in bare SQL: what each command or page reads, with nothing around it.
SQL: dict[str, tuple[str, ...]] = {
    "list": ("SELECT id, org, stage, full_name FROM candidate ORDER BY org, full_name, id LIMIT ?",),
    "report": ("SELECT id, admitted_org, decided_on, sex, birth_date, ethnicity, religion, categories FROM "
               "report_candidate WHERE decided_on BETWEEN ? AND ?",
               "SELECT id, org, dropped_on, recognised_on, decided_on, identified_on FROM report_candidate "
               "WHERE identified_on <= ? AND (dropped_on IS NULL OR dropped_on >= ?)"),
    "verify": ("SELECT * FROM event ORDER BY stream_id, version",),
    "overdue": ("SELECT d.stream_id, d.kind, d.due_on, c.full_name FROM deadline d JOIN candidate c ON c.id = "
                "d.stream_id WHERE d.status = 'open' AND d.due_on < ? ORDER BY d.due_on",),
    "dashboard": ("SELECT d.stream_id, d.kind, d.due_on, c.full_name FROM deadline d JOIN candidate c ON c.id = "
                  "d.stream_id WHERE d.status = 'open' AND d.due_on <= date(?, '+30 days') ORDER BY d.due_on",
                  "SELECT stage, count(*) FROM candidate GROUP BY stage"),
    "candidate": ("SELECT * FROM event WHERE stream_id = ? ORDER BY version",),
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) == 1:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def bare_sql(db: Path, name: str, params: tuple[tuple[Any, ...], ...], repeat: int) -> float:
    """The median milliseconds of the fetch `name` (each query's parameters in `params`; every row read)."""
    times = []
    with sqlite3.connect(db) as conn:
        for _ in range(repeat):
            started = time.perf_counter()
            for sql, args in zip(SQL[name], params, strict=True):
                conn.execute(sql, args).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# Runs the command as its own child and prints that child's peak memory: a process forked from this one (large
# after the build) would inherit its resident-set high-water mark.
PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)")


def ketnap(db: Path, *args: str) -> tuple[float, float]:
    """One `ketnap` process: its milliseconds and its peak resident memory in MB."""
    command = [sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", f"sqlite:///{db}", *args]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"ketnap {' '.join(args)} failed: {done.stderr[-1000:]}")
    return elapsed, int(done.stdout.split()[-1]) / 1024


def commands(db: Path, repeat: int, sql_repeat: int) -> list[list[Any]]:
    rows: list[list[Any]] = []

    def run(label: str, args: list[str], times: int, bare: float | None) -> float:
        samples, peak = [], 0.0
        for _ in range(times):
            ms, mb = ketnap(db, *args)
            samples.append(ms)
            peak = max(peak, mb)
        p50, p99 = percentiles(samples)
        rows.append([label, times, p50, p99, "" if bare is None else bare, peak])
        return p50

    report = ["report", "admissions", "--org", "TINH-QT", "--period", "2024"]
    run("report admissions, first run", report, 1, bare_sql(db, "report", (PERIOD, (PERIOD[1], PERIOD[0])),
                                                            sql_repeat))
    run("ketnap --help (baseline)", ["--help"], repeat, None)
    run("candidate list --org TINH-QT", ["candidate", "list", "--org", "TINH-QT"], repeat,
        bare_sql(db, "list", ((1000,),), sql_repeat))
    run("report admissions, second run", report, repeat,
        bare_sql(db, "report", (PERIOD, (PERIOD[1], PERIOD[0])), sql_repeat))
    run("audit verify", ["audit", "verify"], max(1, repeat // 2), bare_sql(db, "verify", ((),), 1))
    run("deadlines --overdue", ["deadlines", "--overdue"], repeat, bare_sql(db, "overdue", ((TODAY,),), sql_repeat))
    return rows


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    page = client.get("/login")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data={"csrf_token": csrf, "username": "auditor", "password": PASSWORD,
                                         "next": "/"}, follow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed: HTTP {answer.status_code}")
    return client


def timed_gets(client: httpx.Client, url: str, n: int) -> tuple[float, float]:
    client.get(url)  # warm-up
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
    return percentiles(samples)


def pages(db: Path, base: str, candidate: str, n: int, sql_repeat: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    client = signed_in(base)
    try:
        checks: list[tuple[str, str, Callable[[], float] | None]] = [
            ("GET /api/health (trivial, baseline)", "/api/health", None),
            ("dashboard /", "/", lambda: bare_sql(db, "dashboard", ((TODAY,), ()), sql_repeat)),
            ("list /candidates", "/candidates", lambda: bare_sql(db, "list", ((50,),), sql_repeat)),
            ("candidate /candidates/{id}", f"/candidates/{candidate}",
             lambda: bare_sql(db, "candidate", ((candidate,),), sql_repeat)),
            ("report /reports/admissions", "/reports/admissions?org=TINH-QT&period=2024",
             lambda: bare_sql(db, "report", (PERIOD, (PERIOD[1], PERIOD[0])), sql_repeat)),
            ("deadlines /api/deadlines?overdue=true", "/api/deadlines?overdue=true",
             lambda: bare_sql(db, "overdue", ((TODAY,),), sql_repeat)),
        ]
        for label, url, bare in checks:
            p50, p99 = timed_gets(client, url, n)
            rows.append([label, n, p50, p99, "" if bare is None else bare(), ""])
    finally:
        client.close()
    return rows


def steps_over_http(base: str, tokens: dict[str, str], mentored: list[str], n: int) -> tuple[float, float]:
    """Requests per second of GET /api/health and of recording a step, 8 client threads each."""
    auth = {"Authorization": f"Bearer {tokens['secretary']}"}
    step = {"step": "certify_training", "on": "2025-03-01",
            "fields": {"certificate_no": "NTVĐ-1", "issued_on": "2025-02-27"}}
    warm = min(50, len(mentored) // 4)
    load(base, [("GET", "/api/health", {}, None)] * 100, 8)
    load(base, [("POST", f"/api/candidates/{cid}/steps", auth, step) for cid in mentored[:warm]], 8)
    todo = mentored[warm:warm + n]
    health = load(base, [("GET", "/api/health", {}, None)] * max(len(todo), 100), 8)["rps"]
    recorded = load(base, [("POST", f"/api/candidates/{cid}/steps", auth, step) for cid in todo], 8)["rps"]
    return health, recorded


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(db: Path, size: int) -> tuple[list[str], dict[str, str], int]:
    """Build `size` candidates into a new file `db`, or take an existing one as it is (the schema upgraded, so
    migrations added since it was built apply); the mentored candidates' ids, the users' tokens and the number
    of candidates."""
    started = time.perf_counter()
    existed = db.exists()
    engine = make_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    if existed:
        with engine.connect() as conn:
            mentored = list(conn.exec_driver_sql("SELECT id FROM candidate WHERE stage = 'mentored' ORDER BY id")
                            .scalars())
    else:
        mentored = build(engine, size)
    tokens = add_users(engine)
    accounts.set_password(bootstrap(load_settings(), engine=engine), "auditor", PASSWORD)
    streams, events = population.count_rows(engine)
    engine.dispose()
    print(f"{'kept' if existed else 'built'} {db}: {streams:,} candidates ({len(mentored):,} mentored), "
          f"{events:,} events, in {time.perf_counter() - started:.0f} s", flush=True)
    return mentored, tokens, streams


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="candidates in the database")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    parser.add_argument("--requests", type=int, default=50, help="sequential requests of each page")
    parser.add_argument("--steps", type=int, default=500, help="steps recorded over HTTP (at most the mentored)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (its path is printed)")
    parser.add_argument("--database", type=Path, help="the SQLite file to measure: built there (and kept) if it "
                                                      "does not exist, else migrated and measured as it is")
    parser.add_argument("--only-build", action="store_true", help="build the data set, measure nothing")
    args = parser.parse_args(argv)
    sql_repeat = max(3, args.repeat)
    with scratch_dir(args.keep) as folder:
        db = args.database or folder / "province.db"
        mentored, tokens, size = prepare(db, args.size)
        if args.only_build:
            return
        ran = commands(db, args.repeat, sql_repeat)
        port = free_port()
        process = serve(db, port)
        try:
            base = f"http://127.0.0.1:{port}"
            served = pages(db, base, mentored[-1], args.requests, sql_repeat)
            health, recorded = steps_over_http(base, tokens, mentored[:-1], args.steps)
            served_peak = peak_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"\n{size:,} candidates on SQLite, {machine_line()}\n")
    help_p50, health_p50 = ran[1][2], served[0][2]
    print_table(["what", "runs", "p50 ms", "p99 ms", "ratio to baseline", "bare SQL ms", "peak MB"],
                [[*r[:4], f"{r[2] / help_p50:.2f}x --help", *r[4:]] for r in ran]
                + [[*r[:4], f"{r[2] / health_p50:.2f}x health", r[4], f"{served_peak:.0f} (server)"] for r in served])
    first, second = ran[0][2], ran[3][2]
    print(f"report admissions: first run - second run = {(first - second) / 1000:.2f} s (target: within 1 s)")
    print(f"recording a step over HTTP: {recorded:.0f} req/s, trivial endpoint {health:.0f} req/s, "
          f"ratio {recorded / health:.2f} (target: at least 0.33)")


if __name__ == "__main__":
    main()
