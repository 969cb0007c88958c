"""The organisation tree on the API and the pages (issue 10): the tree as of a date before and after a change,
who may record a change (an admin of the upper level, before and after it), what a user of an organisation that
ended may still do, and the candidate page naming the branch as it was on each step's date."""

from datetime import date
from typing import Any

import pytest

from tests.web.conftest import Env, csrf_of
from workflow import accounts

MERGE = {"kind": "merged", "code": "CB-02", "into": "CB-01", "on": "2025-07-01", "decision": "125-QĐ/ĐU",
         "issuer": "Đảng ủy xã"}


def change(env: Env, user: str, *changes: dict[str, Any], dry_run: bool = False) -> Any:
    return env.client.post("/api/orgs/changes", headers=env.auth(user),
                           json={"changes": list(changes), "dry_run": dry_run})


def org_events(env: Env) -> int:
    return len(env.ketnap.organisations.history_log().changes)


def add_admin(env: Env, username: str, orgs: list[str]) -> None:
    accounts.add_user(env.ketnap, username, "admin", orgs, None, full_name=f"Quản trị {username}")
    env.tokens[username] = accounts.create_token(env.ketnap, username, "tests").token


# --- reading the tree as of a date -----------------------------------------------------------------------------

def test_the_tree_as_of_a_date_before_and_after_a_merge(env: Env) -> None:
    carried = env.seed("CB-02", "decide_admission")
    recorded = change(env, "admin", MERGE)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["moved"][0] == {**recorded.json()["moved"][0], "candidate_id": carried,
                                           "from_org": "CB-02", "to_org": "CB-01"}
    tree = lambda day: {o["code"]: o for o in env.client.get(  # noqa: E731
        "/api/orgs", params={"as_of": day}, headers=env.auth("auditor")).json()["organisations"]}
    before, after = tree("2025-06-30"), tree("2025-07-01")
    assert before["CB-02"]["ended"] is False and before["CB-02"]["successors"] == []
    assert after["CB-02"] | {"ended": True, "ended_by": "merged", "ended_on": "2025-07-01",
                             "successors": ["CB-01"]} == after["CB-02"]
    assert after["CB-01"]["predecessors"] == ["CB-02"] and before["CB-01"]["predecessors"] == []
    one = lambda code, day: env.client.get(f"/api/orgs/{code}", params={"as_of": day},  # noqa: E731
                                           headers=env.auth("auditor")).json()
    assert one("CB-02", "2025-06-30")["exists_on_date"] is True
    assert one("CB-02", "2025-07-01") | {"exists_on_date": False, "deciding_committee": None} == \
        one("CB-02", "2025-07-01")
    assert one("CB-01", "2025-07-01")["chain"] == ["CB-01", "DU-CS", "DU-XA", "TINH"]
    assert one("CB-01", "2025-07-01")["deciding_committee"] == "DU-XA"  # DU-CS votes, the commune decides
    history = env.client.get("/api/orgs/CB-02/history", headers=env.auth("auditor")).json()
    assert [(c["change"], c["effective_on"], c["decision"], c["issuer"]) for c in history["changes"]] == [
        ("created", None, "", ""), ("merged", "2025-07-01", "125-QĐ/ĐU", "Đảng ủy xã")]
    successor = env.client.get("/api/orgs/CB-01/history", headers=env.auth("auditor")).json()
    assert [(c["code"], c["change"]) for c in successor["changes"]] == [("CB-01", "created"), ("CB-02", "merged")]
    mine = env.client.get("/api/candidates", headers=env.auth("sec_a")).json()["items"]
    assert carried in [c["id"] for c in mine], "the branch's secretary now has the carried candidate"


