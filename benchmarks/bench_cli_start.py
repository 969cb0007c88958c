"""How long a `ketnap` command takes to start (issue 14, item 4): `--help`, `show ID` and `step ID STEP` on a real
SQLite file, each in a fresh interpreter, against `python -c pass`, a bare typer application's `--help` and the
imports of the libraries a reading command cannot do without (SQLAlchemy, SQLModel, pydantic, typer, rich),
measured in the same run.

    .venv/bin/python -m benchmarks.bench_cli_start [--runs 15] [--also /path/to/another/checkout]

`--also` runs the same commands with another checkout of ketnap on PYTHONPATH (e.g. the previous release), so a
before/after comparison is made in one run, on one load. Wall time is what a person waits; CPU time (user+sys of
the child) is steadier on a shared machine. To see where the time goes:

    PYTHONPATH=. .venv/bin/python -X importtime -m workflow.cli.main --help 2> imports.txt
    sort -t'|' -k2 -n -r imports.txt | head -30
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TYPER_HELP = """
import typer
app = typer.Typer(add_completion=False, rich_markup_mode=None)
@app.command()
def a(x: int = 1) -> None:
    '''A command.'''
@app.command()
def b(x: int = 1) -> None:
    '''Another.'''
app()
"""

# What a command that reads the database imports before any of ketnap's code: its floor.
FLOORS = (("import sqlalchemy", "import sqlalchemy"),
          ("import sqlalchemy, sqlmodel, pydantic, typer, rich (floor)",
           "import sqlalchemy, sqlmodel, pydantic, typer, rich.console, sqlalchemy.dialects.sqlite"))


def timed(argv: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run; the command must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-1000:]}{done.stderr[-1000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ketnap(root: Path, *args: str) -> tuple[list[str], dict[str, str], Path]:
    """The command run from `root` (`python -c` puts the working directory first on sys.path, before
    PYTHONPATH and the virtualenv's editable install), with its bytecode cached as an installed ketnap has it:
    PYTHONDONTWRITEBYTECODE (set in some shells and CI) would compile every module of ketnap on every run."""
    env = {**os.environ, "PYTHONPATH": str(root), "KETNAP_ACTOR": "benchmark", "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return [sys.executable, "-c", "from workflow.cli.main import run; run()", *args], env, root


def prepare(db: Path, candidates: int) -> list[str]:
    """A demo database and `candidates` newly identified candidates, each ready for `assign_helper` (made in this
    process: only the timed commands start an interpreter)."""
    from typer.testing import CliRunner

    from workflow.cli.main import app

    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(app, ["--db", f"sqlite:///{db}", *args], env={"KETNAP_ACTOR": "benchmark"})
        if done.exit_code != 0:
            raise SystemExit(f"{args} failed: {done.output}")
        return done.stdout.strip()

    run("demo")
    return [run("candidate", "add", "--org", "CB-GV", "--name", f"Nguyễn Văn Thử {i}", "--birth-date",
                "2000-01-01", "--sex", "M", "--education", "university", "--on", "2026-01-05")
            for i in range(candidates)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per command (the median is shown)")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="another checkout of ketnap to time with the same commands")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ketnap.db"
        ids = prepare(db, args.runs * (1 + len(args.also)))
        url = f"sqlite:///{db}"
        on = (date(2026, 1, 5) + timedelta(days=10)).isoformat()
        plain_env = {**os.environ}
        rows: list[tuple[str, list[tuple[float, float]]]] = [
            ("python -c pass (baseline)", [timed([sys.executable, "-c", "pass"], plain_env) for _ in range(args.runs)]),
            ("bare typer app --help", [timed([sys.executable, "-c", TYPER_HELP, "--help"], plain_env)
                                       for _ in range(args.runs)]),
            *((label, [timed([sys.executable, "-c", code], plain_env) for _ in range(args.runs)])
              for label, code in FLOORS),
        ]
        fresh = iter(ids)
        for root in [ROOT, *args.also]:
            tag = "" if root == ROOT else f" [{root}]"
            for label, command in (("ketnap --help", ["--help"]),
                                   ("ketnap show ID", ["--db", url, "show", ids[0]]),
                                   ("ketnap step ID assign_helper", None)):
                if command:  # once untimed: writes the checkout's bytecode caches (__pycache__)
                    timed(*ketnap(root, *command))
                runs = []
                for _ in range(args.runs):
                    cmd = command or ["--db", url, "step", next(fresh), "assign_helper", "--on", on,
                                      "helper=Phạm Văn Bình"]
                    runs.append(timed(*ketnap(root, *cmd)))
                rows.append((label + tag, runs))

    base_wall = statistics.median(w for w, _ in rows[0][1])
    base_cpu = statistics.median(c for _, c in rows[0][1])
    print(f"{'command':58s} {'wall s':>7s} {'ratio':>6s} {'CPU s':>7s} {'ratio':>6s}   (median of {args.runs})")
    for label, runs in rows:
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{label:58s} {wall:7.3f} {wall / base_wall:6.1f} {cpu:7.3f} {cpu / base_cpu:6.1f}")
    print(f"load average when done: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
