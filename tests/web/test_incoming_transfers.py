"""The receiving branch finds a probationary member transferred to it (D16, P9): until its secretary records
`transfer_received` the member is the sending branch's, yet listed to the receiving one as "Chuyển đến, chờ
tiếp nhận" (the list page, `GET /api/candidates?incoming=true`, `ketnap candidate list --incoming`), from the
projection column `candidate.incoming_org`; a third branch sees nothing, and the audit finds the column right."""

import json
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from tests.web.conftest import Env
from workflow import accounts
from workflow.audit.verify import verify
from workflow.commands import AddOrganisation

pytestmark = pytest.mark.integration
TRANSFER = {"to_org": "CB-02", "transfer_ref": "15-GGT/ĐU"}
SECTION = "Chuyển đến, chờ tiếp nhận"


def _post(env: Env, who: str, candidate_id: str, step: str, on: date, fields: dict[str, object]) -> int:
    r = env.client.post(f"/api/candidates/{candidate_id}/steps", headers=env.auth(who),
                        json={"step": step, "on": on.isoformat(), "fields": fields})
    return r.status_code


def _third_branch(env: Env) -> str:
    env.ketnap.add_org(AddOrganisation(code="CB-03", name="Chi bộ Hành chính", level="branch", parent="DU-CS"))
    accounts.add_user(env.ketnap, "sec_c", "secretary", ["CB-03"], None, full_name="Người dùng sec_c")
    env.tokens["sec_c"] = accounts.create_token(env.ketnap, "sec_c", "tests").token
    return "sec_c"


def _listed(env: Env, who: str, incoming: bool) -> list[str]:
    r = env.client.get("/api/candidates", headers=env.auth(who), params={"incoming": "true"} if incoming else {})
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


def test_the_receiving_branch_lists_a_transfer_until_it_receives_it(env: Env) -> None:
    candidate_id = env.seed("CB-01", "review_vote")
    third = _third_branch(env)
    assert _listed(env, "sec_b", incoming=True) == []

    assert _post(env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER) == 201
    r = env.client.get("/api/candidates", headers=env.auth("sec_b"), params={"incoming": "true"})
    [item] = r.json()["items"]
    assert (item["id"], item["org"], item["incoming_org"]) == (candidate_id, "CB-01", "CB-02")
    assert item["transferred_on"] == "2025-03-03" and item["present_by"] > "2025-03-03", item
    assert _listed(env, "sec_b", incoming=False) == []  # still the sending branch's member
    assert candidate_id in _listed(env, "sec_a", incoming=False) and _listed(env, "sec_a", incoming=True) == []
    assert _listed(env, third, incoming=True) == [] and _listed(env, third, incoming=False) == []
    assert env.client.get(f"/api/candidates/{candidate_id}", headers=env.auth(third)).status_code == 404
    assert env.client.get(f"/api/candidates/{candidate_id}", headers=env.auth("sec_b")).status_code == 200
    assert verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar).ok

    assert _post(env, "sec_b", candidate_id, "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"}) == 201
    assert _listed(env, "sec_b", incoming=True) == []
    assert candidate_id in _listed(env, "sec_b", incoming=False)
    assert _listed(env, third, incoming=True) == [] and _listed(env, third, incoming=False) == []
    assert verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar).ok


def test_the_rebuilt_projection_holds_the_pending_transfer(env: Env) -> None:
    """`audit rebuild` writes the column from the log; `audit verify` notices when the table disagrees."""
    from sqlalchemy import text

    from workflow.audit.findings import PROJECTION
    from workflow.audit.rebuild import rebuild

    candidate_id = env.seed("CB-01", "review_vote")
    assert _post(env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER) == 201
    with env.ketnap.engine.begin() as conn:
        conn.execute(text("UPDATE candidate SET incoming_org = NULL"))
    report = verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar)
    assert [(f.kind, f.data["field"]) for f in report.findings] == [(PROJECTION, "incoming_org")]

    rebuild(env.ketnap.engine, datetime.now(UTC))
    assert verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar).ok
    assert _listed(env, "sec_b", incoming=True) == [candidate_id]


def test_the_list_page_shows_the_section_to_the_receiving_secretary(sqlite_env: Env) -> None:
    candidate_id = sqlite_env.seed("CB-01", "review_vote", name="Trần Thị Chuyển")
    assert _post(sqlite_env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER) == 201

    receiving = sqlite_env.login("sec_b").get("/candidates")
    sending = sqlite_env.login("sec_a").get("/candidates")

    assert receiving.status_code == 200 and SECTION in receiving.text
    assert f'href="/candidates/{candidate_id}"' in receiving.text and "Trần Thị Chuyển" in receiving.text
    assert "CB-01" in receiving.text and "03/03/2025" in receiving.text
    assert SECTION not in sending.text and "Trần Thị Chuyển" in sending.text
    assert "Trong danh sách của tổ chức" not in sending.text  # the list's own heading only under the section


def test_the_cli_lists_the_transfers_waiting_at_a_branch(sqlite_env: Env, sqlite_url: str) -> None:
    from workflow.cli.main import app as cli

    candidate_id = sqlite_env.seed("CB-01", "review_vote")
    assert _post(sqlite_env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER) == 201
    runner = CliRunner()

    here = runner.invoke(cli, ["--db", sqlite_url, "--json", "candidate", "list", "--incoming", "--org", "CB-02"])
    there = runner.invoke(cli, ["--db", sqlite_url, "--json", "candidate", "list", "--incoming", "--org", "CB-01"])

    assert here.exit_code == 0, here.output
    assert [(r["id"], r["incoming_org"]) for r in json.loads(here.stdout)] == [(candidate_id, "CB-02")]
    assert json.loads(there.stdout) == []



def test_the_migration_fills_the_column_from_a_log_recorded_before_it(env: Env) -> None:
    """A transfer sent, one sent and received, and one whose receiving branch a correction changed: upgraded,
    the column holds what the replay gives, and the audit agrees."""
    from alembic import command
    from sqlalchemy import inspect, text

    from storage import migrate

    _third_branch(env)
    waiting, received, corrected = (env.seed("CB-01", "review_vote", name=n) for n in ("Chờ", "Đã nhận", "Sửa"))
    for candidate_id in (waiting, received, corrected):
        assert _post(env, "sec_a", candidate_id, "transfer_probationary", date(2025, 3, 3), TRANSFER) == 201
    assert _post(env, "sec_b", received, "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"}) == 201
    sent = env.ketnap.show(corrected).candidate.version
    assert _post(env, "sec_a", corrected, "correct", date(2025, 3, 4),
                 {"corrects": sent, "fields": {"to_org": "CB-03"}, "reason": "nhầm chi bộ"}) == 201
    assert _listed(env, "sec_c", incoming=True) == [corrected]  # the step's own transaction moved it
    config = migrate.alembic_config()
    with env.ketnap.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "incoming@-1")
        assert "incoming_org" not in {c["name"] for c in inspect(conn).get_columns("candidate")}

    migrate.upgrade(env.ketnap.engine)

    with env.ketnap.engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, incoming_org FROM candidate")).all())
    assert (got[waiting], got[received], got[corrected]) == ("CB-02", None, "CB-03")
    assert verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar).ok
