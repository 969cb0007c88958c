"""The HTTP API through FastAPI's test client, on SQLite and on PostgreSQL."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.builders import PERSON
from tests.web.conftest import ON, Env
from workflow import accounts
from workflow.web.context import PASSWORD_API

NEW_PERSON = {"org": "CB-01", "full_name": "Trần Thị Mỹ Dung", "birth_date": "2001-05-19", "sex": "F",
              "education": "university"}


def api_routes(env: Env, writes: bool) -> list[tuple[str, str]]:
    """(method, path) of every API route, reads or writes, from the application's own OpenAPI schema."""
    found = []
    for path, operations in env.web.openapi()["paths"].items():
        for method in operations:
            if (method in ("post", "put", "patch", "delete")) == writes:
                found.append((method.upper(), path))
    assert found, "the schema lists the routes"
    return sorted(found)


# --- creating, listing, searching --------------------------------------------------------------------------------

def test_a_secretary_identifies_a_candidate_and_is_the_events_actor(env: Env) -> None:
    response = env.client.post("/api/candidates", json={"on": str(ON), "fields": NEW_PERSON},
                               headers=env.auth("sec_a"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stage"] == "identified" and body["full_name"] == "Trần Thị Mỹ Dung"
    assert response.headers["location"] == f"/api/candidates/{body['id']}"
    history = env.client.get(f"/api/candidates/{body['id']}/history", headers=env.auth("sec_a")).json()
    assert [e["actor"] for e in history["events"]] == ["sec_a"]
    assert history["events"][0]["derived"]["meta"] == {"via": "api", "token": env.token_ids["sec_a"]}


def test_search_finds_a_name_typed_without_diacritics(env: Env) -> None:
    wanted = env.seed("CB-01", "assign_helper")
    env.seed("CB-01", "assign_helper", name="Lê Văn Tám")
    for query in ("nguyen thi hoa", "NGUYỄN THỊ HOÀ", "thi ho", "Nguyên"):
        found = env.client.get("/api/candidates", params={"q": query}, headers=env.auth("sec_a")).json()
        assert [c["id"] for c in found["items"]] == [wanted], query
    none = env.client.get("/api/candidates", params={"q": "100%_"}, headers=env.auth("sec_a")).json()
    assert none["items"] == []


def test_list_filters_by_stage_org_due_and_overdue(env: Env) -> None:
    mentored = env.seed("CB-01", "enrol_training")
    admitted = env.seed("CB-01", "hold_ceremony")  # the ceremony deadline of 2024 is long overdue
    other = env.seed("CB-02", "enrol_training")
    get = lambda **params: [c["id"] for c in env.client.get(  # noqa: E731
        "/api/candidates", params=params, headers=env.auth("committee")).json()["items"]]
    assert set(get()) == {mentored, admitted, other}
    assert get(stage="admitted") == [admitted]
    assert set(get(org="CB-01")) == {mentored, admitted}
    assert get(org="CB-02") == [other]
    assert get(overdue="true") == [admitted]
    due_on = env.client.get(f"/api/candidates/{admitted}", headers=env.auth("committee")).json()["deadlines"]
    ceremony = next(d["due_on"] for d in due_on if d["kind"] == "ceremony")
    assert get(due=ceremony) == [admitted]
    assert admitted not in get(due=str(date.fromisoformat(ceremony) - timedelta(days=1)))


def test_pages_of_the_list_do_not_overlap(env: Env) -> None:
    ids = {env.seed("CB-01", "assign_helper", name=f"Người số {i}") for i in range(5)}
    first = env.client.get("/api/candidates", params={"limit": 3}, headers=env.auth("sec_a")).json()
    second = env.client.get("/api/candidates", params={"limit": 3, "offset": 3}, headers=env.auth("sec_a")).json()
    assert first["has_more"] and not second["has_more"]
    assert {c["id"] for c in first["items"]} | {c["id"] for c in second["items"]} == ids


def test_the_list_and_the_deadlines_follow_their_cursor_and_count(env: Env) -> None:
    ids = {env.seed("CB-01", "hold_ceremony", name=f"Người số {i}") for i in range(5)}
    seen: list[str] = []
    deadlines: list[int] = []
    for path, out in (("/api/candidates", seen), ("/api/deadlines", deadlines)):
        params: dict[str, str | int] = {"limit": 2}
        while True:
            page = env.client.get(path, params=params, headers=env.auth("sec_a")).json()
            assert page["total"] is not None and len(page["items"]) <= 2
            out += [r["id"] for r in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(ids) and len(deadlines) == len(set(deadlines)) >= 5
    bad = env.client.get("/api/deadlines", params={"cursor": "not-a-cursor"}, headers=env.auth("sec_a"))
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")



def test_a_list_over_several_organisations_is_in_name_order_and_stays_in_scope(env: Env) -> None:
    """A committee's list spans its branches (on PostgreSQL the planner picks the index; the answer is the same):
    pages by cursor in the order of the folded name, a search without diacritics, and a branch sees its own."""
    names = {"CB-01": ["Nguyễn Thị Hoa", "Lê Văn Tám", "Đỗ Thị Én"], "CB-02": ["Nguyễn Thị Ánh", "Trần Văn Bảy"]}
    seeded = {env.seed(org, "assign_helper", name=name): name for org, people in names.items() for name in people}
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = env.client.get("/api/candidates", params=params, headers=env.auth("committee")).json()
        seen += [r["id"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert [seeded[i] for i in seen] == ["Đỗ Thị Én", "Lê Văn Tám", "Nguyễn Thị Ánh", "Nguyễn Thị Hoa",
                                          "Trần Văn Bảy"]
    found = env.client.get("/api/candidates", params={"q": "nguyen thi"}, headers=env.auth("committee")).json()
    assert [seeded[r["id"]] for r in found["items"]] == ["Nguyễn Thị Ánh", "Nguyễn Thị Hoa"]
    own = env.client.get("/api/candidates", params={"q": "nguyen thi"}, headers=env.auth("sec_b")).json()
    assert [seeded[r["id"]] for r in own["items"]] == ["Nguyễn Thị Ánh"]

# --- recording steps -----------------------------------------------------------------------------------------

def test_a_step_moves_the_candidate_and_lists_what_comes_next(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"),
                               json={"step": "assign_helper", "on": "2024-01-20", "fields": {"helper": "Phạm Văn Bình"},
                                     "expected_version": 1})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["stage"], body["version"]) == ("mentored", 2)
    assert "enrol_training" in [a["step"] for a in body["allowed_steps"]]


def test_a_stale_version_is_a_409_conflict_and_writes_nothing(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"),
                    json={"step": "assign_helper", "on": "2024-01-20", "fields": {"helper": "Phạm Văn Bình"}})
    stale = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"),
                            json={"step": "enrol_training", "on": "2024-03-01", "expected_version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert stale.json()["actual_version"] == 2
    assert env.client.get(f"/api/candidates/{cid}", headers=env.auth("sec_a")).json()["version"] == 2


def test_a_refused_step_is_422_with_every_rule_its_id_and_citation(env: Env) -> None:
    cid = env.seed("CB-01", "introduce")  # vetted, but no introducers and no comments yet
    missing = env.client.get(f"/api/candidates/{cid}/allowed-steps", params={"on": "2024-07-01"},
                             headers=env.auth("sec_a")).json()
    expected = {v["rule"] for a in missing if a["step"] == "branch_vote" for v in a["missing"]}
    assert len(expected) >= 2, "the vote lacks both the introducers and the comments"
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json={
        "step": "branch_vote", "on": "2024-07-01", "fields": {"official_members": 20, "in_favour": 25}})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "rule_violation"
    rules = {v["rule"] for v in body["violations"]}
    assert expected | {"vote_counts"} <= rules
    assert all(v["ref"] and v["source"] and v["message_vi"] and v["message_en"] for v in body["violations"])


def test_a_step_not_allowed_from_the_stage_is_409_with_the_allowed_steps(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("committee"), json={
        "step": "decide_admission", "on": "2024-08-01", "fields": {"decision_no": "1", "decided_by": "DU-XA"}})
    assert response.status_code == 409
    assert response.json()["code"] == "step_not_allowed"
    assert "assign_helper" in response.json()["allowed_steps"]


def test_secretaries_record_branch_steps_and_committees_their_votes_and_decisions(env: Env) -> None:
    cid = env.seed("CB-01", "committee_vote")
    vote = {"step": "committee_vote", "on": "2024-07-10", "fields": {"committee_members": 9, "in_favour": 7}}
    refused = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json=vote)
    assert (refused.status_code, refused.json()["code"]) == (403, "wrong_role")
    accepted = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("committee"), json=vote)
    assert accepted.status_code == 201, accepted.text
    branch = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("committee"), json={
        "step": "collect_comments", "on": "2024-07-11", "fields": {"sources": ["residence"]}})
    assert (branch.status_code, branch.json()["code"]) == (403, "wrong_role")


def test_a_secretary_cannot_put_a_new_candidate_into_another_branch(env: Env) -> None:
    response = env.client.post("/api/candidates", headers=env.auth("sec_a"),
                               json={"on": str(ON), "fields": {**NEW_PERSON, "org": "CB-02"}})
    assert (response.status_code, response.json()["code"]) == (403, "out_of_scope")
    assert env.client.get("/api/candidates", headers=env.auth("sec_b")).json()["items"] == []


# --- scope, roles, tokens ------------------------------------------------------------------------------------

def test_a_secretary_of_branch_a_gets_404_or_403_on_every_route_for_branch_b(env: Env) -> None:
    theirs = env.seed("CB-02", "hold_ceremony")
    for method, path in api_routes(env, writes=False) + api_routes(env, writes=True):
        if "{candidate_id}" not in path:
            continue
        url = path.replace("{candidate_id}", theirs)
        body = {"step": "hold_ceremony", "on": "2024-08-20", "fields": {"probation_helper": "X"}}
        response = env.client.request(method, url, headers=env.auth("sec_a"),
                                       json=body if method == "POST" else None)
        assert response.status_code in (403, 404), (method, path, response.status_code)
    listed = env.client.get("/api/candidates", headers=env.auth("sec_a")).json()["items"]
    assert theirs not in [c["id"] for c in listed]
    for url in ("/api/candidates?org=CB-02", "/api/deadlines?org=CB-02", f"/api/audit/verify?candidate_id={theirs}"):
        assert env.client.get(url, headers=env.auth("sec_a")).status_code in (403, 404), url
    assert all(d["stream_id"] != theirs
               for d in env.client.get("/api/deadlines", headers=env.auth("sec_a")).json()["items"])
    assert env.client.get("/api/candidates/unknown-id", headers=env.auth("sec_a")).json()["code"] == \
        env.client.get(f"/api/candidates/{theirs}", headers=env.auth("sec_a")).json()["code"]


def test_an_auditor_reads_everything_in_scope_and_gets_403_on_every_write(env: Env) -> None:
    cid = env.seed("CB-02", "hold_ceremony")
    assert env.client.get(f"/api/candidates/{cid}", headers=env.auth("auditor")).status_code == 200
    writes = [(m, p) for m, p in api_routes(env, writes=True) if p != PASSWORD_API]  # their own password: theirs
    assert len(writes) >= 6
    for method, path in writes:
        url = path.replace("{candidate_id}", cid).replace("{token_id}", str(env.token_ids["auditor"]))
        response = env.client.request(method, url, headers=env.auth("auditor"), json={"on": "2024-08-20"})
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        assert response.json()["code"] == "read_only"
    assert env.client.get(f"/api/candidates/{cid}", headers=env.auth("auditor")).json()["version"] == 12


def test_a_revoked_token_is_refused(env: Env) -> None:
    issued = accounts.create_token(env.ketnap, "sec_a", "laptop")
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert env.client.get("/api/me", headers=headers).status_code == 200
    revoked = env.client.delete(f"/api/tokens/{issued.id}", headers=env.auth("sec_a"))
    assert revoked.status_code == 204
    refused = env.client.get("/api/me", headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
    assert env.client.get("/api/me", headers=env.auth("sec_a")).status_code == 200, "other tokens still work"


def test_tokens_are_stored_hashed_and_shown_once(env: Env) -> None:
    created = env.client.post("/api/tokens", json={"label": "script"}, headers=env.auth("sec_b"))
    assert created.status_code == 201
    token = created.json()["token"]
    with env.ketnap.engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql("SELECT token_hash FROM api_token")]
    assert token not in stored and accounts.token_hash(token) in stored
    assert env.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["username"] == "sec_b"


def test_someone_elses_token_cannot_be_revoked(env: Env) -> None:
    response = env.client.delete(f"/api/tokens/{env.token_ids['sec_b']}", headers=env.auth("sec_a"))
    assert response.status_code == 404
    assert env.client.get("/api/me", headers=env.auth("sec_b")).status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer kn_not-a-token", "Basic c2VjX2E6eA==", "Bearer "])
def test_without_a_valid_token_every_route_but_the_public_ones_is_401(env: Env, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    public = {"/api/health", "/api/steps"}  # liveness and the procedure's steps: no personal data
    for path in public:
        assert env.client.get(path, headers=headers).status_code == 200
    for method, path in api_routes(env, writes=False) + api_routes(env, writes=True):
        if path in public:
            continue
        url = path.replace("{candidate_id}", "x")
        response = env.client.request(method, url, headers=headers)
        assert response.status_code == 401, (path, response.status_code)
        assert response.json()["code"] in ("unauthenticated", "invalid_token")


def test_a_browser_session_must_send_its_csrf_token_to_write(env: Env) -> None:
    browser = env.login("sec_a")
    assert browser.get("/api/me").json()["via"] == "session"
    refused = browser.post("/api/candidates", json={"on": str(ON), "fields": NEW_PERSON})
    assert (refused.status_code, refused.json()["code"]) == (401, "csrf_failed")


# --- history, deadlines, organisations, audit ----------------------------------------------------------------

def test_history_as_of_a_date_and_as_known_at_a_moment(env: Env) -> None:
    cid = env.seed("CB-01", "enrol_training")  # identified 2024-01-10, helper 2024-01-20
    recorded = env.clock.now()
    env.clock.advance(days=1)
    env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"),
                    json={"step": "enrol_training", "on": "2024-03-01"})
    get = lambda **p: env.client.get(f"/api/candidates/{cid}/history", params=p,  # noqa: E731
                                     headers=env.auth("auditor")).json()
    assert get()["stage"] == "training_class"
    assert get(as_of="2024-01-15")["stage"] == "identified"
    assert len(get(as_of="2024-01-15")["events"]) == 1
    assert get(known_at=recorded.isoformat())["stage"] == "mentored"
    assert get(known_at=datetime(2020, 1, 1).isoformat())["events"] == []
    bad = env.client.get(f"/api/candidates/{cid}/history", params={"as_of": "2024-13-45"},
                         headers=env.auth("auditor"))
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")


def test_deadlines_are_those_of_the_users_organisations(env: Env) -> None:
    mine = env.seed("CB-01", "hold_ceremony")
    theirs = env.seed("CB-02", "hold_ceremony")
    for user, expected in (("sec_a", {mine}), ("sec_b", {theirs}), ("auditor", {mine, theirs})):
        rows = env.client.get("/api/deadlines", headers=env.auth(user)).json()["items"]
        assert {r["stream_id"] for r in rows} == expected, user


def test_organisations_are_those_of_the_users_scope(env: Env) -> None:
    codes = lambda u: {o["code"] for o in env.client.get(  # noqa: E731
        "/api/organisations", headers=env.auth(u)).json()}
    assert codes("sec_a") == {"CB-01"}
    assert codes("committee") == {"DU-XA", "DU-CS", "CB-01", "CB-02"}
    assert codes("admin") == {"TINH", "DU-XA", "DU-CS", "CB-01", "CB-02"}
    added = env.client.post("/api/organisations", headers=env.auth("admin"), json={
        "code": "CB-03", "name": "Chi bộ Nhân viên", "level": "branch", "parent": "DU-CS"})
    assert added.status_code == 201, added.text
    refused = env.client.post("/api/organisations", headers=env.auth("sec_a"), json={
        "code": "CB-04", "name": "x", "level": "branch", "parent": "CB-01"})
    assert refused.status_code == 403


def test_the_audit_verification_reports_a_clean_log_to_auditors_only(env: Env) -> None:
    cid = env.seed("CB-01", "hold_ceremony")
    report = env.client.get("/api/audit/verify", headers=env.auth("auditor")).json()
    assert report["ok"] is True and report["streams"] == 1 and report["events"] == 12
    one = env.client.get("/api/audit/verify", params={"candidate_id": cid}, headers=env.auth("auditor")).json()
    assert one["events"] == 12
    assert env.client.get("/api/audit/verify", headers=env.auth("sec_a")).status_code == 403


def test_errors_carry_a_stable_code(env: Env) -> None:
    h = env.auth("sec_a")
    assert env.client.get("/api/candidates/nope", headers=h).json()["code"] == "candidate_not_found"
    assert env.client.post("/api/candidates", headers=h, json={"fields": {}}).json()["code"] == "invalid_request"
    cid = env.seed("CB-01", "assign_helper")
    unknown = env.client.post(f"/api/candidates/{cid}/steps", headers=h, json={"step": "promote", "on": str(ON)})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_step")
    assert env.client.get("/api/nowhere", headers=h).json()["code"] == "not_found"


def test_vietnamese_names_keep_their_diacritics_in_nfc(env: Env) -> None:
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Hoa\u0300"  # typed on a keyboard that sends combining marks
    response = env.client.post("/api/candidates", headers=env.auth("sec_a"),
                               json={"on": str(ON), "fields": {**PERSON, "full_name": decomposed}})
    assert response.json()["full_name"] == "Nguyễn Thị Hoà"
    found = env.client.get("/api/candidates", params={"q": "nguyen"}, headers=env.auth("sec_a")).json()
    assert [c["full_name"] for c in found["items"]] == ["Nguyễn Thị Hoà"]


def test_the_api_documentation_is_served_without_the_internet(env: Env) -> None:
    page = env.client.get("/docs")
    assert page.status_code == 200
    scripts = re.findall(r'src="([^"]+)"', page.text)
    assert scripts and all(s.startswith("/docs/assets/") for s in scripts), scripts
    assert all(env.client.get(s).status_code == 200 for s in scripts)
    schema = env.client.get("/openapi.json").json()
    assert "/api/candidates/{candidate_id}/steps" in schema["paths"]
