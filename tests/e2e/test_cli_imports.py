"""A CLI that starts at once (issue 14, item 4): `ketnap --help` loads no database layer (nor rich), and
`ketnap show` and `ketnap step` load the service but not the web stack, Excel, Alembic, the documents, the
charts, the notification templates or the scheduler. Each command is run in a fresh interpreter on a real SQLite
file, which then names the packages it loaded; the timings are in benchmarks/bench_cli_start.py, not here."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import FULL_PATH, Cli, assignments

ROOT = Path(__file__).resolve().parents[2]

# Loaded only by the commands that use them: `serve` (web), `import`/`report --xlsx`/`org restructure` (Excel),
# `init`/`backup` (Alembic), `document` (docx, PDF), report pages (charts), `reminders`/`outbox`/`scheduler`.
FEATURES = {"fastapi", "starlette", "uvicorn", "openpyxl", "alembic", "weasyprint", "docx", "docxtpl", "pygal",
            "jinja2", "httpx", "apscheduler"}
# The database layer: what a command that reads or records needs, and no `--help` does.
DATABASE = {"sqlalchemy", "sqlmodel", "holidays", "yaml"}
# Nor do `show` and `step` load the features they do not use: the refusal table names those features' errors,
# which live in workflow/errors.py (no tables); a change of the tree (storage/org_impact.py) touches every
# feature's tables; a SQLite file needs no PostgreSQL dialect; only `audit verify` starts processes.
OTHER_FEATURES = {"workflow.reminders", "workflow.audit.verify", "workflow.audit.rebuild", "workflow.backup",
                  "workflow.reports.classes", "workflow.reports.importer", "workflow.reports.plans",
                  "workflow.restructure.reading", "workflow.scheduler", "workflow.throttle", "storage.backups",
                  "storage.org_impact", "storage.contacts", "storage.reminder_tables", "storage.plans",
                  "storage.training_classes", "sqlalchemy.dialects.postgresql", "multiprocessing",
                  "concurrent.futures.process"}
# What only a user's step needs (their scope, their account): not the server's operator's.
A_USERS_STEP = {"workflow.scoped", "workflow.accounts", "argon2"}
# What only a step writes: the report's rows; and who is a user is not asked to show a candidate.
WRITTEN_BY_A_STEP = {"storage.report_model", "storage.report_tables", "storage.users", "storage.user_tables"}

PROBE = """
import json, sys
from workflow.cli.main import app
try:
    app(args=sys.argv[1:], prog_name="ketnap")
except SystemExit as done:
    code = done.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"exit": code, "loaded": loaded, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def loaded_by(*args: str) -> set[str]:
    """The top-level packages a fresh `ketnap ARGS...` has imported when it ends; the command must succeed."""
    return {m.split(".")[0] for m in modules_of(*args)}


def modules_of(*args: str) -> set[str]:
    """Every module a fresh `ketnap ARGS...` has imported when it ends; the command must succeed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KETNAP_ACTOR": "bí thư", "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["exit"] in (0, None), done.stdout + done.stderr
    return set(report["modules"])


def test_help_loads_neither_the_features_nor_the_database_layer() -> None:
    loaded = loaded_by("--help")

    assert "typer" in loaded  # the probe ran the CLI
    assert loaded & (FEATURES | DATABASE | {"pydantic", "rich"}) == set()


def test_the_help_of_a_command_loads_no_feature_and_no_database() -> None:
    """Typer (0.29) checks a command's parameters with pydantic, so a command's own help loads pydantic."""
    for command in ("serve", "import", "step", "show"):
        assert loaded_by(command, "--help") & (FEATURES | DATABASE) == set(), command


def test_show_and_step_load_the_service_and_nothing_they_do_not_use(cli: Cli) -> None:
    cid = cli.add_candidate()
    name, on, fields = FULL_PATH[1]

    shown = modules_of("--db", cli.db_url, "show", cid)
    stepped = modules_of("--db", cli.db_url, "step", cid, name, "--on", str(on), *assignments(fields))

    assert cli.run("show", cid)["version"] == 2  # the step was recorded by the probe
    assert "storage.report_model" in stepped and "workflow.service" in shown  # the probes did their work
    for modules in (shown, stepped):
        packages = {m.split(".")[0] for m in modules}
        assert "sqlalchemy" in packages  # the command read the database
        assert packages & FEATURES == set()
    assert shown & (OTHER_FEATURES | A_USERS_STEP | WRITTEN_BY_A_STEP) == set()
    assert stepped & (OTHER_FEATURES | A_USERS_STEP) == set()


def test_a_refused_step_loads_no_feature_either(cli: Cli) -> None:
    """A refusal is shown through the refusal table, which names every error class of every feature (from
    workflow/errors.py, which loads none of them)."""
    cid = cli.add_candidate()

    env = {**os.environ, "PYTHONPATH": str(ROOT), "KETNAP_ACTOR": "bí thư"}
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", cli.db_url, "step", cid, "admit", "--on",
                           "2024-01-11"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])

    assert report["exit"] == 2, done.stdout + done.stderr
    assert set(report["loaded"]) & FEATURES == set()
    assert set(report["modules"]) & OTHER_FEATURES == set()  # their errors are in workflow/errors.py
