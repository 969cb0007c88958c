"""The reminder commands as a secretary types them (typer's CliRunner on a real SQLite file): set contacts, preview,
run once at a given moment, see incidents in `outbox list --failed`, retry one by id."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import add_orgs, deadline, record_until, write_config
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli_app

LAST_ON = pytest.importorskip("datetime").date(2026, 11, 12)


@pytest.fixture
def setup(sqlite_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[dict[str, Any]]:
    engine = make_engine(sqlite_url)
    ketnap = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(ketnap)
    ceremony = record_until(ketnap, "hold_ceremony", LAST_ON)
    decision = record_until(ketnap, "committee_vote", LAST_ON)
    log = tmp_path / "sent.jsonl"
    config = write_config(tmp_path / "config.yaml", {"digest": {"enabled": False}},
                          {"channels": {"log": {"path": str(log)}}})
    yield {"db": sqlite_url, "config": str(config), "log": log, "ceremony": deadline(engine, ceremony, "ceremony"),
           "decision": deadline(engine, decision, "admission_decision")}
    engine.dispose()


def run(s: dict[str, Any], *args: str, expect: int = 0) -> Any:
    result = CliRunner().invoke(cli_app, ["--db", s["db"], "--config", s["config"], "--json", *args])
    assert result.exit_code == expect, result.output
    return json.loads(result.stdout)


def test_contacts_preview_run_once_incidents_and_retry(setup: dict[str, Any]) -> None:
    s = setup
    doc = run(s, "org", "contact", "CB-01", "--role", "secretary", "--email", "bithu@example.vn", "--name",
              "Đ/c Lê Văn Cường")
    assert (doc["requeued"], doc["email"]) == (0, "bithu@example.vn")
    preview = run(s, "reminders", "preview", "--days", "60", "--org", "CB-01", "--now", "2026-11-20T10:00")
    ceremony = [r for r in preview if r["kind"] == "ceremony" and r["type"] == "reminder"]
    assert {r["slot"] for r in ceremony} >= {"before-30", "before-7", "before-1", "due"}
    assert all(r["contact"] == "email:bithu@example.vn" for r in ceremony)
    office = [r for r in preview if r["kind"] == "admission_decision" and r["type"] == "reminder"]
    assert office and all(r["org"] == "DU-XA" and r["problem"] for r in office)
    escalations = [r for r in preview if r["type"] == "escalation"]
    assert {r["org"] for r in escalations} <= {"DU-CS", "TINH"}

    moment = s["ceremony"].due_on - timedelta(days=7)
    done = run(s, "reminders", "run-once", "--now", f"{moment}T07:05")
    assert done["dispatch"]["sent"] == 1 and done["sweep"]["late"] == 0
    [line] = s["log"].read_text(encoding="utf-8").splitlines()
    sent = json.loads(line)
    assert sent["to"] == "bithu@example.vn" and sent["subject"].startswith("Nhắc hạn: Lễ kết nạp – Nguyễn Thị Hoà")

    later = s["decision"].due_on - timedelta(days=1)
    # by then the ceremony is overdue too and escalates to DU-CS, which has no contact either
    assert run(s, "reminders", "run-once", "--now", f"{later}T08:00")["dispatch"]["incidents"] == 2
    incidents = run(s, "outbox", "list", "--failed")["items"]
    assert sorted((f["problem"], f["org"], f["role"]) for f in incidents) == [
        ("no_contact", "DU-CS", "upper"), ("no_contact", "DU-XA", "office")]
    [failed] = [f for f in incidents if f["org"] == "DU-XA"]
    assert "ketnap org contact DU-XA --role office" in failed["last_error"]
    assert run(s, "outbox", "retry", str(failed["id"]))["status"] == "pending"
    run(s, "outbox", "retry", str(failed["id"]), expect=2)  # pending now: nothing to retry

    requeued = run(s, "org", "contact", "DU-XA", "--role", "office", "--webhook", "https://duxa.example.vn/hook")
    assert requeued["requeued"] == 0  # it was already pending again
    assert run(s, "reminders", "run-once", "--now", f"{later}T08:10")["dispatch"]["sent"] == 1
    assert [f["org"] for f in run(s, "outbox", "list", "--failed")["items"]] == ["DU-CS"]
    assert run(s, "org", "contact", "DU-CS", "--role", "office", "--email", "vp@ducs.vn")["requeued"] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["org", "contact", "CB-01", "--role", "chairman", "--email", "a@b.vn"], "role"),
    (["org", "contact", "CB-01", "--role", "secretary"], "--email or --webhook"),
    (["org", "contact", "CB-01", "--role", "secretary", "--email", "not-an-address"], "not an e-mail"),
    (["org", "contact", "CB-01", "--role", "office", "--webhook", "ftp://x"], "http"),
    (["org", "contact", "NOPE", "--role", "secretary", "--email", "a@b.vn"], "no organisation"),
    (["reminders", "preview", "--org", "NOPE"], "no organisation"),
    (["outbox", "retry", "4242"], "no outbox row 4242"),
])
def test_wrong_input_is_refused_with_the_reason(setup: dict[str, Any], args: list[str], message: str) -> None:
    doc = run(setup, *args, expect=2)
    assert message in doc["message"]
