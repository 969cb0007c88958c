"""Reports by type of grassroots organisation and by group (issue 20), rebuilt from three published blocs:

- Đảng bộ Khối Cơ quan - Doanh nghiệp Lào Cai: 90 grassroots organisations, 60 in agencies and public service
  units, 29 in enterprises, 1 of another type; 5,558 members.
- Đảng bộ Khối các cơ quan và doanh nghiệp Hà Tĩnh: 110 organisations, 8,418 members, 40 of them (32 in state
  enterprises, 8 in joint-stock and private ones) with 3,478 members in enterprises; 586 admitted since the
  congress of the 2020-2025 term, 177 of them in enterprises; the 2022 plan of 250 including 110 in
  enterprises; 13 classes for 865 people, 346 from enterprises.
- Đảng ủy Khối các cơ quan Đồng Nai: 80 grassroots organisations rearranged into 75 of 5 types.

Split of each published total among the types inside a group, and every date, are assumed (not published).
"""

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from states.errors import RuleViolation
from storage.organisations import ORG_EVENTS
from storage.report_tables import PlanRow
from tests.integration.org_types_data import admitted, bloc, enrolled, spread
from workflow.commands import ChangeOrganisation
from workflow.organisations import change_of
from workflow.reports import by_type, xlsx
from workflow.reports.admissions import admissions_report
from workflow.reports.classes import AddClass, add_class, class_stats
from workflow.reports.periods import parse_period
from workflow.reports.plans import SetPlan, set_membership, set_plan
from workflow.service import Ketnap

CONGRESS = date(2020, 7, 10)  # assumed: the articles name the term, not the congress's day
TERM = "Nghị quyết Đại hội 2020-2025"


def _rows(doc: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["key"]: r for r in [*doc["rows"], *doc["groups"]]}


def _members(app: Ketnap, orgs: list[str], total: int, year: int) -> None:
    """Membership on 1 January of `year` for `orgs`, summing to `total` (spread as evenly as it goes)."""
    share, extra = divmod(total, len(orgs))
    for i, org in enumerate(orgs):
        set_membership(app, org, year, share + (1 if i < extra else 0), "test")


