"""Issue 13, item 5: historical records (số liệu lịch sử). An organisation's admissions of past periods, entered as
totals, are added to the admissions report over a period that wholly contains them, marked as such; the audit
proves them unaltered and does not re-judge them; a refused record writes nothing. On SQLite and PostgreSQL.

The ten-year figure is seed 004's: 3,672 admissions of 2008-2018 (DOMAIN.md section 8)."""

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from states.errors import RuleViolation
from storage.history_records import HISTORY_EVENTS
from tests.builders import record
from tests.integration.reports_data import clone, insert, path_deciding_on, people
from workflow.access import AccessDenied
from workflow.accounts import add_user
from workflow.audit import checkpoint
from workflow.audit.verify import verify
from workflow.cli.main import app as cli_app
from workflow.commands import AddOrganisation
from workflow.history_records import Entry, add, permit_for, read_file, records, withdraw
from workflow.reports.admissions import admissions_report
from workflow.reports.periods import parse_period
from workflow.reports.xlsx import report_sheets, write_workbook
from workflow.scoped import principal_for
from workflow.service import Ketnap

TEN_YEARS = 3672  # seed 004: Đồng Nai's admissions of 2008-2018


def admit(app: Ketnap, decided_on: date, n: int, org: str, **person: Any) -> None:
    """n candidates of `org` admitted on `decided_on`, the standard path moved in time (born in 1990, so that
    they are of age in 2017 too), each step judged by the rule set of its date."""
    events: list[Any] = []
    for name, on, fields in path_deciding_on(decided_on):
        events = record(events, name, on, {**fields, "birth_date": "1990-05-02"} if name == "identify" else fields)
    insert(app.engine, (clone(events, uuid.uuid4().hex[:12], p) for p in people(n, org=org, **person)))


def rows(app: Ketnap) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(HISTORY_EVENTS)).scalar_one())


def refused_with(app: Ketnap, entries: list[Entry], *rules: str, **kw: Any) -> RuleViolation:
    before = rows(app)
    with pytest.raises(RuleViolation) as err:
        add(app, entries, "vp-tinh-uy", **kw)
    assert {v.rule for v in err.value.violations} == set(rules), err.value
    assert rows(app) == before, "a refusal writes nothing"
    return err.value


def entry(org: str = "DU-XA", period: str = "2008-2011", admitted: int = 1000, **kw: Any) -> Entry:
    return Entry(org, period, admitted, kw.pop("source", "Báo cáo 45-BC/ĐU ngày 10/01/2016"), **kw)


# --- the report ------------------------------------------------------------------------------------------------

def test_a_ten_year_report_adds_pre_2016_records_to_recorded_admissions(ketnap: Ketnap) -> None:
    recorded = {date(2017, 3, 14): 1, date(2017, 9, 1): 2, date(2018, 11, 20): 2}  # paths start 6 months before
    real = sum(recorded.values())
    first, second = 1800, TEN_YEARS - real - 1800
    add(ketnap, [entry(period="2008-2011", admitted=first, readmitted=3, categories={"women": 700}),
                 entry(period="2012-2015", admitted=second, categories={"women": 800, "student": 40})], "vp")
    for day, n in recorded.items():
        admit(ketnap, day, n, "CB-01", sex="F")

    doc = admissions_report(ketnap, "DU-XA", parse_period("2008-2018"))

    assert doc["admissions"] == TEN_YEARS
    assert doc["recorded_admissions"] == real
    assert doc["historical"]["admissions"] == first + second == TEN_YEARS - real
    assert doc["historical"]["mark_vi"] == "số liệu lịch sử (không xét lại)"
    assert [r["period"] for r in doc["historical"]["records"]] == ["2008-2011", "2012-2015"]
    assert all(r["historical"] for r in doc["historical"]["records"])
    assert doc["readmissions"] == 3
    women = next(c for c in doc["categories"] if c["category"] == "women")
    assert women["admissions"] == 700 + 800 + real
    assert sum(y["admissions"] for y in doc["membership"]) == real, "years and months count candidates only"