def test_organisations_outside_the_scope_are_not_found(env: Env) -> None:
    codes = {o["code"] for o in env.client.get("/api/orgs", headers=env.auth("sec_a")).json()["organisations"]}
    assert codes == {"CB-01"}
    for path in ("/api/orgs/CB-02", "/api/orgs/CB-02/history", "/api/orgs/NOPE"):
        assert env.client.get(path, headers=env.auth("sec_a")).status_code == 404, path
    bad = env.client.get("/api/orgs", params={"as_of": "2025-02-30"}, headers=env.auth("sec_a"))
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")


# --- who may record a change -----------------------------------------------------------------------------------

def test_an_admin_of_the_upper_level_records_a_change_and_a_dry_run_records_nothing(env: Env) -> None:
    before = org_events(env)
    preview = change(env, "admin", MERGE, dry_run=True)
    assert preview.status_code == 200 and preview.json()["dry_run"] is True
    assert org_events(env) == before
    create = {"kind": "created", "code": "DU-CS2", "name": "Đảng ủy cơ sở mới", "level": "grassroots",
              "parent": "DU-XA", "on": "2025-07-01", "decision": "12-QĐ/ĐU", "issuer": "Đảng ủy xã"}
    move = {"kind": "moved", "code": "CB-02", "parent": "DU-CS2", "on": "2025-07-01", "decision": "12-QĐ/ĐU"}
    assert change(env, "admin", create, move).status_code == 201
    assert org_events(env) == before + 2
    recorded = env.ketnap.organisations.history("CB-02")[1][-1]
    assert (recorded.actor, recorded.derived["meta"]) == ("admin", {"via": "api", "token": env.token_ids["admin"]})
    assert env.client.get("/api/orgs/CB-02", headers=env.auth("auditor")).json()["parent_code"] == "DU-CS2"


@pytest.mark.parametrize(("user", "code"), [("sec_a", "org_change_forbidden"), ("committee", "org_change_forbidden"),
                                            ("auditor", "read_only")])
def test_only_an_admin_records_a_change(env: Env, user: str, code: str) -> None:
    before = org_events(env)
    refused = change(env, user, MERGE)
    assert (refused.status_code, refused.json()["code"]) == (403, code), refused.text
    if code == "org_change_forbidden":
        assert [v["rule"] for v in refused.json()["violations"]] == ["org_change_admin_only"]
    assert org_events(env) == before, "nothing written"


def test_an_admin_of_only_one_side_of_a_move_is_refused_with_the_rule(env: Env) -> None:
    create = {"kind": "created", "code": "DU-CS2", "name": "Đảng ủy cơ sở mới", "level": "grassroots",
              "parent": "DU-XA", "on": "2025-07-01"}
    assert change(env, "admin", create).status_code == 201
    add_admin(env, "admin_cs", ["DU-CS"])
    add_admin(env, "admin_cs2", ["DU-CS2"])
    before = org_events(env)
    move = {"kind": "moved", "code": "CB-02", "parent": "DU-CS2", "on": "2025-08-01", "decision": "9-QĐ/ĐU"}
    for user, upper in (("admin_cs", "DU-CS2"), ("admin_cs2", "DU-CS")):
        refused = change(env, user, move)
        assert refused.status_code == 403, refused.text
        reasons = refused.json()["violations"]
        assert [v["rule"] for v in reasons] == ["org_change_out_of_scope"] and upper in reasons[0]["message_en"]
        assert reasons[0]["ref"] == "/rules#organisation-changes" and reasons[0]["message_vi"]
    merge_into_new = {**MERGE, "into": "DU-CS2", "code": "CB-02"}  # the successor's parent is DU-XA
    assert change(env, "admin_cs", merge_into_new).status_code == 403
    new_root = {"kind": "created", "code": "TINH2", "name": "Tỉnh mới", "level": "province", "on": "2025-07-01"}
    assert [v["rule"] for v in change(env, "admin", new_root).json()["violations"]] == ["org_change_no_upper"]
    assert org_events(env) == before, "nothing written"
    assert change(env, "admin_cs", MERGE, dry_run=True).status_code == 200, "both parents are DU-CS"


