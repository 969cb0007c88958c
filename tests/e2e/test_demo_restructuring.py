"""The demo carries the 2025 restructuring (issue 10): `ketnap demo` shows a dissolved district, the communes founded
on 1 July 2025, candidates carried across it with their events untouched, reminders going to the new offices,
reports across the date, and an audit that finds nothing to report."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storage.engine import make_engine
from tests.builders import settings
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli
from workflow.demo import RESTRUCTURED_ON


class Demo:
    def __init__(self, db: Path) -> None:
        self.url = f"sqlite:///{db}"

    def run(self, *args: str) -> Any:
        result = CliRunner().invoke(cli, ["--db", self.url, "--json", *args], env={"KETNAP_ACTOR": "demo"})
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    loaded = Demo(tmp_path_factory.mktemp("demo") / "ketnap.db")
    loaded.run("demo")
    return loaded


def test_the_district_is_dissolved_and_the_new_communes_founded_on_1_july_2025(demo: Demo) -> None:
    orgs = {o["code"]: o for o in demo.run("org", "list")}

    assert (orgs["HUYEN-HH"]["ended_by"], orgs["HUYEN-HH"]["ended_on"]) == ("dissolved", "2025-07-01")
    assert {orgs[c]["founded_on"] for c in ("XA-TL", "XA-TP")} == {RESTRUCTURED_ON.isoformat()}
    assert (orgs["XA-TLIEN"]["successors"], orgs["XA-THOP"]["successors"]) == (["XA-TP"], ["XA-TP"])
    assert orgs["DU-THPT"]["parent_code"] == "XA-TL" and orgs["CB-LP"]["successors"] == ["CB-TH"]
    history = demo.run("org", "history", "XA-TL")
    assert "1701-QĐ/TU" in json.dumps(history, ensure_ascii=False)


def test_candidates_are_carried_across_and_their_events_are_untouched(demo: Demo) -> None:
    listed = {c["full_name"]: c for c in demo.run("candidate", "list")["items"]}
    app = bootstrap(settings(), engine=make_engine(demo.url))

    mai = listed["Kiều Thị Mai"]
    assert mai["org"] == "CB-TH" and app.events(mai["id"])[0].payload["org"] == "CB-LP"
    lan = {e.type: e for e in app.events(listed["Hồ Thị Lan"]["id"])}
    assert lan["branch_vote"].effective_on < RESTRUCTURED_ON <= lan["decide_admission"].effective_on
    assert lan["decide_admission"].payload["decided_by"] == "XA-TL"
    son = {e.type: e for e in app.events(listed["Hồ Văn Sơn"]["id"])}
    assert son["branch_vote"].effective_on < RESTRUCTURED_ON and "committee_vote" not in son
    assert son["decide_admission"].payload["decided_by"] == "XA-TP"
    pa = {e.type: e for e in app.events(listed["Hồ Văn Pả"]["id"])}
    assert (pa["decide_admission"].payload["decided_by"], pa["recognise_official"].payload["decided_by"]) == (
        "HUYEN-HH", "XA-TL")


def test_the_audit_of_the_demo_is_clean(demo: Demo) -> None:
    report = demo.run("audit", "verify")
    assert report["ok"] and report["findings"] == [], report
    judged = report["judged_under"]  # the demo's steps straddle HD 06's first day (09/06/2025) and QĐ 294's
    assert judged["qd232-2025 + hd06-2025"] > 0 and judged["qd294-2025 + hd06-2025"] > 0, judged
    assert sum(judged.values()) == report["events"]


def test_reminders_of_the_merged_communes_candidates_go_to_the_new_office(demo: Demo) -> None:
    preview = demo.run("reminders", "preview")
    offices = {(r["org"], r["contact"]) for r in preview if r["role"] == "office"}
    assert ("XA-TP", "email:xa-tp@example.vn") in offices
    assert all(r["problem"] is None for r in preview), [r for r in preview if r["problem"]]


def test_the_new_communes_2025_report_counts_the_districts_first_half_year(demo: Demo) -> None:
    counted = demo.run("report", "admissions", "--org", "XA-TL", "--period", "2025")
    left_out = demo.run("report", "admissions", "--org", "XA-TL", "--period", "2025", "--no-predecessors")
    district = demo.run("report", "admissions", "--org", "HUYEN-HH", "--period", "2025")

    assert [(o["code"], o["admissions"]) for o in counted["predecessors"]["organisations"]] == [("HUYEN-HH", 1)]
    assert counted["admissions"] == left_out["admissions"] + 1
    assert district["org"]["ended_by"] == "dissolved" and district["admissions"] == 1