def test_the_workbook_lists_the_records_on_a_sheet_of_their_own(ketnap: Ketnap, tmp_path: Path) -> None:
    add(ketnap, [entry(period="2008-2011", admitted=400), entry(period="2012-2016", admitted=90)], "vp")
    path = tmp_path / "bao-cao.xlsx"
    write_workbook(path, report_sheets(admissions_report(ketnap, "DU-XA", parse_period("2008-2015"))))

    book = load_workbook(path, read_only=True)
    rows_of = [list(r) for r in book["Số liệu lịch sử"].iter_rows(values_only=True)]
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(values_only=True)}
    assert [(r[1], r[2], r[5][:5]) for r in rows_of[1:]] == [("2008-2011", 400, "có"), ("2012-2016", 90, "không")]
    assert summary["Số đảng viên mới kết nạp"] == 400
    assert summary["Trong đó số liệu lịch sử (không xét lại)"] == 400


def test_a_record_counts_only_when_its_period_lies_wholly_inside_the_report(ketnap: Ketnap) -> None:
    add(ketnap, [entry(period="2008-2011", admitted=400), entry(period="2012", admitted=90)], "vp")

    inside = admissions_report(ketnap, "DU-XA", parse_period("2008-2012"))
    straddling = admissions_report(ketnap, "DU-XA", parse_period("2010-2012"))
    exact_end = admissions_report(ketnap, "DU-XA", parse_period("2011-2012"))

    assert inside["admissions"] == 490
    assert straddling["admissions"] == 90
    assert [r["period"] for r in straddling["historical"]["partial"]] == ["2008-2011"]
    assert "không tính" in straddling["historical"]["partial"][0]["note_vi"]
    assert exact_end["admissions"] == 90
    assert admissions_report(ketnap, "DU-XA", parse_period("2013"))["historical"]["partial"] == []


def test_a_branchs_record_counts_for_the_upper_organisation_and_not_for_a_sister(ketnap: Ketnap) -> None:
    add(ketnap, [entry(org="CB-01", period="2014", admitted=12)], "vp")

    assert admissions_report(ketnap, "DU-XA", parse_period("2014"))["admissions"] == 12
    assert admissions_report(ketnap, "CB-01", parse_period("2014"))["admissions"] == 12
    assert admissions_report(ketnap, "CB-02", parse_period("2014"))["admissions"] == 0


def test_the_previous_period_counts_records_too(ketnap: Ketnap) -> None:
    add(ketnap, [entry(period="2013", admitted=50), entry(period="2014", admitted=60)], "vp")

    doc = admissions_report(ketnap, "DU-XA", parse_period("2014"))

    assert (doc["admissions"], doc["previous"]["admissions"], doc["previous"]["change"]) == (60, 50, 10)


# --- refusals --------------------------------------------------------------------------------------------------

def test_refusals_name_the_field_in_vietnamese_and_write_nothing(ketnap: Ketnap) -> None:
    ketnap.add_org(AddOrganisation(code="CB-03", name="Chi bộ Mới", level="branch", parent="DU-CS",
                                   on=date(2012, 1, 1)))
    refused_with(ketnap, [entry(org="KHONG-CO")], "history_org_unknown")
    refused = refused_with(ketnap, [entry(org="CB-03", period="2011")], "history_period_outside_org")
    assert "01/01/2012" in refused.violations[0].message_vi
    refused = refused_with(ketnap, [entry(admitted=-1)], "history_count_negative")
    assert refused.violations[0].message_vi == "“Số kết nạp” phải là số không âm (đã nhập -1)."
    refused = refused_with(ketnap, [entry(admitted=10, categories={"women": 11, "student": 10})],
                           "history_part_above_total")
    assert refused.violations[0].field == "categories.women" and "Nữ = 11" in refused.violations[0].message_vi
    refused_with(ketnap, [entry(admitted=10, readmitted=11)], "history_part_above_total")
    refused_with(ketnap, [entry(categories={"phu_nu": 1})], "history_category_unknown")
    refused_with(ketnap, [entry(source="  ")], "history_source_missing")
    refused_with(ketnap, [entry(period="2026")], "history_period_not_over")  # the clock's today is in 2026
    refused_with(ketnap, [entry(period="2008..2011")], "history_period_invalid")
    add(ketnap, [entry(org="CB-03", period="2012")], "vp")
    assert rows(ketnap) == 1


def test_categories_are_parts_of_the_total_and_may_add_up_to_more(ketnap: Ketnap) -> None:
    """One person may be a woman and a student: categories overlap, so only each one is bounded."""
    add(ketnap, [entry(admitted=10, categories={"women": 10, "student": 10, "youth_union": 9})], "vp")
    assert rows(ketnap) == 1