def test_a_refused_change_by_an_allowed_admin_lists_the_rule_and_writes_nothing(env: Env) -> None:
    before = org_events(env)
    cycle = {"kind": "moved", "code": "DU-CS", "parent": "CB-01", "on": "2025-07-01"}
    refused = change(env, "admin", cycle)
    assert (refused.status_code, refused.json()["code"]) == (422, "rule_violation")
    assert [v["rule"] for v in refused.json()["violations"]] == ["org_move_cycle"]
    assert org_events(env) == before


def test_the_old_organisation_route_follows_the_same_rule(env: Env) -> None:
    add_admin(env, "admin_cs", ["DU-CS"])
    body = {"code": "CB-09", "name": "Chi bộ mới", "level": "branch", "parent": "DU-XA"}
    refused = env.client.post("/api/organisations", headers=env.auth("admin_cs"), json=body)
    assert (refused.status_code, refused.json()["violations"][0]["rule"]) == (403, "org_change_out_of_scope")
    assert env.client.post("/api/organisations", headers=env.auth("admin_cs"),
                           json={**body, "parent": "DU-CS"}).status_code == 201


# --- a user of an organisation that ended ----------------------------------------------------------------------

def dissolved_branch(env: Env) -> str:
    """CB-03 with one official member, dissolved on 2025-12-01; its secretary `sec_c`."""
    create = {"kind": "created", "code": "CB-03", "name": "Chi bộ Nhân viên", "level": "branch", "parent": "DU-CS",
              "on": "2020-01-01"}
    assert change(env, "admin", create).status_code == 201
    official = env.seed("CB-03", None)  # the whole path: recognised on 2025-09-20
    dissolve = {"kind": "dissolved", "code": "CB-03", "on": "2025-12-01", "decision": "30-QĐ/ĐU",
                "issuer": "Đảng ủy trường"}
    assert change(env, "admin", dissolve).status_code == 201, "no candidate in flight"
    accounts.add_user(env.ketnap, "sec_c", "secretary", ["CB-03"], None, full_name="Bí thư cũ")
    env.tokens["sec_c"] = accounts.create_token(env.ketnap, "sec_c", "tests").token
    return official


def test_a_user_of_a_dissolved_branch_reads_its_history_and_records_nothing(env: Env) -> None:
    official = dissolved_branch(env)
    h = env.auth("sec_c")
    shown = env.client.get("/api/orgs/CB-03", headers=h).json()
    assert (shown["ended_by"], shown["ended_on"]) == ("dissolved", "2025-12-01")
    assert [c["change"] for c in env.client.get("/api/orgs/CB-03/history", headers=h).json()["changes"]] == [
        "created", "dissolved"]
    assert [c["id"] for c in env.client.get("/api/candidates", headers=h).json()["items"]] == [official]
    assert env.client.get(f"/api/candidates/{official}/history", headers=h).status_code == 200
    version = env.client.get(f"/api/candidates/{official}", headers=h).json()["version"]
    step = env.client.post(f"/api/candidates/{official}/steps", headers=h,
                           json={"step": "transfer", "on": "2026-01-05", "fields": {"to_org": "CB-01"}})
    assert (step.status_code, step.json()["code"]) == (403, "org_ended")
    new = env.client.post("/api/candidates", headers=h, json={"on": "2026-01-05", "fields": {
        "org": "CB-03", "full_name": "Lê Văn Tám", "birth_date": "2000-01-01", "sex": "M",
        "education": "university"}})
    assert (new.status_code, new.json()["code"]) == (403, "org_ended")
    assert env.client.get(f"/api/candidates/{official}", headers=h).json()["version"] == version
    province = {o["code"] for o in env.client.get("/api/orgs", headers=env.auth("auditor")).json()["organisations"]}
    assert "CB-03" in province, "the province still reads its dissolved branch"


