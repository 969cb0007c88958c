"""The admissions report page and its JSON twin: the CLI's figures with three server-side charts, Vietnamese kept,
scope checks as on every page, and a bad period refused with a message. SQLite only (the report's figures are
tested on both databases in tests/integration/test_reports_figures.py)."""

import re
import unicodedata
from datetime import date

from states.organisations import OrgChange
from tests.integration.reports_data import admit, people
from tests.web.conftest import Env
from workflow.reports.plans import SetPlan, set_plan


def _two_admissions_against_a_plan_of_two(env: Env) -> None:
    admit(env.ketnap.engine, date(2024, 3, 15), people(2, org="CB-01", categories=["student"]))
    set_plan(env.ketnap, SetPlan(org="CB-01", first_year=2024, last_year=2024, total=2,
                                 name="Nghị quyết chi bộ năm 2024"), "test")


def _percent_cell(html: str) -> str:
    match = re.search(r'<td class="percent"><strong>([^<]*)</strong>', html)
    assert match, "the plan table shows the achieved percentage"
    return match.group(1)


def test_the_page_shows_the_plan_achieved_and_three_inline_charts(sqlite_env: Env) -> None:
    _two_admissions_against_a_plan_of_two(sqlite_env)
    page = sqlite_env.login("sec_a").get("/reports/admissions?period=2024")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3
    assert _percent_cell(page.text) == "100%"
    assert "Nghị quyết chi bộ năm 2024" in page.text  # the plan's name, in the table and the chart
    assert "Học sinh, sinh viên" in page.text  # a category heading
    assert "03/2024" in page.text  # the month the admissions were decided in, as a chart label
    assert unicodedata.is_normalized("NFC", page.text)
    # pygal's external JS is off: only its inline config object remains, nothing is fetched from elsewhere
    assert not re.search(r"<script[^>]*\bsrc=\"(?!/static/)", page.text) and "kozea.github.io" not in page.text


def test_half_the_plan_shows_fifty_percent_and_english_keeps_the_figures(sqlite_env: Env) -> None:
    admit(sqlite_env.ketnap.engine, date(2024, 5, 2), people(1, org="CB-01"))
    set_plan(sqlite_env.ketnap, SetPlan(org="CB-01", first_year=2024, last_year=2024, total=2), "test")
    page = sqlite_env.login("sec_a").get("/reports/admissions?org=CB-01&period=2024&lang=en")
    assert page.status_code == 200 and "Admissions report" in page.text
    assert _percent_cell(page.text) == "50%"


def test_the_json_twin_is_the_report_document(sqlite_env: Env) -> None:
    _two_admissions_against_a_plan_of_two(sqlite_env)
    response = sqlite_env.client.get("/api/reports/admissions?org=CB-01&period=2024",
                                     headers=sqlite_env.auth("sec_a"))
    assert response.status_code == 200
    doc = response.json()
    assert doc["admissions"] == 2 and doc["plans"][0]["percent"] == 100
    assert sum(m["admissions"] for m in doc["months"]) == 2 and len(doc["months"]) == 12
    assert doc["plans"][0]["name"] == "Nghị quyết chi bộ năm 2024"


def test_an_organisation_outside_the_users_scope_is_refused_like_any_page(sqlite_env: Env) -> None:
    _two_admissions_against_a_plan_of_two(sqlite_env)
    browser = sqlite_env.login("sec_b")  # secretary of CB-02
    page = browser.get("/reports/admissions?org=CB-01&period=2024")
    assert page.status_code == 404 and "<svg" not in page.text
    assert browser.get("/reports/admissions?org=NO-SUCH&period=2024").status_code == 404
    api = sqlite_env.client.get("/api/reports/admissions?org=CB-01&period=2024", headers=sqlite_env.auth("sec_b"))
    assert api.status_code == 404 and "admissions" not in api.json()


def test_a_committee_sees_its_whole_subtree_by_default(sqlite_env: Env) -> None:
    _two_admissions_against_a_plan_of_two(sqlite_env)
    page = sqlite_env.login("committee").get("/reports/admissions?period=2024")
    assert page.status_code == 200 and "Đảng ủy xã" in page.text
    assert re.search(r"Số đảng viên kết nạp: 2<", page.text)


