"""Reports across the 2025 restructuring (issue 10, item 6), on SQLite and PostgreSQL: a past period's report gives
the same figures after the restructuring; a new organisation's report over 2025 counts its predecessors' branches
for the first half-year, shown as such, and leaves them out on request; plans stay with their organisation.

District H held grassroots DU-CS (branches CB-01, CB-02) and the old communes XA-A (CB-A1) and XA-B (CB-B1).
On 1 July 2025 DU-CS goes under the new commune X; XA-A and XA-B are merged into the new commune Y, and branch
CB-B1 into CB-A1; H is dissolved. Candidate events still name CB-01, CB-A1 and CB-B1."""

import json
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from states.organisations import OrgChange
from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reports_data import admit, people
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli
from workflow.commands import AddOrganisation
from workflow.reports.admissions import admissions_report
from workflow.reports.classes import AddClass, add_class, class_stats
from workflow.reports.periods import parse_period
from workflow.reports.plans import SetPlan, set_membership, set_plan
from workflow.service import Ketnap

ON = date(2025, 7, 1)
ISSUER = "Ban Thường vụ Tỉnh ủy"
TREE = [
    AddOrganisation(code="TINH", name="Tỉnh ủy", level="province"),
    AddOrganisation(code="H", name="Huyện ủy Điện Biên", level="upper", parent="TINH"),
    AddOrganisation(code="DU-CS", name="Đảng ủy Trường THPT", level="grassroots", parent="H"),
    AddOrganisation(code="CB-01", name="Chi bộ Giáo viên", level="branch", parent="DU-CS"),
    AddOrganisation(code="CB-02", name="Chi bộ Học sinh", level="branch", parent="DU-CS"),
    AddOrganisation(code="XA-A", name="Đảng ủy xã A", level="grassroots", parent="H"),
    AddOrganisation(code="CB-A1", name="Chi bộ thôn A1", level="branch", parent="XA-A"),
    AddOrganisation(code="XA-B", name="Đảng ủy xã B", level="grassroots", parent="H"),
    AddOrganisation(code="CB-B1", name="Chi bộ thôn B1", level="branch", parent="XA-B"),
]
BEFORE_2025 = {  # decision date: admissions per branch
    date(2021, 5, 10): {"CB-01": 2, "CB-A1": 1},
    date(2022, 3, 15): {"CB-01": 3, "CB-02": 1, "CB-A1": 2},
    date(2022, 10, 4): {"CB-01": 2, "CB-B1": 2},
    date(2025, 2, 20): {"CB-01": 3, "CB-A1": 2},
    date(2025, 6, 30): {"CB-02": 1, "CB-B1": 1},
}
AFTER = {date(2025, 7, 1): {"CB-01": 1}, date(2025, 8, 12): {"CB-02": 2, "CB-A1": 1, "CB-B1": 1}}


def admit_all(app: Ketnap, plan: dict[date, dict[str, int]]) -> None:
    for day, branches in plan.items():
        for branch, n in branches.items():
            admit(app.engine, day, people(n, org=branch, full_name=f"{branch} {day}"))


def restructure(app: Ketnap) -> None:
    """HD 31-HD/BTCTW, as one restructuring: new communes X and Y, the district ends the same day."""
    app.organisations.change([
        OrgChange("created", "X", ON, "101-QĐ/TU", ISSUER, name="Đảng ủy xã X", level="commune", parent="TINH"),
        OrgChange("created", "Y", ON, "102-QĐ/TU", ISSUER, name="Đảng ủy xã Y", level="commune", parent="TINH"),
        OrgChange("moved", "DU-CS", ON, "103-QĐ/TU", ISSUER, parent="X"),
        OrgChange("merged", "XA-A", ON, "104-QĐ/TU", ISSUER, into="Y"),
        OrgChange("merged", "XA-B", ON, "104-QĐ/TU", ISSUER, into="Y"),
        OrgChange("merged", "CB-B1", ON, "105-QĐ/ĐU", "Đảng ủy xã Y", into="CB-A1"),
        OrgChange("dissolved", "H", ON, "106-QĐ/TU", ISSUER),
    ], "admin")


@pytest.fixture
def district(app: Ketnap) -> Ketnap:
    return build_district(app)


def build_district(app: Ketnap) -> Ketnap:
    for org in TREE:
        app.add_org(org)
    admit_all(app, BEFORE_2025)
    set_plan(app, SetPlan(org="H", first_year=2022, last_year=2022, total=12, name="Nghị quyết Huyện ủy 2022"), "t")
    set_plan(app, SetPlan(org="H", first_year=2025, last_year=2025, total=20, name="Kế hoạch huyện 2025"), "t")
    set_plan(app, SetPlan(org="XA-A", first_year=2025, last_year=2025, total=5, name="Kế hoạch xã A 2025"), "t")
    set_membership(app, "H", 2022, 400, "t")
    set_membership(app, "XA-A", 2022, 90, "t")
    add_class(app, AddClass(code="BD-2022", name="Lớp nhận thức khóa 1/2022", organiser="XA-A",
                            starts_on=date(2022, 4, 4), ends_on=date(2022, 4, 9)), "t")
    return app


def reports(app: Ketnap) -> dict[str, Any]:
    return {(org, label): admissions_report(app, org, parse_period(label))
            for org in ("H", "XA-A", "CB-B1", "TINH") for label in ("2022", "2022-H2", "2021-2022")}


