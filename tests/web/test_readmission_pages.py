"""Re-admission on the web (issue 12): the identify form's previous-membership group is read into the step, a
barred reason comes back with its rule on the form and records nothing, and the candidate page says
"Kết nạp lại"."""

from tests.web.conftest import ON, Env, csrf_of

PERSON = {"on": str(ON), "org": "CB-01", "full_name": "Lê Văn Tâm", "birth_date": "12/04/1980", "sex": "M",
          "education": "university", "previous_membership.admitted_on": "19/05/2005",
          "previous_membership.left_on": "01/03/2015"}


def events(env: Env) -> int:
    with env.ketnap.uow.reading() as tx:
        return int(tx.conn.exec_driver_sql("SELECT count(*) FROM event").scalar() or 0)


def test_a_former_member_is_identified_from_the_form_and_the_page_says_readmission(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    page = browser.get("/candidates/new")
    written = events(sqlite_env)
    barred = browser.post("/candidates/new", data={"csrf_token": csrf_of(page.text), **PERSON,
                                                   "previous_membership.left_reason": "asked_to_leave"})
    assert barred.status_code == 422 and "readmission_barred" in barred.text and "Xin ra khỏi Đảng" in barred.text
    assert events(sqlite_env) == written
    sent = browser.post("/candidates/new", data={"csrf_token": csrf_of(page.text), **PERSON,
                                                 "previous_membership.left_reason": "struck_off"},
                        follow_redirects=False)
    assert sent.status_code == 303, sent.text[:500]
    shown = browser.get(sent.headers["location"])
    assert 'data-key="readmission"' in shown.text and "đã từng là đảng viên" in shown.text


def test_the_report_page_shows_the_readmissions_line(sqlite_env: Env) -> None:
    page = sqlite_env.login("sec_a").get("/reports/admissions?period=2024")
    assert page.status_code == 200
    assert 'id="readmissions"' in page.text and "Trong đó kết nạp lại: 0" in page.text