def test_a_bad_period_is_refused_with_the_accepted_forms(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    page = browser.get("/reports/admissions?period=2024-13")
    assert page.status_code == 422
    assert "Kỳ báo cáo không hợp lệ" in page.text and "2022-2025" in page.text and "<svg" not in page.text
    api = sqlite_env.client.get("/api/reports/admissions?period=last-year", headers=sqlite_env.auth("sec_a"))
    assert api.status_code == 422 and "2024-Q1" in api.json()["message"]


def test_strangers_are_sent_to_sign_in_and_the_navigation_links_the_report(sqlite_env: Env) -> None:
    response = sqlite_env.client.get("/reports/admissions", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    home = sqlite_env.login("sec_a").get("/")
    assert 'href="/reports/admissions"' in home.text and "Báo cáo" in home.text


def _a_commune_founded_mid_2025(env: Env) -> None:
    """DU-CS moves from DU-XA to the new commune X on 1 July 2025; CB-01 admits once before and once after."""
    env.ketnap.organisations.change([
        OrgChange("created", "X", date(2025, 7, 1), "101-QĐ/TU", "Tỉnh ủy", name="Đảng ủy xã Mới", level="commune",
                  parent="TINH"),
        OrgChange("moved", "DU-CS", date(2025, 7, 1), "102-QĐ/TU", "Tỉnh ủy", parent="X")], "admin")
    admit(env.ketnap.engine, date(2025, 3, 4), people(1, org="CB-01"))
    admit(env.ketnap.engine, date(2025, 8, 5), people(1, org="CB-01"))


def test_a_new_communes_report_shows_its_predecessors_and_can_leave_them_out(sqlite_env: Env) -> None:
    _a_commune_founded_mid_2025(sqlite_env)
    headers = sqlite_env.auth("admin")
    counted = sqlite_env.client.get("/api/reports/admissions?org=X&period=2025", headers=headers).json()
    left_out = sqlite_env.client.get("/api/reports/admissions?org=X&period=2025&predecessors=false",
                                     headers=headers).json()
    assert (counted["admissions"], left_out["admissions"]) == (2, 1)
    assert [(o["code"], o["admissions"]) for o in counted["predecessors"]["organisations"]] == [("DU-XA", 1)]
    assert counted["predecessors"]["included"] and not left_out["predecessors"]["included"]
    page = sqlite_env.login("admin").get("/reports/admissions?org=X&period=2025&predecessors=false")
    assert page.status_code == 200 and 'id="predecessors"' in page.text
    assert re.search(r"Số đảng viên kết nạp: 1<", page.text) and "không tính vào số liệu" in page.text
    assert '<option value="false" selected>' in page.text and "predecessors=false" in page.text
    old = sqlite_env.login("admin").get("/reports/admissions?org=DU-XA&period=2024")
    assert 'id="predecessors"' not in old.text and 'name="predecessors"' not in old.text


def test_chart_axes_count_whole_people(sqlite_env: Env) -> None:
    """Issue 17, item 5: with two admissions pygal marked the axis 0, 0.2, 0.4 … of a person; the axis marks are
    whole numbers, and the months also come as a table (what a phone shows instead of the charts)."""
    _two_admissions_against_a_plan_of_two(sqlite_env)
    page = sqlite_env.login("sec_a").get("/reports/admissions?period=2024")
    marks = re.findall(r'<g class="guides"><path [^>]*/><text [^>]*>([^<]+)</text>', page.text)
    numbers = [m for m in marks if re.fullmatch(r"[\d.,]+", m)]
    assert numbers and all(m.isdigit() for m in numbers), numbers
    assert 'id="months-table"' in page.text and "<td>03/2024</td><td>2</td>" in page.text


def test_the_page_and_the_json_mark_historical_records_apart(sqlite_env: Env) -> None:
    """Issue 13, item 5: a record of a past period is in the total, marked, and one straddling a bound is listed
    but not counted."""
    from workflow.history_records import Entry, add

    add(sqlite_env.ketnap, [Entry("CB-01", "2010-2013", 40, "Báo cáo 3-BC/CB"),
                            Entry("CB-01", "2014-2016", 9, "Báo cáo 5-BC/CB")], "vp")
    page = sqlite_env.login("sec_a").get("/reports/admissions?org=CB-01&period=2008-2015")
    assert page.status_code == 200
    assert re.search(r'id="historical".*số liệu lịch sử \(không xét lại\)</strong>: 40', page.text, re.S)
    assert "không tính" in page.text  # 2014-2016 straddles 2015
    doc = sqlite_env.client.get("/api/reports/admissions?org=CB-01&period=2008-2015",
                                headers=sqlite_env.auth("sec_a")).json()
    assert (doc["admissions"], doc["recorded_admissions"], doc["historical"]["admissions"]) == (40, 0, 40)
    assert [r["period"] for r in doc["historical"]["partial"]] == ["2014-2016"]
