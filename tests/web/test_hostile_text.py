"""Issue 11, break 5, over HTTP (SQLite and PostgreSQL): a hostile name is refused with 422 and the rule naming
the field, on the API and on the pages, for candidates and organisations alike, and nothing is written."""

from typing import Any

import pytest

from tests.web.conftest import ON, Env, csrf_of
from tests.web.test_pages import field_block

PERSON = {"org": "CB-01", "birth_date": "2001-05-19", "sex": "F", "education": "university"}
HOSTILE_NAMES = [
    ("Trần\x00Thị Dung", "text_control_character"),
    ("\x1b]8;;http://evil.example\x07Trần Thị Dung", "text_control_character"),
    ("Trần Thị Dung\r\nstage: official", "text_line_break"),
    ("Trần Thị \u202egnuD", "text_bidi_character"),
    ("\u200b", "text_invisible"),
]


def _pairs(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(v["rule"], v["field"]) for v in body["violations"]]


def _total(env: Env) -> int:
    return len(env.ketnap.candidates(limit=10_000))


@pytest.mark.parametrize(("name", "rule"), HOSTILE_NAMES)
def test_the_api_refuses_a_hostile_name_with_422_and_writes_nothing(env: Env, name: str, rule: str) -> None:
    before = _total(env)
    response = env.client.post("/api/candidates", headers=env.auth("sec_a"),
                               json={"on": str(ON), "fields": {**PERSON, "full_name": name}})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "rule_violation" and _pairs(response.json()) == [(rule, "full_name")]
    assert _total(env) == before


def test_the_api_refuses_a_line_break_in_a_step_field(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json={
        "step": "assign_helper", "on": "2024-01-20", "fields": {"helper": "Phạm Văn Bình\nversion 99"}})
    assert response.status_code == 422 and _pairs(response.json()) == [("text_line_break", "helper")]
    history = env.client.get(f"/api/candidates/{cid}/history", headers=env.auth("sec_a")).json()
    assert len(history["events"]) == 1


@pytest.mark.parametrize(("name", "rule"), HOSTILE_NAMES)
def test_an_organisation_change_with_a_hostile_name_is_422_with_the_rule(env: Env, name: str, rule: str) -> None:
    before = len(env.ketnap.organisations.history_log().changes)
    response = env.client.post("/api/orgs/changes", headers=env.auth("admin"), json={"changes": [
        {"kind": "renamed", "code": "CB-02", "name": name, "on": "2025-07-01", "decision": "9-QĐ/ĐU"}]})
    assert response.status_code == 422, response.text
    assert [v["rule"] for v in response.json()["violations"]] == [rule]
    assert len(env.ketnap.organisations.history_log().changes) == before


def test_the_new_candidate_page_shows_the_reason_next_to_the_name(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    before = _total(sqlite_env)
    page = browser.get("/candidates/new")
    response = browser.post("/candidates/new", data={"csrf_token": csrf_of(page.text), "on": str(ON),
                                                     "full_name": "Trần Thị\u202e Dung", **PERSON})
    assert response.status_code == 422
    assert "text_bidi_character" in field_block(response.text, "full_name")
    assert _total(sqlite_env) == before
