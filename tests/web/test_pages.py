"""The web pages: signing in, the dashboard, recording steps through forms, refusals next to their fields, stale
forms, bad input of every kind, roles, and the languages. SQLite only: the API tests cover both databases."""

import re
from html import unescape

from tests.web.conftest import ON, PASSWORD, Env, csrf_of
from workflow.commands import RecordStep
from workflow.web.i18n import STAGES, STEPS

LONG = "Nguyễn " * 3000


def field_block(html: str, name: str) -> str:
    """The HTML of the input block of field `name` (where its reasons are shown)."""
    match = re.search(rf'<div class="field[^"]*" data-field="{re.escape(name)}">(.*?)</div>', html, re.S)
    assert match, f"no input for {name}"
    return unescape(match.group(1))


def post_step(browser: object, cid: str, step: str, data: dict[str, object]) -> object:
    page = browser.get(f"/candidates/{cid}")  # type: ignore[attr-defined]
    # A correction's form shows only once a step is picked, and only one the user's role records: a forged post
    # takes the version from any step form.
    form_id = "form-" if step == "correct" else f"form-{step}"
    version = re.search(rf'id="{form_id}.*?name="expected_version" value="(\d+)"', page.text, re.S)
    assert version, f"the page offers a form for {step}"
    form = {"csrf_token": csrf_of(page.text), "expected_version": version.group(1), **data}
    return browser.post(f"/candidates/{cid}/steps/{step}", data=form,  # type: ignore[attr-defined]
                        follow_redirects=False)


# --- signing in -------------------------------------------------------------------------------------------------

