"""A probationary member transferred between branches (issue 13 item 6; DOMAIN.md D16, P9), through the API as
the two branches' secretaries: the sending secretary transfers, the receiving one (who reads the file while the
transfer waits) receives it; from then on the member is the receiving branch's, whose vote recognises them, and
the sending secretary no longer sees them. The audit of who recorded what finds nothing."""

from datetime import date

import pytest

from tests.web.conftest import Env
from workflow.audit.findings import ACTOR_ROLE, ACTOR_SCOPE
from workflow.audit.verify import verify

pytestmark = pytest.mark.integration
TRANSFER = {"to_org": "CB-02", "transfer_ref": "15-GGT/ĐU"}


def _post(env: Env, who: str, candidate_id: str, step: str, on: date, fields: dict[str, object]) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = env.client.post(f"/api/candidates/{candidate_id}/steps", headers=env.auth(who),
                        json={"step": step, "on": on.isoformat(), "fields": fields})
    return r.status_code, r.json()


def test_the_receiving_branch_receives_and_recognises_the_member(env: Env) -> None:
    candidate_id = env.seed("CB-01", "review_vote")
    assert env.client.get(f"/api/candidates/{candidate_id}", headers=env.auth("sec_b")).status_code == 404

    status, body = _post(env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER)
    assert status == 201 and body["org"] == "CB-01" and body["pending_transfer"]["to_org"] == "CB-02", body
    assert env.client.get(f"/api/candidates/{candidate_id}", headers=env.auth("sec_b")).status_code == 200
    # the sending secretary cannot receive for the receiving branch; the receiving one cannot vote yet
    assert _post(env, "sec_a", candidate_id, "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"})[0] == 404
    review = {"official_members": 15, "in_favour": 10, "recommendation": "recognise"}
    assert _post(env, "sec_b", candidate_id, "review_vote", date(2025, 8, 25), review)[0] == 404

    status, body = _post(env, "sec_b", candidate_id, "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"})
    assert status == 201 and body["org"] == "CB-02" and body["pending_transfer"] is None, body
    assert env.client.get(f"/api/candidates/{candidate_id}", headers=env.auth("sec_a")).status_code == 404

    status, body = _post(env, "sec_b", candidate_id, "review_vote", date(2025, 8, 25), review)
    assert status == 201 and body["events"][0]["derived"]["passed"] is True, body  # 10 of 15 convened (qd294)
    assert _post(env, "committee", candidate_id, "committee_review_vote", date(2025, 9, 3),
                 {"committee_members": 9, "in_favour": 8})[0] == 201
    status, body = _post(env, "committee", candidate_id, "recognise_official", date(2025, 9, 20),
                         {"decision_no": "456-QĐ/ĐU", "decided_by": "DU-XA"})
    assert status == 201 and (body["stage"], body["org"]) == ("official", "CB-02"), body

    report = verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar)
    assert not [f for f in report.findings if f.kind in (ACTOR_ROLE, ACTOR_SCOPE)]


def test_a_secretary_of_another_branch_cannot_receive_it(env: Env) -> None:
    candidate_id = env.seed("CB-01", "review_vote")
    assert _post(env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER)[0] == 201
    before = len(env.ketnap.events(candidate_id))
    status, body = _post(env, "sec_a", candidate_id, "transfer_received", date(2025, 4, 1), {"to_org": "CB-01"})
    assert status == 404, body
    assert len(env.ketnap.events(candidate_id)) == before


def test_the_receiving_secretary_receives_on_the_web_form(sqlite_env: Env) -> None:
    """The page of a member whose transfer waits shows the receiving secretary the reception form, labelled in
    Vietnamese; sent, the member is theirs."""
    from tests.web.test_pages import post_step

    candidate_id = sqlite_env.seed("CB-01", "review_vote")
    assert _post(sqlite_env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER)[0] == 201
    browser = sqlite_env.login("sec_b")
    page = browser.get(f"/candidates/{candidate_id}")
    assert page.status_code == 200
    assert "Chi bộ nơi đến tiếp nhận sinh hoạt đảng" in page.text and "Chuyển đến (mã tổ chức)" in page.text

    response = post_step(browser, candidate_id, "transfer_received", {"on": "2025-04-01", "to_org": "CB-02"})

    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert sqlite_env.ketnap.show(candidate_id).candidate.org == "CB-02"
