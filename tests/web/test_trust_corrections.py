"""Issue 11, breaks 1 and 8: who may correct what is decided on the validated correction (a version sent as "12"
corrects version 12), and a typo in the first step (`identify`) can be corrected. On SQLite and PostgreSQL."""

import pytest

from tests.web.conftest import Env
from tests.web.test_pages import post_step
from workflow.commands import RecordStep

DECISION = 12  # the seeded path's decide_admission, recorded by the committee (S10)
HACK = {"corrects": "12", "fields": {"decision_no": "999-HACK"}, "reason": "typo"}


@pytest.mark.parametrize("corrects", ["12", 12])
def test_a_secretary_cannot_rewrite_the_committees_decision_through_correct(env: Env, corrects: object) -> None:
    cid = env.seed("CB-01", "hold_ceremony")
    assert env.ketnap.events(cid)[DECISION - 1].type == "decide_admission"
    before = len(env.ketnap.events(cid))
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json={
        "step": "correct", "on": "2024-08-10", "fields": {**HACK, "corrects": corrects}})
    assert (response.status_code, response.json()["code"]) == (403, "wrong_role"), response.text
    assert "decide_admission" in response.json()["message"]
    assert len(env.ketnap.events(cid)) == before
    assert env.ketnap.show(cid).candidate.decision_no == "123-QĐ/ĐU"


def test_the_committee_corrects_its_own_decision_with_the_version_as_a_string(env: Env) -> None:
    cid = env.seed("CB-01", "hold_ceremony")
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("committee"), json={
        "step": "correct", "on": "2024-08-10", "fields": {**HACK, "fields": {"decision_no": "124-QĐ/ĐU"}}})
    assert response.status_code == 201, response.text
    assert env.ketnap.show(cid).candidate.decision_no == "124-QĐ/ĐU"


def test_a_malformed_correction_is_refused_before_anything_is_written(env: Env) -> None:
    cid = env.seed("CB-01", "hold_ceremony")
    before = len(env.ketnap.events(cid))
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json={
        "step": "correct", "on": "2024-08-10", "fields": {**HACK, "corrects": "twelve"}})
    assert (response.status_code, response.json()["code"]) == (422, "rule_violation"), response.text
    assert len(env.ketnap.events(cid)) == before


def test_a_secretary_cannot_rewrite_the_committees_decision_through_the_correct_form(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "hold_ceremony")
    before = len(sqlite_env.ketnap.events(cid))
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "correct", {"on": "2024-08-10", "corrects": "12",
                                                   "fields.decision_no": "999-HACK", "reason": "typo"})
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert len(sqlite_env.ketnap.events(cid)) == before
    assert sqlite_env.ketnap.show(cid).candidate.decision_no == "123-QĐ/ĐU"


def test_a_typo_in_the_identify_step_is_corrected(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    response = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json={
        "step": "correct", "on": "2024-01-15", "fields": {"corrects": 1, "fields": {"full_name": "Nguyễn Thị Hòa B"},
                                                          "reason": "typo in the name"}})
    assert response.status_code == 201, response.text
    shown = env.ketnap.show(cid).candidate
    assert (shown.full_name, shown.org) == ("Nguyễn Thị Hòa B", "CB-01")
    assert env.client.get("/api/audit/verify", headers=env.auth("auditor")).json()["ok"] is True


def test_correcting_identify_still_refuses_an_organisation_that_does_not_exist(env: Env) -> None:
    cid = env.seed("CB-01", "assign_helper")
    with pytest.raises(Exception, match="org_not_found"):
        env.ketnap.record_step(RecordStep(candidate_id=cid, step="correct", on=env.ketnap.today(), actor="seed",
                                          fields={"corrects": 1, "fields": {"org": "NO-SUCH"}, "reason": "x"}))
    assert len(env.ketnap.events(cid)) == 1
