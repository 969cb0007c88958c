"""Issue 11, item 1: the CLI records as its actor (`--actor`, else KETNAP_ACTOR). When the actor names a user,
the step goes through the API's checks (role and organisations, on the validated command) and is refused with
the API's code and the table's exit status, nothing written; any other name is the server's operator, as
before. On SQLite and PostgreSQL."""

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from storage import users
from tests.integration.reports_data import FULL, import_row
from tests.web.conftest import Env
from workflow.audit.verify import verify
from workflow.cli.main import app as cli_app
from workflow.refusals import TABLE
from workflow.reports.import_columns import COLUMNS

pytestmark = pytest.mark.integration
VOTE = ["committee_members=9", "in_favour=7"]


def ketnap(db_url: str, *args: str, actor: str | None = None, env_actor: str = "người vận hành") -> Any:
    options = ["--actor", actor] if actor is not None else []
    return CliRunner().invoke(cli_app, ["--db", db_url, "--json", *options, *args],
                              env={"KETNAP_ACTOR": env_actor})


def exit_of(code: str) -> int | None:
    return next(r.exit_status for r in TABLE if r.code == code and r.exit_status is not None)


def refused(result: Any, code: str) -> None:
    assert (result.exit_code, json.loads(result.stdout)["code"]) == (exit_of(code), code), result.output


def test_a_secretary_named_by_actor_cannot_record_the_committees_vote(env: Env, db_url: str) -> None:
    cid = env.seed("CB-01", "committee_vote")
    before = len(env.ketnap.events(cid))
    cli = ketnap(db_url, "step", cid, "committee_vote", "--on", "2024-07-10", *VOTE, actor="sec_a")
    api = env.client.post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json={
        "step": "committee_vote", "on": "2024-07-10", "fields": {"committee_members": 9, "in_favour": 7}})
    refused(cli, "wrong_role")
    assert (api.status_code, api.json()["code"]) == (403, "wrong_role")
    assert len(env.ketnap.events(cid)) == before


def test_a_secretary_named_by_ketnap_actor_cannot_correct_the_committees_decision(env: Env, db_url: str) -> None:
    cid = env.seed("CB-01", "hold_ceremony")
    before = len(env.ketnap.events(cid))
    result = ketnap(db_url, "step", cid, "correct", "--on", "2024-08-10", "corrects=12",
                    'fields={"decision_no": "999-HACK"}', "reason=typo", env_actor="sec_a")
    refused(result, "wrong_role")
    assert "decide_admission" in json.loads(result.stdout)["message"]
    assert len(env.ketnap.events(cid)) == before


def test_the_actors_organisations_bound_what_the_cli_records(env: Env, db_url: str) -> None:
    cid = env.seed("CB-01", "collect_comments")
    refused(ketnap(db_url, "step", cid, "collect_comments", "--on", "2024-06-15", 'sources=["residence"]',
                   actor="sec_b"), "candidate_not_found")
    refused(ketnap(db_url, "candidate", "add", "--org", "CB-01", "--name", "Trần Văn Nam", "--birth-date",
                   "2000-01-01", "--sex", "M", "--education", "upper_secondary", "--on", "2024-01-10",
                   actor="sec_b"), "out_of_scope")
    refused(ketnap(db_url, "step", cid, "collect_comments", "--on", "2024-06-15", 'sources=["residence"]',
                   actor="auditor"), "read_only")


def test_a_user_records_their_own_step_and_the_operator_records_anything(env: Env, db_url: str) -> None:
    cid = env.seed("CB-01", "collect_comments")
    voting = env.seed("CB-01", "committee_vote")
    own = ketnap(db_url, "step", cid, "collect_comments", "--on", "2024-06-15",
                 'sources=["residence", "mass_organisations"]', actor="sec_a")
    operator = ketnap(db_url, "step", voting, "committee_vote", "--on", "2024-07-10", *VOTE)  # not a user
    assert (own.exit_code, operator.exit_code) == (0, 0), own.output + operator.output
    assert (env.ketnap.events(cid)[-1].actor, env.ketnap.events(cid)[-1].type) == ("sec_a", "collect_comments")
    assert env.ketnap.events(cid)[-1].derived["meta"] == {"via": "cli"}
    assert "meta" not in env.ketnap.events(voting)[-1].derived  # the operator's steps, as before
    assert (env.ketnap.events(voting)[-1].actor, env.ketnap.events(voting)[-1].type) == ("người vận hành",
                                                                                        "committee_vote")


def test_a_deactivated_user_named_as_the_actor_records_nothing(env: Env, db_url: str) -> None:
    cid = env.seed("CB-01", "collect_comments")
    with env.ketnap.engine.begin() as conn:
        sec_a = users.by_username(conn, "sec_a")
        assert sec_a is not None
        users.set_active(conn, sec_a.id, False, env.clock.now())
    refused(ketnap(db_url, "step", cid, "collect_comments", "--on", "2024-06-15", 'sources=["residence"]',
                   actor="sec_a"), "user_inactive")


def workbook(path: Path, rows: list[dict[str, Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    headers = [c.header for c in COLUMNS]
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


def test_an_import_as_a_user_records_only_what_the_api_would_let_them(env: Env, db_url: str, tmp_path: Path) -> None:
    """Rows of CB-01 (odd numbers) with the branch's first steps; then one row up to the committee's decision."""
    branch_steps = workbook(tmp_path / "branch.xlsx", [import_row(i, steps=4) for i in (1, 3)])
    decided = workbook(tmp_path / "decided.xlsx", [import_row(5, steps=len(FULL))])
    refused(ketnap(db_url, "import", "xlsx", str(branch_steps), actor="sec_b"), "out_of_scope")
    refused(ketnap(db_url, "import", "xlsx", str(decided), actor="sec_a"), "wrong_role")
    assert env.ketnap.candidates() == []  # the whole file or nothing
    own = ketnap(db_url, "import", "xlsx", str(branch_steps), actor="sec_a")
    operator = ketnap(db_url, "import", "xlsx", str(decided))  # not a user: the server's operator
    assert (own.exit_code, operator.exit_code) == (0, 0), own.output + operator.output
    assert sorted(r["org"] for r in env.ketnap.candidates()) == ["CB-01"] * 3
    report = verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar)
    assert report.ok and report.events == 2 * 4 + len(FULL), [str(f) for f in report.findings]
