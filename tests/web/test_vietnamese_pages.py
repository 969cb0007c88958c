"""No English and no code names left in the Vietnamese pages (issue 17, reproductions 5 and 6): the report's empty
chart, the procedure's descriptions, the history's field order and introducers, the dashboard's wording, the
audit's button and its as-of view."""

import re
from datetime import date
from html import unescape

from states.steps import STEPS
from tests.integration.reports_data import admit, people
from tests.web.conftest import Env, csrf_of


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}"[^>]*>(.*?)</section>', html, re.S)
    assert match, section_id
    return unescape(match.group(1))


def test_the_dashboard_says_nothing_is_overdue_under_overdue(sqlite_env: Env) -> None:
    page = sqlite_env.login("sec_a").get("/").text
    assert "Không có việc quá hạn." in section(page, "overdue")
    assert "Không có việc đến hạn." in section(page, "due")


def test_the_procedure_describes_each_step_in_the_readers_language(sqlite_env: Env) -> None:
    browser = sqlite_env.login("auditor")
    vi = unescape(browser.get("/procedure").text)
    assert all(spec.summary_vi in vi for spec in STEPS.values())
    assert not any(spec.summary in vi for spec in STEPS.values())
    en = unescape(browser.get("/procedure", params={"lang": "en"}).text)
    assert all(spec.summary in en for spec in STEPS.values())


def test_the_history_lists_fields_in_the_forms_order_and_introducers_as_phrases(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "collect_comments")
    page = section(sqlite_env.login("sec_a").get(f"/candidates/{cid}").text, "timeline")
    assert page.index("Họ và tên") < page.index("Ngày sinh") < page.index("Giới tính")
    assert "Lê Văn Cường, cùng công tác 18 tháng, đảng viên chính thức từ 01/01/2010" in page
    assert "Số tháng cùng công tác:" not in page


def test_the_audit_names_its_button_and_shows_the_list_and_dates_as_of_the_day(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "hold_ceremony")
    browser = sqlite_env.login("auditor")
    listed = unescape(browser.get("/audit", params={"as_of": "2024-06-12"}).text)
    assert "Kiểm tra tính toàn vẹn nhật ký của TINH" in listed and "Kết quả kiểm tra: TINH" not in listed
    row = re.search(rf'candidate={cid}.*?</tr>', listed, re.S)
    assert row and "Đã thẩm tra lý lịch" in row.group(0), "the stage on 12/06/2024, not today's"
    today = unescape(browser.get("/audit").text)
    row = re.search(rf'candidate={cid}.*?</tr>', today, re.S)
    assert row and "Có quyết định kết nạp" in row.group(0)
    one = unescape(browser.get("/audit", params={"candidate": cid, "as_of": "2024-06-12"}).text)
    assert "Ngày vào danh sách" in one


def test_an_empty_chart_says_so_in_vietnamese(sqlite_env: Env) -> None:
    page = sqlite_env.login("sec_a").get("/reports/admissions?period=2019").text
    assert "No data" not in page and "Chưa có số liệu" in page


def test_a_refusal_without_reasons_is_said_in_vietnamese_on_the_error_page(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "hold_ceremony")
    browser = sqlite_env.login("sec_a")
    page = browser.get(f"/candidates/{cid}").text
    response = browser.post(f"/candidates/{cid}/steps/no_such_step", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 422
    text = unescape(response.text)
    assert "Không có bước này trong quy trình." in text and "unknown step" not in text
    browser.get("/", params={"lang": "en"})
    english = browser.post(f"/candidates/{cid}/steps/no_such_step", data={"csrf_token": csrf_of(page)})
    assert "unknown step 'no_such_step'" in unescape(english.text)


def test_the_charts_count_people_in_whole_numbers(sqlite_env: Env) -> None:
    admit(sqlite_env.ketnap.engine, date(2024, 3, 15), people(2, org="CB-01", categories=["student"]))
    page = sqlite_env.login("sec_a").get("/reports/admissions?period=2024").text
    axes = re.findall(r'<g class="axis (?:x|y)[^"]*">(.*?)</g>\s*</g>', page, re.S) or [page]
    ticks = [t for axis in axes for t in re.findall(r"<text[^>]*>([^<]*)</text>", axis)]
    numbers = [t for t in ticks if re.fullmatch(r"[\d.,]+", t)]
    assert numbers and all(re.fullmatch(r"\d+", n) for n in numbers), numbers


def test_the_verification_names_each_finding_in_vietnamese(sqlite_env: Env) -> None:
    from sqlalchemy import update

    from storage.event_store import EVENTS

    cid = sqlite_env.seed("CB-01", "enrol_training")
    where = (EVENTS.c.stream_id == cid) & (EVENTS.c.version == 2)
    with sqlite_env.ketnap.engine.begin() as conn:
        conn.execute(update(EVENTS).where(where).values(payload={"helper": "Người khác"}))
    browser = sqlite_env.login("auditor")
    found = section(browser.get("/audit", params={"candidate": cid}).text, "verification")
    assert "Sự kiện đã bị sửa sau khi ghi" in found and "no longer match" not in found
    english = section(browser.get("/audit", params={"candidate": cid, "lang": "en"}).text, "verification")
    assert "Edited after it was recorded" in english and "no longer match" in english
