"""Every benchmark still runs, on tiny sizes, and prints its comparison with the baseline of the same run.

Not a timing test: it only proves the README's commands work, so a refactor cannot silently break them.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TINY = [
    ("bench_steps_sqlite", ["--candidates", "5", "--repeat", "1", "--warmup", "0"], "engine / variant"),
    ("bench_replay", ["--sizes", "50,100"], "engine / plain"),
    ("bench_audit", ["--size", "2000", "--workers", "1"], "ratio to baseline"),
    ("bench_sweep", ["--size", "2000"], "bare indexed query"),
    ("bench_dispatch", ["--size", "20"], "smtplib"),
    ("bench_reports", ["--size", "50", "--import-rows", "20"], "plain SQL"),
    ("bench_web", ["--size", "100", "--requests", "20"], "trivial"),
    ("bench_restructure", ["--orgs", "60", "--candidates", "100"], "plain sqlite3"),
    ("bench_documents", ["--candidates", "3", "--pdf", "1"], "template baseline"),
    ("bench_cli_start", ["--runs", "1"], "python -c pass"),
]
PROVINCE = ["--repeat", "1", "--requests", "3", "--steps", "5"]


@pytest.mark.parametrize(("module", "args", "baseline_label"), TINY, ids=[t[0] for t in TINY])
def test_benchmark_runs_and_prints_its_baseline(module: str, args: list[str], baseline_label: str) -> None:
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert baseline_label in done.stdout, done.stdout[-2000:]


def test_province_builds_a_kept_file_then_measures_it(tmp_path: Path) -> None:
    """Built once (`--only-build --database FILE`), measured later from the file (`--database FILE`)."""
    db = tmp_path / "province.sqlite"
    built = subprocess.run([sys.executable, "-m", "benchmarks.province", "--size", "200", "--only-build",
                            "--database", str(db)], capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    assert db.exists() and "x --help" not in built.stdout, built.stdout[-2000:]
    done = subprocess.run([sys.executable, "-m", "benchmarks.province", "--database", str(db), *PROVINCE],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"kept {db}: 200 candidates" in done.stdout and "x --help" in done.stdout, done.stdout[-2000:]


@pytest.mark.postgres
def test_postgres_step_benchmark_runs(pg_url: str) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_steps_postgres", "--candidates", "3",
                           "--repeat", "1"], capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "KETNAP_BENCH_DATABASE_URL": pg_url})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "plain psycopg" in done.stdout, done.stdout[-2000:]


@pytest.mark.postgres
def test_national_benchmark_runs_and_its_data_set_verifies_clean(pg_url: str) -> None:
    """benchmarks/national.py at a tiny scale, built once into a kept database (`--only-build --name`) and then
    measured from it (`--database`): every scenario runs and prints its baseline, and `audit verify` of the
    generated data set (with the steps the benchmark recorded on it) exits 0."""
    name = f"ketnap_bench_kept_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "KETNAP_BENCH_DATABASE_URL": pg_url}
    built = subprocess.run([sys.executable, "-m", "benchmarks.national", "--scale", "0.0002", "--only-build",
                            "--name", name], capture_output=True, text=True, timeout=900, check=False, env=env)
    kept = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
        assert f"database: {kept}" in built.stdout, built.stdout[-2000:]
        done = subprocess.run([sys.executable, "-m", "benchmarks.national", "--database", kept, "--requests", "6",
                               "--clients", "2", "--steps-per-client", "1", "--deliver-seconds", "120"],
                              capture_output=True, text=True, timeout=900, check=False, env=env)
    finally:
        admin = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "kept at " + name in done.stdout, done.stdout[-2000:]
    assert "bare SQL" in done.stdout and "plain psycopg" in done.stdout, done.stdout[-2000:]
    assert "exit 0 (clean)" in done.stdout, done.stdout[-2000:]
    # three schedulers sent the day's reminders: each arrived exactly once, none is left
    assert "deliveries: duplicates 0, missing 0" in done.stdout and "drained after" in done.stdout, \
        done.stdout[-2000:]


@pytest.mark.postgres
def test_page_cost_benchmark_runs_on_a_kept_national_set(pg_url: str) -> None:
    """benchmarks/page_cost.py on a tiny national set kept for it: the round trips and the server's CPU per page,
    next to the health check."""
    env = {**os.environ, "KETNAP_BENCH_DATABASE_URL": pg_url}
    built = subprocess.run([sys.executable, "-m", "benchmarks.national", "--scale", "0.0002", "--only-build", "--keep"],
                           capture_output=True, text=True, timeout=900, check=False, env=env)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    url = built.stdout.split("database: ")[1].split()[0]
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.page_cost", url, "--requests", "4", "--clients", "2"],
                              capture_output=True, text=True, timeout=600, check=False, env=env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "| health |" in done.stdout and "pool checkouts" in done.stdout, done.stdout[-2000:]
    finally:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()