def test_overlapping_records_of_one_organisation_or_its_upper_level_are_refused(ketnap: Ketnap) -> None:
    add(ketnap, [entry(period="2008-2011")], "vp")

    refused_with(ketnap, [entry(period="2011")], "history_overlap")
    refused = refused_with(ketnap, [entry(org="CB-01", period="2010-H1")], "history_overlap")
    assert "DU-XA" in refused.violations[0].message_vi
    refused_with(ketnap, [entry(org="CB-01", period="2012"), entry(org="CB-01", period="2012-Q3")],
                 "history_overlap")  # two rows of one batch
    add(ketnap, [entry(period="2012")], "vp")  # the next year is free
    assert rows(ketnap) == 2


def test_a_record_over_admissions_recorded_in_ketnap_is_refused(ketnap: Ketnap) -> None:
    admit(ketnap, date(2017, 6, 1), 2, "CB-02")

    refused = refused_with(ketnap, [entry(period="2017")], "history_overlaps_recorded")
    assert "2 người" in refused.violations[0].message_vi
    add(ketnap, [entry(org="CB-01", period="2017")], "vp")  # the sister branch recorded none


def test_a_withdrawn_record_no_longer_counts_and_may_be_entered_again(ketnap: Ketnap) -> None:
    first = add(ketnap, [entry(period="2015", admitted=70)], "vp")[0]
    with pytest.raises(RuleViolation):
        withdraw(ketnap, "DU-XA", first.version or 0, " ", "vp")
    withdraw(ketnap, "DU-XA", first.version or 0, "nhầm số liệu: báo cáo sửa đổi", "vp")
    with pytest.raises(RuleViolation):
        withdraw(ketnap, "DU-XA", first.version or 0, "lần nữa", "vp")
    add(ketnap, [entry(period="2015", admitted=75)], "vp")

    assert [r.admitted for r in records(ketnap)] == [75]
    assert admissions_report(ketnap, "DU-XA", parse_period("2015"))["admissions"] == 75
    assert rows(ketnap) == 3, "the log keeps the withdrawn record and the withdrawal"


# --- the audit -------------------------------------------------------------------------------------------------

def test_the_audit_proves_records_unaltered_and_does_not_re_judge_them(ketnap: Ketnap) -> None:
    add(ketnap, [entry(period="2008-2011", admitted=1000), entry(org="CB-01", period="2013", admitted=5)], "vp")
    assert verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).ok  # 2008: no rule set, and no finding

    with ketnap.engine.begin() as conn:
        conn.execute(update(HISTORY_EVENTS).where(HISTORY_EVENTS.c.stream_id == "DU-XA")
                     .values(payload={**_payload(conn, "DU-XA"), "admitted": 2000}))
    report = verify(ketnap.engine, ketnap.rulebook, ketnap.calendar)

    assert not report.ok
    assert {f.stream_id for f in report.findings} == {"history:DU-XA"}


def test_a_checkpoint_finds_a_deleted_historical_record(ketnap: Ketnap) -> None:
    """A chain alone cannot see its last event deleted; the checkpoint's heads cover the historical streams."""
    add(ketnap, [entry(period="2008-2011"), entry(org="CB-01", period="2013", admitted=5)], "vp")
    add(ketnap, [entry(period="2012", admitted=90)], "vp")
    with ketnap.engine.begin() as conn:
        digest = checkpoint.create(conn, ketnap.clock.now(), "kiểm tra").digest
    assert verify(ketnap.engine, ketnap.rulebook, ketnap.calendar, since_checkpoint=digest).ok

    with ketnap.engine.begin() as conn:
        conn.execute(delete(HISTORY_EVENTS).where(HISTORY_EVENTS.c.stream_id == "DU-XA", HISTORY_EVENTS.c.version == 2))
        conn.execute(delete(HISTORY_EVENTS).where(HISTORY_EVENTS.c.stream_id == "CB-01"))
    assert verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).ok, "the chains that are left still hold"
    report = verify(ketnap.engine, ketnap.rulebook, ketnap.calendar, since_checkpoint=digest)

    assert {(f.stream_id, f.kind) for f in report.findings} == {("history:DU-XA", "truncated"),
                                                               ("history:CB-01", "stream_deleted")}


def _payload(conn: Any, org: str) -> dict[str, Any]:
    return dict(conn.execute(select(HISTORY_EVENTS.c.payload).where(HISTORY_EVENTS.c.stream_id == org)).scalar_one())


# --- who may -----------------------------------------------------------------------------------------------------