def test_the_page_of_a_dissolved_branch_shows_its_history_without_forms(sqlite_env: Env) -> None:
    official = dissolved_branch(sqlite_env)
    browser = sqlite_env.login("sec_c")
    page = browser.get("/orgs/CB-03")
    assert page.status_code == 200 and "Đã giải thể" in page.text and "01/12/2025" in page.text
    assert "30-QĐ/ĐU" in page.text and 'id="org-change"' not in page.text
    candidate = browser.get(f"/candidates/{official}")
    assert candidate.status_code == 200 and "<form method=\"post\" action=\"/candidates/" not in candidate.text


# --- pages -----------------------------------------------------------------------------------------------------

def test_the_list_and_the_page_show_an_ended_organisation_and_its_successor(sqlite_env: Env) -> None:
    assert change(sqlite_env, "admin", MERGE).status_code == 201
    browser = sqlite_env.login("auditor")
    listed = browser.get("/orgs", params={"as_of": "2025-07-01"})
    assert listed.status_code == 200
    row = listed.text.split('data-code="CB-02"')[1].split("</tr>")[0]
    assert "Đã hợp nhất" in row and 'href="/orgs/CB-01?as_of=2025-07-01"' in row
    before = browser.get("/orgs", params={"as_of": "2025-06-30"}).text.split('data-code="CB-02"')[1].split("</tr>")[0]
    assert "Đang hoạt động" in before
    page = browser.get("/orgs/CB-02", params={"as_of": "2025-07-01"}).text
    assert "01/07/2025" in page and "125-QĐ/ĐU" in page and "Đảng ủy xã" in page
    assert 'id="successors"><li><a href="/orgs/CB-01' in page
    successor = browser.get("/orgs/CB-01", params={"as_of": "2025-07-01"}).text
    assert 'id="predecessors"><li><a href="/orgs/CB-02' in successor
    assert 'id="deciding"><a href="/orgs/DU-XA' in successor and "biểu quyết" in successor
    english = browser.get("/orgs/CB-02", params={"as_of": "2025-07-01", "lang": "en"}).text
    assert "Merged" in english and "2025-07-01" in english
    assert browser.get("/orgs", params={"as_of": "not-a-date"}).status_code == 200
    assert 'id="org-change"' not in page, "an auditor gets no change form"


def test_the_change_form_is_offered_to_an_admin_of_the_upper_level_only(sqlite_env: Env) -> None:
    add_admin(sqlite_env, "admin_cs", ["DU-CS"])
    for user, code, shown in (("admin", "CB-02", True), ("admin", "TINH", False), ("admin_cs", "CB-02", True),
                              ("admin_cs", "DU-CS", False), ("sec_a", "CB-01", False)):
        page = sqlite_env.login(user).get(f"/orgs/{code}")
        assert page.status_code == 200 and ('id="org-change"' in page.text) is shown, (user, code)