def test_pages_send_strangers_to_the_sign_in_form(sqlite_env: Env) -> None:
    for path in ("/", "/candidates", "/procedure", "/audit"):
        response = sqlite_env.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(sqlite_env: Env) -> None:
    sqlite_env.login("sec_a")  # sets the password
    page = sqlite_env.client.get("/login")
    wrong = sqlite_env.client.post("/login", data={"csrf_token": csrf_of(page.text), "username": "sec_a",
                                                   "password": "wrong-password", "next": "/"})
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    right = sqlite_env.client.post("/login", data={"csrf_token": csrf_of(wrong.text), "username": "sec_a",
                                                   "password": PASSWORD, "next": "//evil.example/"},
                                   follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/"


def test_a_form_without_the_csrf_token_is_refused_and_records_nothing(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "assign_helper")
    browser = sqlite_env.login("sec_a")
    response = browser.post(f"/candidates/{cid}/steps/assign_helper", data={"on": "2024-01-20", "helper": "X"})
    assert response.status_code == 403
    assert sqlite_env.ketnap.show(cid).candidate.version == 1


# --- the dashboard and the list -------------------------------------------------------------------------------

def test_the_dashboard_shows_what_is_overdue_in_the_users_branches_only(sqlite_env: Env) -> None:
    sqlite_env.seed("CB-01", "hold_ceremony", name="Phan Thị Thuỷ")
    sqlite_env.seed("CB-02", "hold_ceremony", name="Hồ Văn Khải")
    page = sqlite_env.login("sec_a").get("/")
    overdue = page.text.split('id="overdue"')[1].split('id="due"')[0]
    assert "Phan Thị Thuỷ" in overdue and "Hạn tổ chức lễ kết nạp" in overdue
    assert "Hồ Văn Khải" not in page.text


def test_the_list_groups_candidates_by_stage_and_searches_without_diacritics(sqlite_env: Env) -> None:
    sqlite_env.seed("CB-01", "enrol_training", name="Đặng Thu Hương")
    sqlite_env.seed("CB-01", "assign_helper", name="Võ Minh Tuấn")
    browser = sqlite_env.login("sec_a")
    mentored = browser.get("/candidates", params={"stage": "mentored"}).text
    assert "Đặng Thu Hương" in mentored and "Võ Minh Tuấn" not in mentored
    found = browser.get("/candidates", params={"q": "dang thu huong"}).text
    assert "Đặng Thu Hương" in found and "Võ Minh Tuấn" not in found
    for odd in ({"offset": "-5"}, {"stage": "<b>"}, {"q": LONG}, {"org": "CB-02"}):
        assert browser.get("/candidates", params=odd).status_code == 200, odd



def options_of(html: str) -> list[str]:
    select = re.search(r'<select name="org".*?</select>', html, re.S)
    assert select, "the list offers an organisation filter"
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def test_the_organisation_filter_offers_the_path_to_the_chosen_one_and_what_is_under_it(sqlite_env: Env) -> None:
    """A province's auditor is offered their province and the level under it, not every branch of the province
    (1,500 at the nation's size); choosing one offers the path to it and what is under it."""
    sqlite_env.seed("CB-02", "assign_helper", name="Hồ Văn Khải")
    browser = sqlite_env.login("auditor")
    assert options_of(browser.get("/candidates").text) == ["", "TINH", "DU-XA"]
    chosen = browser.get("/candidates", params={"org": "DU-CS"}).text
    assert options_of(chosen) == ["", "TINH", "DU-XA", "DU-CS", "CB-01", "CB-02"]
    assert '<option value="DU-CS" selected>' in chosen and "Hồ Văn Khải" in chosen
    assert options_of(sqlite_env.login("sec_a").get("/candidates").text) == ["", "CB-01"]

# --- recording through forms ----------------------------------------------------------------------------------

def test_a_secretary_records_a_step_through_its_form(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "assign_helper")
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "assign_helper", {"on": "2024-01-20", "helper": "Phạm Văn Bình"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = browser.get(response.headers["location"])  # type: ignore[attr-defined]
    assert "Đã ghi nhận bước" in page.text and "Phạm Văn Bình" in page.text
    events = sqlite_env.ketnap.events(cid)
    assert (events[-1].type, events[-1].actor, events[-1].derived["meta"]) == ("assign_helper", "sec_a",
                                                                               {"via": "web"})


def test_a_refused_step_shows_each_reason_next_to_its_field(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "branch_vote")
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "branch_vote", {"on": "2024-07-01", "official_members": "20",
                                                       "in_favour": "25"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert "vote_counts" in field_block(html, "in_favour")
    assert "qd24-2021 + hd01-2021" in field_block(html, "in_favour"), "the rule set and guidance that judged it"
    assert "Không ghi nhận được bước" in html
    assert "25" in field_block(html, "in_favour"), "what was typed is still there"
    timeline = unescape(browser.get(f"/candidates/{cid}").text)  # type: ignore[attr-defined]
    assert "Quy định áp dụng: qd24-2021 · Hướng dẫn áp dụng: hd01-2021" in timeline


def test_a_new_candidate_with_bad_input_gets_the_form_back_with_every_reason(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    page = browser.get("/candidates/new")
    response = browser.post("/candidates/new", data={
        "csrf_token": csrf_of(page.text), "on": "2024-13-45", "org": "CB-01", "full_name": LONG,
        "birth_date": "15/03/2000", "sex": "F"})
    assert response.status_code == 422
    assert "field_invalid" in field_block(response.text, "on")
    missing_on = browser.post("/candidates/new", data={"csrf_token": csrf_of(page.text), "on": "", "org": "CB-01"})
    assert "field_missing" in field_block(missing_on.text, "on")
    fixed = browser.post("/candidates/new", data={
        "csrf_token": csrf_of(page.text), "on": str(ON), "org": "CB-01", "full_name": "Nguyễn Thị Hoà",
        "sex": "F"})
    assert "field_missing" in field_block(fixed.text, "birth_date")
    assert "field_missing" in field_block(fixed.text, "education")
    assert 'value="Nguyễn Thị Hoà"' in fixed.text, "nothing typed is lost"


def test_a_long_name_is_refused_and_the_page_still_renders(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    page = browser.get("/candidates/new")
    response = browser.post("/candidates/new", data={
        "csrf_token": csrf_of(page.text), "on": str(ON), "org": "CB-01", "full_name": LONG,
        "birth_date": "2000-03-15", "sex": "F", "education": "university"})
    assert response.status_code == 422
    assert "field_invalid" in field_block(response.text, "full_name")


def test_names_with_any_diacritics_and_script_tags_are_shown_as_text(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    page = browser.get("/candidates/new")
    names = ["<script>alert('x')</script> Ê Đê", "Y Bhăm Êban", "Hoà Thuỷ Quỳnh Ỷ Ỵ Ữ ẞ"]
    for name in names:
        response = browser.post("/candidates/new", data={
            "csrf_token": csrf_of(page.text), "on": str(ON), "org": "CB-01", "full_name": name,
            "birth_date": "2000-03-15", "sex": "F", "education": "university", "youth_union": "on"},
            follow_redirects=True)
        assert response.status_code == 200, response.text
    listing = browser.get("/candidates").text
    assert "<script>alert" not in listing and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in listing
    for name in names[1:]:
        assert name in listing


def test_a_stale_form_gives_a_conflict_message_and_keeps_what_was_typed(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "enrol_training")
    browser = sqlite_env.login("sec_a")
    page = browser.get(f"/candidates/{cid}")
    sqlite_env.ketnap.record_step(RecordStep(candidate_id=cid, step="certify_training", on=ON.replace(year=2024),
                                             fields={"certificate_no": "A-1", "issued_on": "2024-10-30"},
                                             actor="sec_a_colleague"))
    typed = {"on": "2024-03-01", "class_name": "Lớp nhận thức khóa 7 — buổi tối"}
    version = re.search(r'id="form-enrol_training".*?name="expected_version" value="(\d+)"', page.text, re.S)
    assert version
    stale = browser.post(f"/candidates/{cid}/steps/enrol_training", data={
        "csrf_token": csrf_of(page.text), "expected_version": version.group(1), **typed})
    assert stale.status_code == 409
    assert "vừa được người khác cập nhật" in stale.text
    assert 'value="Lớp nhận thức khóa 7 — buổi tối"' in stale.text
    again = post_step(browser, cid, "enrol_training", typed)
    assert again.status_code == 303  # type: ignore[attr-defined]
    assert [e.type for e in sqlite_env.ketnap.events(cid)][-2:] == ["certify_training", "enrol_training"]


def test_the_introducers_form_reads_rows_and_a_nested_union_resolution(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "introduce")
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "introduce", {
        "on": "2024-06-10",
        "introducers.0.name": "Lê Văn Cường", "introducers.0.official_since": "2010-01-01",
        "introducers.0.months_together": "3",
        "union_resolution.body": "youth_union", "union_resolution.number": "12-NQ/ĐTN",
        "union_resolution.on": "2024-06-01"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "introducer_months_together" in field_block(response.text,  # type: ignore[attr-defined]
                                                       "introducers.0.months_together")


# --- roles --------------------------------------------------------------------------------------------------

def test_a_secretary_sees_no_page_of_another_branch(sqlite_env: Env) -> None:
    theirs = sqlite_env.seed("CB-02", "assign_helper")
    browser = sqlite_env.login("sec_a")
    assert browser.get(f"/candidates/{theirs}").status_code == 404
    page = browser.get("/candidates/new")
    response = browser.post(f"/candidates/{theirs}/steps/assign_helper", data={
        "csrf_token": csrf_of(page.text), "on": "2024-01-20", "helper": "X"})
    assert response.status_code == 404
    assert sqlite_env.ketnap.show(theirs).candidate.version == 1


def test_committee_steps_show_who_records_them_instead_of_a_form(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "committee_vote")
    secretary = sqlite_env.login("sec_a").get(f"/candidates/{cid}").text
    assert 'id="form-committee_vote"' not in secretary and "Văn phòng cấp ủy" in secretary
    committee = sqlite_env.login("committee").get(f"/candidates/{cid}").text
    assert 'id="form-committee_vote"' in committee and 'id="form-collect_comments"' not in committee


def test_the_committee_office_extends_the_decision_deadline_from_the_candidate_page(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "decide_admission")
    secretary = sqlite_env.login("sec_a").get(f"/candidates/{cid}").text
    assert 'id="form-extend_deadline"' not in secretary
    due = sqlite_env.ketnap.show(cid).candidate.deadlines["admission_decision"].due_on
    browser = sqlite_env.login("committee")
    assert "Số ngày làm việc gia hạn" in browser.get(f"/candidates/{cid}").text
    response = post_step(browser, cid, "extend_deadline", {
        "on": "2024-07-20", "deadline": "admission_decision", "extra_working_days": "30",
        "decision_no": "77-QĐ/ĐU", "reason": "chờ kết quả thẩm tra bổ sung"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    moved = sqlite_env.ketnap.show(cid).candidate.deadlines["admission_decision"].due_on
    assert moved == sqlite_env.ketnap.calendar.add_working_days(due, 30)


def test_an_auditor_sees_the_timeline_as_of_a_past_date_and_the_verification(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "hold_ceremony")
    browser = sqlite_env.login("auditor")
    page = browser.get("/audit", params={"candidate": cid, "as_of": "2024-06-12"})
    assert page.status_code == 200
    assert STAGES["vetted"][0] in page.text
    assert page.text.count('class="event ') == 8  # identify .. introduce (2024-06-10)
    assert "Không phát hiện sai lệch" in page.text
    day_first = browser.get("/audit", params={"candidate": cid, "as_of": "12/06/2024", "known_at": "31/12/2099 23:37"})
    assert day_first.text.count('class="event ') == 8  # 12 June, typed day first, whatever the browser's locale
    odd = browser.get("/audit", params={"candidate": cid, "as_of": "2024-31-12", "known_at": "yesterday"})
    assert odd.status_code == 200 and "“2024-31-12” — Ghi ngày theo dạng ngày/tháng/năm" in odd.text
    assert "“yesterday” — Ghi thời điểm theo giờ Việt Nam" in odd.text
    assert 'id="form-' not in browser.get(f"/candidates/{cid}").text
    assert sqlite_env.login("sec_a").get("/audit").status_code == 403


def test_an_admin_adds_a_user_with_organisations_of_their_own(sqlite_env: Env) -> None:
    browser = sqlite_env.login("admin")
    page = browser.get("/admin")
    added = browser.post("/admin/users", data={"csrf_token": csrf_of(page.text), "username": "sec_c",
                                               "role": "secretary", "orgs": ["CB-01", "CB-02"]})
    assert added.status_code == 200 and "sec_c" in added.text
    assert 'id="temporary-password"' in added.text and added.headers["cache-control"] == "no-store"
    assert "temporary-password" not in browser.get("/admin").text, "shown once"


# --- languages and the procedure -------------------------------------------------------------------------------

def test_vietnamese_by_default_english_on_request_and_remembered(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    assert "Tổng quan" in browser.get("/").text
    assert "Dashboard" in browser.get("/", params={"lang": "en"}).text
    assert "Dashboard" in browser.get("/").text, "the choice is kept in a cookie"
    assert "Tổng quan" in browser.get("/", params={"lang": "vi"}).text
    assert "Tổng quan" in browser.get("/", params={"lang": "xx"}).text


def test_the_procedure_diagram_is_generated_from_the_transition_table(sqlite_env: Env) -> None:
    from states.stages import Stage
    from states.transitions_table import TABLE

    page = sqlite_env.login("auditor").get("/procedure").text
    for stage in Stage:
        assert f'id="stage-{stage.value}"' in page
    moving = {m.step for m in TABLE if m.dest is not None}
    for step in moving:
        assert f"<title>{step}</title>" in page, step
    assert all(STEPS[s][0] in page for s in moving)


def test_a_transfer_to_a_branch_of_someone_else_is_refused_next_to_its_field(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "enrol_training")
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "transfer", {"on": str(ON), "to_org": "CB-02"})
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "không thuộc phạm vi" in field_block(response.text, "to_org")  # type: ignore[attr-defined]
    assert sqlite_env.ketnap.show(cid).candidate.org == "CB-01"


def test_a_step_dated_before_the_last_one_is_recorded_with_a_warning_on_the_page(sqlite_env: Env) -> None:
    """Issue 17, item 10: the page lands on the step's confirmation and, when its document is dated before the
    candidate's latest recorded date, says so next to it, as the API and the CLI do (a mistyped date is caught)."""
    cid = sqlite_env.seed("CB-01", "declare_history")  # the application letter is dated 01/04/2024
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "declare_history", {"on": "2024-03-25"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = unescape(browser.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    warning = re.search(r'<ul class="warnings" role="note">(.*?)</ul>', page, re.S)
    assert warning and "Lưu ý" in warning.group(1) and "25/03/2024" in warning.group(1), page[:3000]
    assert "dated_before_last_step" in warning.group(1)  # cited, linked to its rule

    in_order = sqlite_env.seed("CB-01", "declare_history", name="Trần Văn Đúng Hạn")
    response = post_step(browser, in_order, "declare_history", {"on": "2024-04-05"})
    page = browser.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert 'id="done"' in page and 'class="warnings"' not in page
