"""The admissions report recomputes the seeds' own figures (issue 6, DOMAIN.md section 8) from generated logs:
every expected figure below is computed from the numbers of admissions the test generated."""

from datetime import date

from tests.integration.reports_data import admit, people
from workflow.reports.admissions import admissions_report
from workflow.reports.periods import parse_period
from workflow.reports.plans import SetPlan, set_membership, set_plan
from workflow.service import Ketnap

DECISION_DATES_2024 = [date(2024, 2, 20), date(2024, 5, 14), date(2024, 8, 1), date(2024, 11, 5)]


def expected_percent(part: int, whole: int) -> float:
    """Independent of the code under test: round half up to one decimal on exact integers."""
    tenths = (part * 1000 * 2 + whole) // (whole * 2)
    return tenths / 10


def spread(app: Ketnap, total: int, dates: list[date], **fields: object) -> None:
    for i, day in enumerate(dates):
        share = total // len(dates) + (1 if i < total % len(dates) else 0)
        admit(app.engine, day, people(share, **fields))


def test_plan_of_200_with_220_admissions_reports_110_percent(ketnap: Ketnap) -> None:
    admitted = 220
    spread(ketnap, admitted, DECISION_DATES_2024, org="CB-01")
    plan = set_plan(ketnap, SetPlan(org="DU-XA", first_year=2024, last_year=2024, total=200), "test")
    doc = admissions_report(ketnap, "DU-XA", parse_period("2024"))
    line = next(p for p in doc["plans"] if p["id"] == plan.id)
    assert doc["admissions"] == admitted
    assert (line["target"], line["admissions"]) == (200, admitted)
    assert line["percent"] == expected_percent(admitted, 200) == 110.0


def test_resolution_200_and_assigned_310_with_310_admissions_report_155_and_100_percent(ketnap: Ketnap) -> None:
    admitted = 310
    spread(ketnap, admitted, [date(2025, 3, 3), date(2025, 9, 9)], org="CB-02")
    own = set_plan(ketnap, SetPlan(org="DU-XA", first_year=2025, last_year=2025, total=200, source="resolution",
                                   name="Nghị quyết Đảng bộ năm 2025"), "test")
    given = set_plan(ketnap, SetPlan(org="DU-XA", first_year=2025, last_year=2025, total=310, source="assigned",
                                     name="Kế hoạch tỉnh giao"), "test")
    doc = admissions_report(ketnap, "DU-XA", parse_period("2025"))
    by_id = {p["id"]: p for p in doc["plans"]}
    assert by_id[own.id]["percent"] == expected_percent(admitted, 200) == 155.0
    assert by_id[given.id]["percent"] == expected_percent(admitted, 310) == 100.0


def test_a_2022_2025_student_target_counts_student_admissions_across_the_four_years(ketnap: Ketnap) -> None:
    students = {2021: 2, 2022: 4, 2023: 3, 2024: 5, 2025: 4, 2026: 3}  # 2021 and 2026 are outside the plan
    for year, n in students.items():
        admit(ketnap.engine, date(year, 6, 10), people(n, org="CB-01", categories=["student"]))
        admit(ketnap.engine, date(year, 6, 11), people(2, org="CB-02", categories=["worker"]))
    plan = set_plan(ketnap, SetPlan(org="DU-XA", first_year=2022, last_year=2025, total=60,
                                    targets={"student": 15}), "test")
    in_plan = sum(n for year, n in students.items() if 2022 <= year <= 2025)
    for period in ("2022-2025", "2025"):  # the whole term, and its last year (counted from the term's start)
        doc = admissions_report(ketnap, "DU-XA", parse_period(period))
        line = next(p for p in doc["plans"] if p["id"] == plan.id)
        target = next(t for t in line["targets"] if t["category"] == "student")
        assert (target["target"], target["admissions"]) == (15, in_plan)
        assert target["percent"] == expected_percent(in_plan, 15)
        assert line["admissions"] == in_plan + 2 * 4
    mid_term = admissions_report(ketnap, "DU-XA", parse_period("2023"))  # E3: progress part-way through a term
    line = next(p for p in mid_term["plans"] if p["id"] == plan.id)
    assert line["to_date"] and line["window"]["end"] == date(2023, 12, 31)
    assert next(t for t in line["targets"] if t["category"] == "student")["admissions"] == 4 + 3