def test_lao_cai_90_grassroots_organisations_60_29_1_and_5558_members(app: Ketnap, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = bloc(app, "LC", "Đảng bộ Khối Cơ quan - Doanh nghiệp tỉnh Lào Cai", [
        ("agency", 38), ("public_service", 22), ("state_enterprise", 12), ("joint_stock_enterprise", 13),
        ("foreign_enterprise", 4)], on=date(2019, 8, 1))
    # the one of another type is a branch placed directly under the bloc (chi bộ cơ sở); a branch inside a
    # grassroots committee is not a grassroots organisation itself
    app.organisations.change([
        change_of(ChangeOrganisation(kind="created", code="LC-KHAC", on=date(2019, 8, 1), name="Chi bộ cơ sở khác",
                                     level="branch", parent="LC", org_type="other")),
        change_of(ChangeOrganisation(kind="created", code="LC-CB", on=date(2019, 8, 1), name="Chi bộ trực thuộc",
                                     level="branch", parent=made["agency"][0]))], "test")
    enterprises = made["state_enterprise"] + made["joint_stock_enterprise"] + made["foreign_enterprise"]
    _members(app, made["agency"] + made["public_service"], 3_600, 2024)
    _members(app, enterprises, 1_940, 2024)
    set_membership(app, "LC-KHAC", 2024, 18, "test")

    doc = by_type.type_report(app, "LC", parse_period("2024"))
    rows = _rows(doc)

    assert doc["total"]["organisations"] == 90 and doc["total"]["members"] == 5_558
    assert (rows["agency_public_service"]["organisations"], rows["enterprise"]["organisations"],
            rows["other"]["organisations"]) == (60, 29, 1)
    assert (rows["agency"]["organisations"], rows["public_service"]["organisations"]) == (38, 22)
    assert (rows["agency_public_service"]["members"], rows["enterprise"]["members"]) == (3_600, 1_940)
    assert "_none" not in rows  # every organisation has a type

    path = tmp_path / "lao-cai.xlsx"
    xlsx.write_workbook(path, by_type.type_sheets(doc))
    sheet = load_workbook(path)["Theo loại hình"]
    found = {r[1]: r[2:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert sheet.cell(1, 3).value == "Số tổ chức cơ sở đảng (đến 31/12/2024)"
    assert found["Tổng số"] == (90, 5_558, 0, 0)
    assert found["Trong đó: doanh nghiệp"][0] == 29 and isinstance(found["Tổng số"][0], int)
    assert found["Trong đó: cơ quan hành chính, đơn vị sự nghiệp"][0] == 60
    assert found["Loại hình khác"] == (1, 18, 0, 0)


def test_ha_tinh_586_admitted_in_the_term_177_in_enterprises_the_2022_plan_and_13_classes(
        app: Ketnap, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = bloc(app, "HT", "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Hà Tĩnh", [
        ("agency", 40), ("public_service", 30), ("state_enterprise", 32), ("joint_stock_enterprise", 5),
        ("private_enterprise", 3)], on=date(2019, 1, 1))
    agencies = made["agency"] + made["public_service"]
    enterprises = made["state_enterprise"] + made["joint_stock_enterprise"] + made["private_enterprise"]
    _members(app, agencies, 8_418 - 3_478, 2022)
    _members(app, enterprises, 3_478, 2022)
    set_plan(app, SetPlan(org="HT", first_year=2020, last_year=2025, name=TERM, starts_on=CONGRESS), "test")
    set_plan(app, SetPlan(org="HT", first_year=2022, last_year=2022, name="Kế hoạch 2022", total=250,
                          targets={"enterprise": 110}), "test")
    in_enterprise = {"categories": ["state_enterprise"]}
    in_agency = {"categories": ["public_servant"]}
    admitted(app, date(2020, 3, 2), spread(agencies, 20, **in_agency))  # before the congress: not in the term
    for day, agency, enterprise in [(date(2020, 9, 1), 70, 30), (date(2021, 6, 1), 164, 72),
                                    (date(2022, 3, 1), 105, 45), (date(2022, 5, 4), 70, 30)]:
        admitted(app, day, spread(agencies, agency, **in_agency) + spread(enterprises, enterprise, **in_enterprise))
    for n in range(13):  # 865 trainees, 346 from enterprises
        name, starts = f"Lớp bồi dưỡng nhận thức về Đảng {n + 1}", date(2021, 1 + n % 12, 5)
        add_class(app, AddClass(code=f"HT-BD-{n + 1}", name=name, organiser="HT", starts_on=starts,
                                ends_on=starts.replace(day=10)), "test")
        size, from_enterprises = (67, 27) if n < 12 else (61, 22)
        enrolled(app, name, starts, spread(agencies, size - from_enterprises, **in_agency)
                 + spread(enterprises, from_enterprises, **in_enterprise))

    term = by_type.term_period(app, "HT", TERM)
    so_far = by_type.type_report(app, "HT", term, as_of=date(2022, 6, 30))
    rows = _rows(so_far)
    plans = {p["name"]: p for p in admissions_report(app, "HT", parse_period("2022"))["plans"]}
    plan_2022, term_plan = plans["Kế hoạch 2022"], plans[TERM]
    classes = class_stats(app, "HT", term)

    assert (term.start, term.end) == (CONGRESS, date(2025, 12, 31))
    assert so_far["period"]["end"] == date(2022, 6, 30)
    assert (so_far["total"]["admissions"], rows["enterprise"]["admissions"]) == (586, 177)
    assert (so_far["total"]["organisations"], rows["enterprise"]["organisations"]) == (110, 40)
    assert (rows["state_enterprise"]["organisations"], rows["non_state_enterprise"]["organisations"]) == (32, 8)
    assert (so_far["total"]["members"], rows["enterprise"]["members"]) == (8_418, 3_478)
    assert (so_far["classes_held"], so_far["total"]["trainees"], rows["enterprise"]["trainees"]) == (13, 865, 346)
    assert (classes["classes_held"], classes["trainees"], classes["from_enterprises"]) == (13, 865, 346)
    assert classes["groups"]["enterprise"] == 346 and sum(k["groups"]["enterprise"] for k in classes["classes"]) == 346
    assert (plan_2022["target"], plan_2022["admissions"], plan_2022["percent"]) == (250, 250, 100.0)
    assert (term_plan["window"]["start"], term_plan["target"], term_plan["admissions"]) == (CONGRESS, None, 586)
    assert plan_2022["targets"] == [{"category": "enterprise", "heading": "Trong doanh nghiệp", "target": 110,
                                     "admissions": 75, "percent": 68.2}]

    path = tmp_path / "ha-tinh.xlsx"
    xlsx.write_workbook(path, by_type.type_sheets(so_far))
    book = load_workbook(path)
    found = {r[1]: r[2:] for r in book["Theo loại hình"].iter_rows(min_row=2, values_only=True)}
    about = {r[0]: r[1] for r in book["Thông tin"].iter_rows(min_row=2, values_only=True)}
    assert found["Tổng số"] == (110, 8_418, 586, 865)
    assert found["Trong đó: doanh nghiệp"] == (40, 3_478, 177, 346)
    assert about["Kỳ báo cáo"] == f"{TERM} (đến 30/06/2022)" and about["Số lớp bồi dưỡng nhận thức về Đảng"] == 13


def test_dong_nai_80_organisations_rearranged_into_75_of_5_types(app: Ketnap) -> None:
    made = bloc(app, "DN", "Đảng ủy Khối các cơ quan tỉnh Đồng Nai", [
        ("public_service", 30), ("agency", 25), ("non_public_service", 10), ("press", 8),
        ("mass_association", 7)], on=date(2015, 1, 1))
    rearranged = date(2023, 10, 1)
    merges = [ChangeOrganisation(kind="merged", code=made["public_service"][i], into=made["public_service"][i + 5],
                                 on=rearranged) for i in range(5)]
    retyped = [ChangeOrganisation(kind="typed", code=code, org_type="mass_association", on=rearranged)
               for code in made["agency"][:2]]
    app.organisations.change([change_of(c) for c in merges + retyped], "test")

    before = by_type.type_report(app, "DN", parse_period("2023"), as_of=date(2023, 9, 30))
    after = by_type.type_report(app, "DN", parse_period("2024"))
    counts = {r["key"]: r["organisations"] for r in after["rows"] if r["organisations"]}

    assert before["total"]["organisations"] == 80
    assert {r["key"]: r["organisations"] for r in before["rows"] if r["organisations"]} == {
        "public_service": 30, "agency": 25, "non_public_service": 10, "press": 8, "mass_association": 7}
    assert after["total"]["organisations"] == 75
    assert counts == {"public_service": 25, "agency": 23, "non_public_service": 10, "press": 8,
                      "mass_association": 9}


def test_bad_types_and_targets_name_the_field_and_write_nothing(app: Ketnap) -> None:
    bloc(app, "K", "Đảng ủy Khối", [("agency", 1)], on=date(2020, 1, 1))
    code = "K-AGENCY-00"
    with app.engine.connect() as conn:
        events_before = conn.execute(select(func.count()).select_from(ORG_EVENTS)).scalar_one()

    with pytest.raises(RuleViolation) as unknown:
        app.organisations.change([change_of(ChangeOrganisation(
            kind="created", code="K-NEW", on=date(2021, 1, 1), name="Mới", level="grassroots", parent="K",
            org_type="bank"))], "test")
    with pytest.raises(RuleViolation) as too_early:
        app.organisations.change([change_of(ChangeOrganisation(kind="typed", code=code, org_type="press",
                                                               on=date(2019, 12, 31)))], "test")
    with pytest.raises(RuleViolation) as missing:
        app.organisations.change([change_of(ChangeOrganisation(kind="typed", code=code, on=date(2021, 1, 1)))],
                                 "test")
    with pytest.raises(RuleViolation) as targets:
        set_plan(app, SetPlan(org="K", first_year=2022, last_year=2022, total=100,
                              targets={"enterprise": 110, "bank": 1}), "test")

    assert [(v.rule, v.field) for v in unknown.value.violations] == [("org_type_unknown", "org_type")]
    assert "Loại hình tổ chức cơ sở đảng “bank”" in unknown.value.violations[0].message_vi
    assert [(v.rule, v.field) for v in too_early.value.violations] == [("org_change_before_founded", "on")]
    assert [(v.rule, v.field) for v in missing.value.violations] == [("org_type_missing", "org_type")]
    assert sorted((v.rule, v.field) for v in targets.value.violations) == [
        ("plan_target_over_total", "targets"), ("plan_target_unknown", "targets")]
    assert "Chỉ tiêu theo đối tượng “Trong doanh nghiệp” (110) vượt tổng chỉ tiêu (100)." in {
        v.message_vi for v in targets.value.violations}
    with app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ORG_EVENTS)).scalar_one() == events_before
        assert conn.execute(select(func.count()).select_from(PlanRow.__table__)).scalar_one() == 0  # type: ignore[attr-defined]
    assert app.organisations.tree(date(2021, 6, 1)).get(code).org_type == "agency"  # type: ignore[union-attr]
