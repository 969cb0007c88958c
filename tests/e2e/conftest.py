"""The CLI as a secretary runs it: `ketnap --db sqlite:///<temp file> --json ...`, in process through typer's
CliRunner (a few tests run the installed `.venv/bin/ketnap` itself)."""

import json
import shutil
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tests.builders import AFTER_VOTE, PATH_TO_VOTE
from workflow.cli.main import app

FULL_PATH = [*PATH_TO_VOTE, *AFTER_VOTE]
ORGS = [  # DU-XA decides for the branches of DU-CS, which is not authorised to admit (V2, V3)
    ["DU-XA", "--name", "Đảng ủy xã Tân Lập", "--level", "commune"],
    ["DU-CS", "--name", "Đảng ủy Trường THPT Tân Lập", "--level", "grassroots", "--parent", "DU-XA"],
    ["CB-01", "--name", "Chi bộ Giáo viên", "--level", "branch", "--parent", "DU-CS"],
    ["CB-02", "--name", "Chi bộ Học sinh", "--level", "branch", "--parent", "DU-CS"],
]


def vietnam_today() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def assignments(fields: dict[str, Any]) -> list[str]:
    """key=value arguments; anything but a string is given as JSON, as a secretary types it."""
    return [f"{k}={v}" if isinstance(v, str) else f"{k}={json.dumps(v, ensure_ascii=False)}"
            for k, v in fields.items()]


@dataclass
class Cli:
    db_url: str
    runner: CliRunner

    def run(self, *args: str, expect: int = 0, as_json: bool = True) -> Any:
        """Run one command; check its exit code; return its JSON document (or its text output)."""
        result = self.runner.invoke(app, ["--db", self.db_url, *(["--json"] if as_json else []), *args],
                                    env={"KETNAP_ACTOR": "bí thư"})
        assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return json.loads(result.stdout) if as_json else result

    def add_candidate(self, org: str = "CB-01", name: str = "Nguyễn Thị Hoà", on: str = "2024-01-10",
                      birth_date: str = "2000-03-15", extra: Iterable[str] = ("--category", "student")) -> str:
        doc = self.run("candidate", "add", "--org", org, "--name", name, "--birth-date", birth_date, "--sex", "F",
                       "--education", "university", "--on", on, *extra)
        return str(doc["id"])

    def step(self, candidate_id: str, name: str, on: date | str, fields: dict[str, Any] | None = None,
             *options: str, expect: int = 0) -> Any:
        return self.run("step", candidate_id, name, "--on", str(on), *options, *assignments(fields or {}),
                        expect=expect)

    def walk(self, candidate_id: str, path: list[tuple[str, date, dict[str, Any]]]) -> Any:
        doc = None
        for name, on, fields in path:
            doc = self.step(candidate_id, name, on, fields)
        return doc


def sqlite_path(cli: Cli) -> Path:
    return Path(cli.db_url.removeprefix("sqlite:///"))


def copy_database(source: Cli, directory: Path) -> Cli:
    """A copy of `source`'s database file (the WAL folded in first), for a test to change as it likes."""
    path = sqlite_path(source)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    target = directory / path.name
    shutil.copyfile(path, target)
    return Cli(f"sqlite:///{target}", CliRunner())


@pytest.fixture(scope="session")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """Built once: a database made by `ketnap init`, with the organisation tree of ORGS."""
    c = Cli(f"sqlite:///{tmp_path_factory.mktemp('template') / 'ketnap.db'}", CliRunner())
    c.run("init")
    for org in ORGS:
        c.run("org", "add", *org)
    return c


@pytest.fixture
def cli(initialised: Cli, tmp_path: Path) -> Cli:
    """A new SQLite file, initialised by `ketnap init`, with the organisation tree of ORGS."""
    return copy_database(initialised, tmp_path)