def test_6000_members_at_the_start_of_the_year_and_210_admissions_is_a_rate_of_3_5_percent(ketnap: Ketnap) -> None:
    admitted, members = 210, 6000
    spread(ketnap, admitted, DECISION_DATES_2024, org="CB-01")
    admit(ketnap.engine, date(2023, 12, 29), people(7, org="CB-01"))  # the year before does not count
    set_membership(ketnap, "DU-XA", 2024, members, "test")
    doc = admissions_report(ketnap, "DU-XA", parse_period("2024"))
    assert doc["membership"] == [{"year": 2024, "members": members, "admissions": admitted,
                                  "rate_percent": expected_percent(admitted, members)}]
    assert doc["rate_percent"] == 3.5


def test_a_rate_plan_targets_that_share_of_the_membership_rounded_up(ketnap: Ketnap) -> None:
    """E4: "≥ 7% so với tổng số đảng viên đầu năm"; 7% of 4,704 members is 329.28, so 330 admissions."""
    set_membership(ketnap, "DU-XA", 2024, 4704, "test")
    spread(ketnap, 358, DECISION_DATES_2024, org="CB-01")
    plan = set_plan(ketnap, SetPlan(org="DU-XA", first_year=2024, last_year=2024, rate_percent="7"), "test")
    line = next(p for p in admissions_report(ketnap, "DU-XA", parse_period("2024"))["plans"] if p["id"] == plan.id)
    assert line["target"] == 330
    assert line["percent"] == expected_percent(358, 330)


def test_same_period_of_previous_year_categories_and_sub_units(ketnap: Ketnap) -> None:
    """E1: Q1/2024 against Q1/2023, women, ethnic minority, per-unit counts."""
    admit(ketnap.engine, date(2024, 2, 5), people(12, org="CB-01", sex="F", ethnicity="Tày"))
    admit(ketnap.engine, date(2024, 3, 29), people(9, org="CB-02", sex="M", ethnicity="Kinh"))
    admit(ketnap.engine, date(2024, 4, 1), people(5, org="CB-02"))  # Q2: outside the period
    admit(ketnap.engine, date(2023, 3, 10), people(8, org="CB-01"))
    doc = admissions_report(ketnap, "DU-CS", parse_period("2024-Q1"))
    assert doc["admissions"] == 12 + 9
    assert doc["previous"]["admissions"] == 8
    assert (doc["previous"]["change"], doc["previous"]["change_percent"]) == (21 - 8, expected_percent(13, 8))
    counts = {c["category"]: c["admissions"] for c in doc["categories"]}
    assert (counts["women"], counts["ethnic_minority"]) == (12, 12)
    units = {u["code"]: (u["admissions"], u["previous"]) for u in doc["sub_units"]}
    assert units == {"CB-01": (12, 8), "CB-02": (9, 0)}
    assert [m["admissions"] for m in doc["months"]] == [0, 12, 9]


def test_admissions_count_on_the_ceremony_date_when_configured(ketnap: Ketnap) -> None:
    """Decided on 2024-12-20, ceremony 19 days later in 2025: one year by decision, the next by ceremony."""
    admit(ketnap.engine, date(2024, 12, 20), people(6, org="CB-01"))
    by_decision = admissions_report(ketnap, "DU-XA", parse_period("2024"), "decision")
    by_ceremony = admissions_report(ketnap, "DU-XA", parse_period("2024"), "ceremony")
    next_year = admissions_report(ketnap, "DU-XA", parse_period("2025"), "ceremony")
    assert (by_decision["admissions"], by_ceremony["admissions"], next_year["admissions"]) == (6, 0, 6)


def test_a_report_for_a_branch_counts_only_that_branch(ketnap: Ketnap) -> None:
    admit(ketnap.engine, date(2024, 6, 3), people(4, org="CB-01"))
    admit(ketnap.engine, date(2024, 6, 3), people(3, org="CB-02"))
    assert admissions_report(ketnap, "CB-02", parse_period("2024"))["admissions"] == 3
