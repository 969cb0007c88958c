"""Idempotent step requests (issue 11, break 9): the same request sent again with one `Idempotency-Key`, or one
page's form sent twice, records its step once and every repeat gets the first answer; on SQLite and PostgreSQL."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.web.conftest import ON, Env, csrf_of
from tests.web.test_api import NEW_PERSON

COMMENTS = {"step": "collect_comments", "on": "2024-06-15", "fields": {"sources": ["residence", "mass_organisations"]}}
TIMES = 20


def _at_once(send: Any) -> list[Any]:
    """`send()` from TIMES threads released together, so the requests really race at the database."""
    start = threading.Barrier(TIMES)

    def one(_: int) -> Any:
        start.wait()
        return send()

    with ThreadPoolExecutor(TIMES) as pool:
        return list(pool.map(one, range(TIMES)))


def test_twenty_identical_step_requests_with_one_key_record_one_event_and_answer_alike(env: Env) -> None:
    cid = env.seed("CB-01", "collect_comments")
    before = len(env.ketnap.events(cid))
    headers = {**env.auth("sec_a"), "Idempotency-Key": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"}
    answers = _at_once(lambda: env.client.post(f"/api/candidates/{cid}/steps", headers=headers, json=COMMENTS))

    assert [a.status_code for a in answers] == [201] * TIMES, answers[0].text
    assert all(a.json() == answers[0].json() for a in answers)
    events = env.ketnap.events(cid)
    assert len(events) == before + 1 and events[-1].type == "collect_comments"
    assert [e["version"] for e in answers[0].json()["events"]] == [before + 1]


def test_twenty_identical_new_candidates_with_one_key_make_one_candidate(env: Env) -> None:
    headers = {**env.auth("sec_a"), "Idempotency-Key": "new-candidate-1"}
    body = {"on": str(ON), "fields": NEW_PERSON}
    answers = _at_once(lambda: env.client.post("/api/candidates", headers=headers, json=body))

    assert [a.status_code for a in answers] == [201] * TIMES, answers[0].text
    assert all(a.json() == answers[0].json() for a in answers)
    assert len({a.headers["location"] for a in answers}) == 1
    listed = env.client.get("/api/candidates", headers=env.auth("sec_a")).json()["items"]
    assert [c["full_name"] for c in listed] == [NEW_PERSON["full_name"]]


def test_a_key_sent_again_with_another_body_is_refused_and_writes_nothing(env: Env) -> None:
    cid = env.seed("CB-01", "collect_comments")
    headers = {**env.auth("sec_a"), "Idempotency-Key": "k-1"}
    first = env.client.post(f"/api/candidates/{cid}/steps", headers=headers, json=COMMENTS)
    assert first.status_code == 201, first.text
    version = len(env.ketnap.events(cid))

    other = {**COMMENTS, "fields": {"sources": ["residence"]}}
    refused = env.client.post(f"/api/candidates/{cid}/steps", headers=headers, json=other)
    assert (refused.status_code, refused.json()["code"]) == (422, "idempotency_key_reused")
    elsewhere = env.client.post("/api/candidates", headers=headers, json={"on": str(ON), "fields": NEW_PERSON})
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "idempotency_key_reused")
    assert len(env.ketnap.events(cid)) == version
    assert len(env.client.get("/api/candidates", headers=env.auth("sec_a")).json()["items"]) == 1


def test_a_key_belongs_to_its_user(env: Env) -> None:
    cid = env.seed("CB-01", "collect_comments")
    mine = {**env.auth("sec_a"), "Idempotency-Key": "shared"}
    assert env.client.post(f"/api/candidates/{cid}/steps", headers=mine, json=COMMENTS).status_code == 201
    voting = env.seed("CB-01", "committee_vote")
    theirs = {**env.auth("committee"), "Idempotency-Key": "shared"}
    vote = {"step": "committee_vote", "on": "2024-07-10", "fields": {"committee_members": 9, "in_favour": 7}}
    recorded = env.client.post(f"/api/candidates/{voting}/steps", headers=theirs, json=vote)
    assert recorded.status_code == 201, recorded.text
    assert env.ketnap.events(voting)[-1].actor == "committee"


def _step_form(html: str, step: str) -> dict[str, str]:
    block = re.search(rf'id="form-{step}"(.*?)</form>', html, re.S)
    assert block, f"the page offers a form for {step}"
    hidden = dict(re.findall(r'name="(expected_version|form_token)" value="([^"]+)"', block.group(1)))
    assert set(hidden) == {"expected_version", "form_token"}, "a step form carries a one-time token"
    return {"csrf_token": csrf_of(html), **hidden}


def test_a_step_form_sent_twice_records_once(env: Env) -> None:
    cid = env.seed("CB-01", "collect_comments")
    before = len(env.ketnap.events(cid))
    browser = env.login("sec_a")
    form = {**_step_form(browser.get(f"/candidates/{cid}").text, "collect_comments"), "on": "2024-06-15",
            "sources": ["residence", "mass_organisations"]}
    sent = [browser.post(f"/candidates/{cid}/steps/collect_comments", data=form, follow_redirects=False)
            for _ in range(2)]

    assert [r.status_code for r in sent] == [303, 303], sent[1].text
    assert sent[0].headers["location"] == sent[1].headers["location"]
    assert len(env.ketnap.events(cid)) == before + 1

    changed = browser.post(f"/candidates/{cid}/steps/collect_comments", data={**form, "sources": ["residence"]},
                           follow_redirects=False)
    assert changed.status_code == 422 and "Biểu mẫu này đã được gửi với nội dung khác" in changed.text
    assert len(env.ketnap.events(cid)) == before + 1


def test_the_new_candidate_form_sent_twice_makes_one_candidate(env: Env) -> None:
    browser = env.login("sec_a")
    page = browser.get("/candidates/new").text
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    form = {"csrf_token": csrf_of(page), "form_token": token.group(1), "on": str(ON), **NEW_PERSON}
    sent = [browser.post("/candidates/new", data=form, follow_redirects=False) for _ in range(2)]

    assert [r.status_code for r in sent] == [303, 303], sent[1].text
    assert sent[0].headers["location"] == sent[1].headers["location"]
    assert len(env.client.get("/api/candidates", headers=env.auth("sec_a")).json()["items"]) == 1