def test_only_a_committee_office_of_the_organisation_enters_records(ketnap: Ketnap) -> None:
    def as_user(name: str, role: str, orgs: list[str]) -> Any:
        return permit_for(principal_for(ketnap, add_user(ketnap, name, role, orgs), "cli"))

    add(ketnap, [entry(org="CB-01", period="2014")], "vp-xa", permit=as_user("vp-xa", "committee", ["DU-XA"]))
    for name, role, orgs, code in [("bt-cb01", "secretary", ["CB-01"], "wrong_role"),
                                   ("kt", "auditor", ["DU-XA"], "wrong_role"),
                                   ("vp-cb02", "committee", ["CB-02"], "out_of_scope")]:
        before = rows(ketnap)
        with pytest.raises(AccessDenied) as err:
            add(ketnap, [entry(org="CB-01", period="2013")], name, permit=as_user(name, role, orgs))
        assert err.value.code == code
        assert rows(ketnap) == before


# --- files and the CLI -------------------------------------------------------------------------------------------

def test_a_file_is_entered_whole_or_not_at_all_with_each_error_named_by_row(ketnap: Ketnap, tmp_path: Path) -> None:
    bad = tmp_path / "so-lieu.csv"
    bad.write_text("Mã tổ chức,Kỳ,Số kết nạp,Nữ,Nguồn số liệu\n"
                   "DU-XA,2008-2011,1.800,700,Báo cáo 45-BC/ĐU\n"
                   "CB-01,2010,-3,,Báo cáo 12-BC/CB\n", encoding="utf-8")
    with pytest.raises(RuleViolation) as err:
        add(ketnap, read_file(bad), "vp")
    messages = [v.message_vi for v in err.value.violations]
    assert any(m.startswith("Dòng 2:") and "DU-XA" in m for m in messages)  # CB-01 lies under DU-XA
    assert any(m.startswith("Dòng 2:") and "không âm" in m for m in messages)
    assert rows(ketnap) == 0

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["org", "period", "admitted", "women", "source"])
    sheet.append(["DU-XA", "2008-2011", 1800, 700, "Báo cáo 45-BC/ĐU"])
    sheet.append(["DU-XA", "2012-2015", "1.867", None, "Báo cáo 46-BC/ĐU"])
    good = tmp_path / "so-lieu.xlsx"
    book.save(good)
    done = add(ketnap, read_file(good), "vp")
    assert [(r.admitted, dict(r.categories)) for r in done] == [(1800, {"women": 700}), (1867, {})]


def test_a_file_with_an_unknown_column_or_a_missing_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Mã tổ chức,Kỳ,Số kết nạp,Số lượng\nDU-XA,2010,5,\n", encoding="utf-8")
    with pytest.raises(RuleViolation) as err:
        read_file(path)
    assert {v.rule for v in err.value.violations} == {"history_column_unknown", "history_column_missing"}
    path.write_text("Mã tổ chức,Kỳ,Số kết nạp,Nguồn số liệu\nDU-XA,2010,năm,BC\nDU-XA,2011,5,\n", encoding="utf-8")
    with pytest.raises(RuleViolation) as err:
        read_file(path)
    assert [v.rule for v in err.value.violations] == ["history_count_invalid", "history_cell_missing"]


def test_the_cli_enters_lists_and_reports_the_records(ketnap: Ketnap, db_url: str) -> None:
    def ketnap_cli(*args: str) -> Any:
        return CliRunner().invoke(cli_app, ["--db", db_url, "--json", *args], env={"KETNAP_ACTOR": "vp"})

    done = ketnap_cli("historical", "add", "--org", "DU-XA", "--period", "2008-2015", "--admitted", "3669",
                      "--category", "Nữ=1500", "--source", "Báo cáo tổng kết 45-BC/ĐU")
    assert done.exit_code == 0, done.output
    again = ketnap_cli("historical", "add", "--org", "DU-XA", "--period", "2015", "--admitted", "1",
                       "--source", "x")
    assert again.exit_code == 2 and json.loads(again.stdout)["violations"][0]["rule"] == "history_overlap"
    listed = json.loads(ketnap_cli("historical", "list").stdout)
    assert [(r["org"], r["admitted"], r["categories"]) for r in listed] == [("DU-XA", 3669, {"women": 1500})]
    report = json.loads(ketnap_cli("report", "admissions", "--org", "DU-XA", "--period", "2008-2018").stdout)
    assert report["admissions"] == 3669 and report["historical"]["records"][0]["source"].startswith("Báo cáo")
