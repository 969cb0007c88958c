"""Logs written by earlier releases upgrade with `ketnap init` and verify clean (never rewritten, never read
differently). tests/golden/release-0008-demo.db is `ketnap demo` as release 0008 (schema 0008, before the
organisation log) wrote it; its organisations get their `created` events on upgrade."""

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from workflow.cli.main import app as cli

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _events_digest(db: Path) -> str:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT stream_id, version, hash, payload, derived FROM event ORDER BY position").fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def test_release_0008_upgrades_and_verifies_clean(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(GOLDEN / "release-0008-demo.db", db)
    before = _events_digest(db)
    url = f"sqlite:///{db}"
    runner = CliRunner()

    upgraded = runner.invoke(cli, ["--db", url, "--json", "init"])
    verified = runner.invoke(cli, ["--db", url, "--json", "audit", "verify"])
    orgs = runner.invoke(cli, ["--db", url, "--json", "org", "history", "CB-GV"])

    assert upgraded.exit_code == 0, upgraded.output
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["ok"] and report["events"] == 69, report["findings"]
    assert _events_digest(db) == before  # not one stored event rewritten
    history = json.loads(orgs.stdout)
    assert [c["change"] for c in history["changes"]] == ["created"]
    assert history["changes"][0]["effective_on"] is None  # "before anything recorded"


def test_upgrading_a_golden_log_twice_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(GOLDEN / "release-0008-demo.db", db)
    runner = CliRunner()
    for _ in range(2):
        assert runner.invoke(cli, ["--db", f"sqlite:///{db}", "init"]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["--db", f"sqlite:///{db}", "--json", "org", "list"]).stdout)
    assert len(listed) == 6
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM org_event").fetchone() == (6,)