def test_the_change_form_records_previews_and_shows_each_refusal_with_its_rule(sqlite_env: Env) -> None:
    add_admin(sqlite_env, "admin_cs", ["DU-CS"])
    browser = sqlite_env.login("admin_cs")
    page = browser.get("/orgs/CB-02")
    form = {"csrf_token": csrf_of(page.text), "kind": "moved", "code": "CB-02", "on": "2025-07-01",
            "decision": "9-QĐ/ĐU", "issuer": "Đảng ủy xã", "parent": "DU-XA"}
    before = org_events(sqlite_env)
    refused = browser.post("/orgs/CB-02/changes", data=form)
    assert refused.status_code == 403
    assert 'data-rule="org_change_out_of_scope"' in refused.text and "/rules#organisation-changes" in refused.text
    bad = browser.post("/orgs/CB-02/changes", data={**form, "on": "", "kind": "exploded"})
    assert bad.status_code == 422 and bad.text.count('data-rule="invalid_input"') == 2
    preview = browser.post("/orgs/CB-02/changes", data={**form, "kind": "merged", "into": "CB-01", "parent": "",
                                                        "dry_run": "on"})
    assert preview.status_code == 200 and "Xem trước" in preview.text
    assert org_events(sqlite_env) == before, "refusals and previews write nothing"
    done = browser.post("/orgs/CB-02/changes", data={**form, "kind": "renamed", "name": "Chi bộ Học sinh mới",
                                                     "parent": ""}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/orgs/CB-02?as_of=2025-07-01&done=renamed"
    assert "Chi bộ Học sinh mới" in browser.get(done.headers["location"]).text
    secretary = sqlite_env.login("sec_b")
    sec_page = secretary.get("/orgs/CB-02")
    denied = secretary.post("/orgs/CB-02/changes", data={**form, "csrf_token": csrf_of(sec_page.text)})
    assert denied.status_code == 403 and 'data-rule="org_change_admin_only"' in denied.text
    assert org_events(sqlite_env) == before + 1


def test_the_candidate_page_names_the_branch_now_and_as_it_was_on_each_step(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-02", "review_vote")  # probation from 2024-08-20
    assert change(sqlite_env, "admin", MERGE, {"kind": "renamed", "code": "CB-01", "on": "2025-08-01",
                                               "name": "Chi bộ Giáo viên – Học sinh"}).status_code == 201
    browser = sqlite_env.login("sec_a")
    page = browser.get(f"/candidates/{cid}")
    now = page.text.split('id="branch-now">')[1].split("</span>")[0]
    assert "CB-01" in now and "Chi bộ Giáo viên – Học sinh" in now and "chuyển từ CB-02 do Hợp nhất" in now
    first = page.text.split('data-version="1"')[1].split("</li>")[0]
    assert "CB-02</a> — Chi bộ Học sinh" in first and "chuyển từ" not in first
    review = browser.post(f"/candidates/{cid}/steps/review_vote", data={
        "csrf_token": csrf_of(page.text), "on": "2025-08-25", "official_members": "21", "in_favour": "20",
        "recommendation": "recognise", "expected_version": "15"}, follow_redirects=False)
    assert review.status_code == 303, review.text
    after = browser.get(f"/candidates/{cid}").text.split('data-version="16"')[1].split("</li>")[0]
    assert "CB-01</a> — Chi bộ Giáo viên – Học sinh" in after and "01/07/2025" in after
    assert date(2025, 8, 25).strftime("%d/%m/%Y") in after


def test_the_type_of_an_organisation_is_recorded_by_the_form_and_the_api_and_shown_as_of_its_date(
        sqlite_env: Env) -> None:
    add_admin(sqlite_env, "admin_cs", ["DU-CS"])
    browser = sqlite_env.login("admin_cs")
    page = browser.get("/orgs/CB-02")
    assert 'name="org_type"' in page.text and "Đơn vị sự nghiệp công lập" in page.text
    form = {"csrf_token": csrf_of(page.text), "kind": "typed", "code": "CB-02", "on": "2025-03-01",
            "org_type": "public_service"}
    bad = browser.post("/orgs/CB-02/changes", data={**form, "org_type": "bank"})
    assert bad.status_code == 422 and 'data-rule="org_type_unknown"' in bad.text
    done = browser.post("/orgs/CB-02/changes", data=form, follow_redirects=False)
    assert done.status_code == 303
    shown = browser.get("/orgs/CB-02?as_of=2025-03-01").text
    assert "Đơn vị sự nghiệp công lập" in shown.split('id="org-type"')[1][:80]
    before = browser.get("/orgs/CB-02?as_of=2025-02-28").text
    assert "Đơn vị sự nghiệp công lập" not in before.split('id="org-type"')[1][:80]
    api = change(sqlite_env, "admin", {"kind": "typed", "code": "CB-01", "on": "2025-03-01", "org_type": "press"})
    assert api.status_code == 201, api.text
    listed = {o["code"]: o for o in sqlite_env.client.get("/api/orgs", headers=sqlite_env.auth("auditor")).json()[
        "organisations"]}
    assert (listed["CB-01"]["org_type"], listed["CB-02"]["org_type"]) == ("press", "public_service")