def without_org(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything but the organisation's own description (which now says it ended)."""
    return {k: v for k, v in doc.items() if k != "org"}


def test_a_past_periods_report_gives_the_same_figures_after_the_district_is_dissolved(district: Ketnap) -> None:
    before = reports(district)
    classes_before = class_stats(district, "H", parse_period("2022"))
    assert before["H", "2022"]["admissions"] == 3 + 1 + 2 + 2 + 2
    assert [u["code"] for u in before["H", "2022"]["sub_units"]] == ["DU-CS", "XA-A", "XA-B"]

    restructure(district)
    admit_all(district, AFTER)
    after = reports(district)

    for key, doc in before.items():
        assert without_org(after[key]) == without_org(doc), key
        assert {k: after[key]["org"][k] for k in ("code", "name", "level")} == \
            {k: doc["org"][k] for k in ("code", "name", "level")}
    assert after["H", "2022"]["org"]["ended_by"] == "dissolved"
    assert after["XA-A", "2022"]["org"]["successors"] == ["Y"]
    assert class_stats(district, "H", parse_period("2022")) == classes_before
    assert classes_before["classes_held"] == 1


def test_the_new_communes_2025_report_counts_its_predecessors_first_half_year(district: Ketnap) -> None:
    restructure(district)
    admit_all(district, AFTER)

    x = admissions_report(district, "X", parse_period("2025"))
    y = admissions_report(district, "Y", parse_period("2025"))

    assert x["admissions"] == (3 + 1) + (1 + 2)  # CB-01 and CB-02 under H, then under X
    assert x["predecessors"]["included"] and x["predecessors"]["admissions"] == 4
    assert x["predecessors"]["founded_on"] == ON
    assert [(o["code"], o["admissions"]) for o in x["predecessors"]["organisations"]] == [("H", 4)]
    assert [(u["code"], u["admissions"]) for u in x["sub_units"]] == [("DU-CS", 7)]
    assert {m["month"]: m["admissions"] for m in x["months"] if m["admissions"]} == {
        "2025-02": 3, "2025-06": 1, "2025-07": 1, "2025-08": 2}
    assert y["admissions"] == (2 + 1) + (1 + 1)  # CB-A1 under XA-A, CB-B1 under XA-B, both under Y after
    assert [(o["code"], o["admissions"]) for o in y["predecessors"]["organisations"]] == [("XA-A", 2), ("XA-B", 1)]
    assert [(u["code"], u["admissions"]) for u in y["sub_units"]] == [("CB-A1", 5)]


def test_leaving_predecessors_out_counts_from_the_founding_day_only(district: Ketnap) -> None:
    restructure(district)
    admit_all(district, AFTER)

    x = admissions_report(district, "X", parse_period("2025"), predecessors=False)
    y = admissions_report(district, "Y", parse_period("2025"), predecessors=False)

    assert (x["admissions"], y["admissions"]) == (1 + 2, 1 + 1)
    assert not x["predecessors"]["included"] and x["predecessors"]["admissions"] == 4  # said, not counted
    assert x["previous"]["admissions"] == 0  # X did not exist in 2024
    assert sum(m["admissions"] for m in x["months"]) == 3


def test_every_admission_counts_once_across_the_dissolved_district_and_its_successors(district: Ketnap) -> None:
    restructure(district)
    admit_all(district, AFTER)
    period = parse_period("2025")

    province = admissions_report(district, "TINH", period)["admissions"]
    h = admissions_report(district, "H", period)
    successors = sum(admissions_report(district, c, period, predecessors=False)["admissions"] for c in ("X", "Y"))

    assert province == 3 + 2 + 1 + 1 + 1 + 2 + 1 + 1
    assert h["admissions"] == 3 + 2 + 1 + 1  # the first half-year: H ended on 1 July
    assert h["admissions"] + successors == province
    assert [u["code"] for u in h["sub_units"]] == ["DU-CS", "XA-A", "XA-B"]


def test_plans_stay_with_their_organisation_and_the_successor_lists_its_predecessors(district: Ketnap) -> None:
    restructure(district)
    own = set_plan(district, SetPlan(org="X", first_year=2025, last_year=2025, total=4, name="Kế hoạch xã X"), "t")

    x = admissions_report(district, "X", parse_period("2025"))
    y = admissions_report(district, "Y", parse_period("2025"))
    h = admissions_report(district, "H", parse_period("2025"))

    assert [p["id"] for p in x["plans"]] == [own.id]
    assert [(p["org"], p["name"]) for p in x["predecessors"]["plans"]] == [("H", "Kế hoạch huyện 2025")]
    assert [(p["org"], p["name"]) for p in y["predecessors"]["plans"]] == [("XA-A", "Kế hoạch xã A 2025")]
    assert [(p["name"], p["admissions"]) for p in h["plans"]] == [("Kế hoạch huyện 2025", 7)]
    assert h["predecessors"] is None


def test_the_command_line_shows_the_predecessors_and_leaves_them_out_with_no_predecessors(
        sqlite_url: str, clock: FrozenClock) -> None:
    engine = make_engine(sqlite_url)
    restructure(build_district(bootstrap(settings(), engine=engine, clock=clock)))
    engine.dispose()
    runner = CliRunner()

    def report(*extra: str, as_json: bool = True) -> Any:
        result = runner.invoke(cli, ["--db", sqlite_url, *(["--json"] if as_json else []), "report", "admissions",
                                     "--org", "Y", "--period", "2025", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if as_json else result.stdout

    counted, left_out = report(), report("--no-predecessors")
    text = report(as_json=False)

    assert (counted["admissions"], left_out["admissions"]) == (3, 0)
    assert left_out["predecessors"]["admissions"] == 3 and not left_out["predecessors"]["included"]
    assert "tổ chức tiền thân" in text and "Đảng ủy xã A (XA-A) 2" in text
    assert "kế hoạch của Đảng ủy xã A (XA-A), 2025" in text
