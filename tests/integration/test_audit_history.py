"""Two kinds of time travel on a history with a back-dated step and a correction: `--as-of` a business date,
`--known-at` a recorded moment; corrections shown next to the values they correct, in text and JSON."""

import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from tests.fakes import FrozenClock
from tests.integration.support import record, record_path, steps_until
from workflow.cli.main import app as cli_app
from workflow.service import Ketnap

pytestmark = pytest.mark.integration
DECIDED_ON = date(2024, 8, 1)


@pytest.fixture
def story(ketnap: Ketnap, clock: FrozenClock) -> dict[str, object]:
    """Up to the committee vote entered at T0; the admission decision entered 40 days later but dated
    2024-08-01 (back-dated); five days after that, its number corrected by the office."""
    t0 = clock.now()
    cid = record_path(ketnap, steps_until("decide_admission"))
    clock.advance(days=40)
    decided = record(ketnap, cid, "decide_admission", DECIDED_ON, {"decision_no": "123-QĐ/ĐU", "decided_by": "DU-XA",
                                                                   "received_on": "2024-08-05"}, actor="bí thư")
    clock.advance(days=5)
    record(ketnap, cid, "correct", date(2024, 8, 6), {"corrects": decided.candidate.version,
                                                       "fields": {"decision_no": "124-QĐ/ĐU"},
                                                       "reason": "số quyết định ghi nhầm"}, actor="văn phòng")
    return {"id": cid, "t0": t0, "decision_version": decided.candidate.version}


def cli(ketnap: Ketnap, *args: str) -> dict[str, object]:
    url = ketnap.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli_app, ["--db", url, "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_known_at_before_the_late_entry_shows_what_the_system_showed(ketnap: Ketnap, story: dict) -> None:
    seen_then = story["t0"] + timedelta(days=1)  # type: ignore[operator]
    candidate, events = ketnap.history(story["id"], known_at=seen_then)  # type: ignore[arg-type]
    assert candidate.stage.value == "vetted"  # type: ignore[union-attr]
    assert "decide_admission" not in {e.type for e in events}
    assert {d.kind for d in candidate.open_deadlines()} == {"admission_decision", "certificate_expiry"}


def test_known_at_after_entry_but_before_correction_shows_the_uncorrected_value(ketnap: Ketnap,
                                                                                story: dict) -> None:
    moment = story["t0"] + timedelta(days=42)  # type: ignore[operator]
    doc = cli(ketnap, "history", str(story["id"]), "--known-at", moment.isoformat())
    decision = next(e for e in doc["events"] if e["type"] == "decide_admission")  # type: ignore[union-attr]
    assert decision["payload"]["decision_no"] == "123-QĐ/ĐU" and decision["corrections"] == []
    assert doc["stage"] == "admitted"


def test_as_of_shows_the_stage_and_the_deadlines_open_that_day(ketnap: Ketnap, story: dict) -> None:
    doc = cli(ketnap, "history", str(story["id"]), "--as-of", "2024-07-05")
    assert doc["stage"] == "vetted"
    assert {d["kind"] for d in doc["open_deadlines"]} == {"admission_decision", "certificate_expiry"}  # type: ignore[union-attr]
    doc = cli(ketnap, "history", str(story["id"]), "--as-of", "2024-08-10")
    assert doc["stage"] == "admitted"  # the back-dated decision counts on its own date
    assert [d["kind"] for d in doc["open_deadlines"]] == ["ceremony"]  # type: ignore[union-attr]


def test_a_correction_sits_next_to_the_value_it_corrects_with_reason_and_actor(ketnap: Ketnap,
                                                                              story: dict) -> None:
    doc = cli(ketnap, "history", str(story["id"]), "--as-of", "2024-08-10")
    decision = next(e for e in doc["events"] if e["type"] == "decide_admission")  # type: ignore[union-attr]
    [fix] = decision["corrections"]
    assert fix["changes"] == [{"field": "decision_no", "from": "123-QĐ/ĐU", "to": "124-QĐ/ĐU"}]
    assert (fix["reason"], fix["actor"]) == ("số quyết định ghi nhầm", "văn phòng")
    url = ketnap.engine.url.render_as_string(hide_password=False)
    text = CliRunner().invoke(cli_app, ["--db", url, "history", str(story["id"])], env={"COLUMNS": "300"}).stdout
    assert "123-QĐ/ĐU → 124-QĐ/ĐU" in text and "số quyết định ghi nhầm" in text and "văn phòng" in text


def test_late_entries_group_the_back_dated_step_by_org_and_actor(ketnap: Ketnap, story: dict) -> None:
    entered = (story["t0"] + timedelta(days=40)).date()  # type: ignore[operator]
    delay = (entered - DECIDED_ON).days
    doc = cli(ketnap, "audit", "late-entries", "--min-days", str(delay - 1))
    groups = {(g["org"], g["actor"]): g for g in doc["groups"]}  # type: ignore[union-attr]
    late = groups[("CB-01", "bí thư")]
    assert [(e["step"], e["days"]) for e in late["entries"]] == [("decide_admission", delay)]
    assert all(e["days"] > delay - 1 for g in groups.values() for e in g["entries"])
    doc = cli(ketnap, "audit", "late-entries", "--min-days", str(delay))  # "more than N days"
    assert ("CB-01", "bí thư") not in {(g["org"], g["actor"]) for g in doc["groups"]}  # type: ignore[union-attr]


def test_the_dossier_lists_forms_rule_sets_late_marks_and_corrections(ketnap: Ketnap, story: dict,
                                                                     tmp_path: object) -> None:
    doc = cli(ketnap, "export", "dossier", str(story["id"]), "--format", "json")
    rows = {r["step"]: r for r in doc["timeline"]}  # type: ignore[union-attr]
    assert rows["branch_vote"]["forms"] == ["6-KNĐ"] and rows["decide_admission"]["forms"] == ["9-KNĐ"]
    assert rows["decide_admission"]["rule_set"] == "qd24-2021" and rows["decide_admission"]["actor"] == "bí thư"
    assert rows["decide_admission"]["corrections"][0]["reason"] == "số quyết định ghi nhầm"
    assert doc["integrity"]["chain_ok"] is True  # type: ignore[index]
    url = ketnap.engine.url.render_as_string(hide_password=False)
    html = CliRunner().invoke(cli_app, ["--db", url, "export", "dossier", str(story["id"]), "--format", "html"]).stdout
    assert "@page { size: A4" in html and "124-QĐ/ĐU" in html and "9-KNĐ" in html
    csv_text = CliRunner().invoke(cli_app, ["--db", url, "export", "dossier", str(story["id"]), "--format",
                                            "csv"]).stdout
    header, *lines = csv_text.splitlines()
    assert header.startswith("version,step,on") and len(lines) == int(story["decision_version"]) + 1  # type: ignore[call-overload]
    assert any("123-QĐ/ĐU -> 124-QĐ/ĐU" in line for line in lines)


