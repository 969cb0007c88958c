"""The CLI's records (issue 11, items 7 to 9): every command that shows or exports a candidate's file is in the
access log with its actor and OS account; `ketnap audit access` lists it; `ketnap backup` and `ketnap restore`
with their exit statuses; new database and backup files are readable by their owner only."""

import getpass
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from storage import migrate
from storage.engine import make_engine
from tests.e2e.conftest import Cli, sqlite_path
from workflow.clock import VIETNAM


def test_every_cli_view_of_a_file_is_recorded_and_listed_by_audit_access(cli: Cli, tmp_path: Path) -> None:
    cid = cli.add_candidate()
    cli.run("show", cid)
    cli.run("history", cid, "--as-of", "2024-06-01")
    cli.run("export", "dossier", cid, "--format", "csv", "--output", str(tmp_path / "d.csv"), as_json=False)
    cli.run("candidate", "export", "--xlsx", str(tmp_path / "c.xlsx"), "--org", "CB-01")
    cli.run("candidate", "list")  # a list on the screen, not a file or an export: not recorded

    doc = cli.run("audit", "access", "--user", "bí thư")
    rows = doc["items"]
    assert [(r["view"], r["candidate_id"], r["org"], r["count"]) for r in rows] == [
        ("export_xlsx", None, "CB-01", 1), ("dossier_csv", cid, "CB-01", None), ("cli_history", cid, "CB-01", None),
        ("cli_show", cid, "CB-01", None)]
    assert {(r["actor"], r["role"], r["via"], r["origin"]) for r in rows} == {
        ("bí thư", None, "cli", f"cli:{getpass.getuser()}")}
    assert "org=CB-01 stage=*" in rows[0]["scope"] and doc["has_more"] is False
    at = rows[0]["at"]
    assert at.endswith("Z") or at.endswith("+00:00"), "ISO UTC on the wire"

    text = cli.run("audit", "access", "--candidate", cid, "--limit", "2", as_json=False).stdout
    moment = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    assert "giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+07:00)" in text and moment in text
    assert "dossier_csv" in text and "cli_show" not in text and "more exist: --offset 2" in text
    assert cli.run("audit", "access", "--candidate", cid, "--since", "01/01/2999")["items"] == []
    assert cli.run("audit", "access", expect=2)["code"] == "invalid_request"
    assert cli.run("audit", "access", "--user", "x", "--since", "31/02/2026", expect=2)["code"] == "invalid_request"


def test_backup_and_restore_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    cid = cli.add_candidate()
    cli.run("show", cid)
    file = tmp_path / "ketnap.backup"
    made = cli.run("backup", str(file))
    assert made["counts"]["candidates"] == 1 and made["counts"]["access_log"] == 1
    for path in (file, tmp_path / "ketnap.backup.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli.run("backup", str(file), expect=2)["code"] == "backup_refused"  # never overwritten

    target = Cli(f"sqlite:///{tmp_path / 'restored.db'}", cli.runner)
    restored = target.run("restore", str(file))
    assert restored["ok"] and restored["digest_matches"] and restored["verify"]["findings"] == []
    assert target.run("show", cid)["id"] == cid
    refused = target.run("restore", str(file), expect=2)  # the copy now holds events
    assert refused["code"] == "backup_refused" and "restored only into an empty database" in refused["message"]


def test_a_restored_copy_whose_digest_differs_from_the_manifest_exits_4(cli: Cli, tmp_path: Path) -> None:
    cli.add_candidate()
    file = tmp_path / "ketnap.backup"
    cli.run("backup", str(file))
    manifest = tmp_path / "ketnap.backup.json"
    doc = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**doc, "digest": "0" * 64}))
    target = Cli(f"sqlite:///{tmp_path / 'restored.db'}", cli.runner)
    result = target.run("restore", str(file), expect=4, as_json=False)
    assert "DIFFERS from the manifest's " + "0" * 64 in result.stdout


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_database_and_its_wal_and_shm_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "ketnap.db"
    with umask(0o022):
        engine = make_engine(f"sqlite:///{path}")
        migrate.upgrade(engine)
        with engine.connect() as conn:  # an open connection keeps -wal and -shm beside the file
            conn.exec_driver_sql("SELECT count(*) FROM event").fetchall()
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        engine.dispose()
    assert modes == {"ketnap.db": 0o600, "ketnap.db-wal": 0o600, "ketnap.db-shm": 0o600}


def test_an_existing_database_keeps_the_mode_its_operator_gave_it(cli: Cli) -> None:
    path = sqlite_path(cli)
    path.chmod(0o640)
    cli.run("org", "list")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
