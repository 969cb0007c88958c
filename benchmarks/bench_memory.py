"""Peak memory and first-page time of the list commands and `audit verify` at two sizes of database (issue 19):
memory must not grow with the data, and a list's first page must cost about what starting the CLI costs.

    .venv/bin/python -m benchmarks.bench_memory [--sizes 20000,50000] [--reuse DIR] [--keep]

Set-up: for each size a SQLite file built as benchmarks/bench_web.py builds it (the demo tree plus 40 branches,
candidates at every stage, their candidate and deadline rows). `--reuse DIR` takes `DIR/<size>.db` when it is
there (built by an earlier `--keep` run) instead of building it again.

Each command runs in a fresh process (`ketnap --db ... COMMAND`, its output thrown away) that reports its own
peak RSS (getrusage) as it exits; the wall time is the process's. `--help` is the baseline: importing the CLI
and starting Python, no database. Printed per command: wall seconds and how far above the baseline, peak RSS
at each size, and the ratio of the peaks (1.00: flat in the data).
Targets (issue 19): every list's first page within 0.3 s of the baseline; peak RSS under 200 MiB and the same
at both sizes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import fresh_sqlite, machine_line, print_table, scratch_dir

COMMANDS = [
    ["--help"],
    ["deadlines", "--org", "TINH-QT", "--until", "2026-12-31", "--overdue"],
    ["deadlines", "--org", "TINH-QT", "--until", "2026-12-31", "--overdue", "--all"],
    ["deadlines", "--json", "--org", "TINH-QT", "--overdue", "--all"],
    ["candidate", "list"],
    ["candidate", "list", "--all"],
    ["outbox", "list"],
    ["audit", "verify"],
]

# Runs the CLI and writes its peak RSS (KiB on Linux) to the file named by the first argument, as it exits.
PROBE = """
import atexit, resource, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
from workflow.cli.main import run
run()
"""


def measure(db: Path, command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command in a fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PROBE, rss.name, "--db", f"sqlite:///{db}", *command],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                              env={**os.environ, "COLUMNS": "120"})
        wall = time.perf_counter() - started
        if done.returncode not in (0, 4):  # 4: the audit found something (it does not on a built log)
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}")
        return wall, int(Path(rss.name).read_text() or 0) / 1024


def database(folder: Path, size: int) -> Path:
    db = folder / f"{size}.db"
    if db.exists():
        return db
    from benchmarks.bench_web import add_users, build  # only when building: it imports the HTTP client

    started = time.perf_counter()
    engine = fresh_sqlite(db)
    build(engine, size)
    add_users(engine)
    engine.dispose()
    print(f"built {size:,} candidates in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,50000", help="two candidate counts, comma-separated")
    parser.add_argument("--reuse", type=Path, help="a folder of <size>.db files from an earlier --keep run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)
    small, large = (int(s) for s in args.sizes.split(","))
    with scratch_dir(args.keep) as scratch:
        folder = args.reuse or scratch
        dbs = {size: database(folder, size) for size in (small, large)}
        results = {(size, tuple(c)): measure(dbs[size], c) for size in (small, large) for c in COMMANDS}
    rows = []
    for command in COMMANDS:
        (wall_s, rss_s), (wall_l, rss_l) = results[(small, tuple(command))], results[(large, tuple(command))]
        base_l = results[(large, ("--help",))][0]
        rows.append((" ".join(command), wall_s, wall_l, wall_l - base_l, rss_s, rss_l, rss_l / rss_s))
    print(f"\n{small:,} and {large:,} candidates, {machine_line()}\n")
    print_table(["command", f"s @{small:,}", f"s @{large:,}", "s over --help", f"MiB @{small:,}",
                 f"MiB @{large:,}", "MiB ratio"], rows)


if __name__ == "__main__":
    main()
