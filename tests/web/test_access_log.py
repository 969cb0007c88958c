"""The read-access log through the web (issue 11, item 7): every view of a candidate's file on the pages and the
API is recorded with who, role, view, time and client address; a refused view records nothing; auditors read the
log at /audit/access, only for their organisations, and nobody else can."""

from tests.web.conftest import Env
from workflow import access_log, accounts
from workflow.clock import VIETNAM


def _views(env: Env, candidate_id: str) -> set[tuple[str, str, str | None, str, str]]:
    rows = access_log.read(env.ketnap, None, candidate_id=candidate_id).rows
    assert all(r["at"] == env.clock.now() and r["org"] == "CB-01" for r in rows)
    return {(r["view"], r["actor"], r["role"], r["via"], r["origin"]) for r in rows}


def test_every_view_of_a_file_on_the_pages_and_the_api_is_recorded(env: Env) -> None:
    cid = env.seed("CB-01", "branch_vote")
    assert env.login("sec_a").get(f"/candidates/{cid}").status_code == 200
    for path in ("", "/history?as_of=2024-06-01", "/allowed-steps"):
        assert env.client.get(f"/api/candidates/{cid}{path}", headers=env.auth("sec_a")).status_code == 200
    auditor = env.login("auditor")
    assert auditor.get(f"/audit?candidate={cid}&as_of=2024-06-01").status_code == 200
    assert _views(env, cid) == {
        ("candidate_page", "sec_a", "secretary", "web", "testclient"),
        ("api_candidate", "sec_a", "secretary", "api", "testclient"),
        ("api_history", "sec_a", "secretary", "api", "testclient"),
        ("api_allowed_steps", "sec_a", "secretary", "api", "testclient"),
        ("audit_history", "auditor", "auditor", "web", "testclient")}
    assert len(access_log.read(env.ketnap, None, candidate_id=cid).rows) == 5  # one row per view


def test_a_view_refused_outside_the_users_organisations_records_nothing(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    assert env.client.get(f"/api/candidates/{cid}", headers=env.auth("sec_b")).status_code == 404
    assert env.client.get(f"/api/candidates/{cid}/history", headers=env.auth("sec_b")).status_code == 404
    assert env.login("sec_b").get(f"/candidates/{cid}").status_code == 404
    assert env.client.get("/api/candidates", headers=env.auth("sec_a")).status_code == 200  # a list, not a file
    assert access_log.read(env.ketnap, None, candidate_id=cid).rows == []


def test_auditors_read_the_access_log_of_their_organisations_in_the_web_interface(sqlite_env: Env) -> None:
    env = sqlite_env
    cid = env.seed("CB-01", "assign_helper")
    other = env.seed("CB-02", "assign_helper", name="Lê Văn Tám")
    for candidate in (cid, other):
        env.client.get(f"/api/candidates/{candidate}", headers=env.auth("admin"))
    auditor = env.login("auditor")
    home = auditor.get("/").text
    assert 'href="/audit/access"' in home
    page = auditor.get(f"/audit/access?candidate={cid}")
    assert page.status_code == 200
    when = env.clock.now().astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    assert "giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+07:00)" in page.text and when in page.text
    assert "API: hồ sơ" in page.text and "admin" in page.text and "testclient" in page.text
    assert 'class="grid stack"' in page.text  # one card per row on a phone
    assert "Không có lần truy cập nào khớp." in auditor.get("/audit/access?user=nobody").text
    assert "Ngày không hợp lệ" in auditor.get("/audit/access?user=admin&since=31/02/2026").text
    day = env.clock.now().astimezone(VIETNAM).strftime("%d/%m/%Y")
    assert other in auditor.get(f"/audit/access?user=admin&since={day}").text

    accounts.add_user(env.ketnap, "auditor_b", "auditor", ["CB-02"], None, full_name="Kiểm tra chi bộ B")
    branch_b = env.login("auditor_b").get("/audit/access?user=admin").text
    assert other in branch_b and cid not in branch_b

    for username in ("sec_a", "committee", "admin"):
        browser = env.login(username)
        assert browser.get("/audit/access").status_code == 403
        assert 'href="/audit/access"' not in browser.get("/").text


def test_the_access_page_goes_a_page_at_a_time(sqlite_env: Env) -> None:
    env = sqlite_env
    cid = env.seed("CB-01", "assign_helper")
    size = 50  # config.yaml web.page_size
    for _ in range(size + 1):
        env.client.get(f"/api/candidates/{cid}", headers=env.auth("sec_a"))
    auditor = env.login("auditor")
    first = auditor.get(f"/audit/access?candidate={cid}").text
    assert first.count('data-label="Người xem"') == size and f"offset={size}" in first
    second = auditor.get(f"/audit/access?candidate={cid}&offset={size}").text
    assert second.count('data-label="Người xem"') == 1 and "offset=0" in second
