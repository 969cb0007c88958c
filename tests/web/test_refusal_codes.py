"""One refusal, one code: the same refused step through `ketnap --json` and through the HTTP API gets the code,
HTTP status and exit status of workflow/refusals.py, and README.md lists that table as it is."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.web.conftest import Env
from workflow.access import AccessDenied, NotSignedIn
from workflow.cli.main import app as cli_app
from workflow.refusals import HTTP_CODES, TABLE, Row

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
START, END = "<!-- refusal codes: generated from workflow/refusals.py -->", "<!-- end of refusal codes -->"

# (what goes wrong, candidate id or None for the seeded one, step, date, fields, expected version, code)
CASES: list[tuple[str, str | None, str, str, dict[str, Any], int | None, str]] = [
    ("a vote with more in favour than members and nothing before it", None, "branch_vote", "2024-07-01",
     {"official_members": 20, "in_favour": 25}, None, "rule_violation"),
    ("a ceremony before any decision", None, "hold_ceremony", "2024-07-01", {"probation_helper": "Phạm Văn Bình"},
     None, "step_not_allowed"),
    ("a version someone has since moved past", None, "collect_comments", "2024-06-15", {"sources": ["residence"]},
     1, "version_conflict"),
    ("a candidate that does not exist", "khong-co", "collect_comments", "2024-06-15", {"sources": ["residence"]},
     None, "candidate_not_found"),
    ("a step that does not exist", None, "swear_in", "2024-07-01", {}, None, "unknown_step"),
    ("a date that does not exist", None, "collect_comments", "2024-02-30", {"sources": ["residence"]}, None,
     "invalid_request"),
]


def row_of(code: str) -> Row:
    """The table's row for a code both the CLI and the API meet."""
    return next(r for r in TABLE if r.code == code and r.http_status is not None and r.exit_status is not None)


def through_cli(db_url: str, candidate_id: str, step: str, on: str, fields: dict[str, Any],
                expected_version: int | None) -> tuple[int, dict[str, Any]]:
    values = [f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()]
    version = ["--expected-version", str(expected_version)] if expected_version is not None else []
    result = CliRunner().invoke(cli_app, ["--db", db_url, "--json", "step", candidate_id, step, "--on", on,
                                          *version, *values], env={"KETNAP_ACTOR": "bí thư"})
    return result.exit_code, json.loads(result.stdout)


def through_api(env: Env, candidate_id: str, step: str, on: str, fields: dict[str, Any],
                expected_version: int | None) -> tuple[int, dict[str, Any]]:
    body = {"step": step, "on": on, "fields": fields, "expected_version": expected_version}
    response = env.client.post(f"/api/candidates/{candidate_id}/steps", headers=env.auth("sec_a"), json=body)
    return response.status_code, response.json()


@pytest.mark.parametrize(("case", "candidate", "step", "on", "fields", "expected_version", "code"), CASES,
                         ids=[c[-1] for c in CASES])
def test_the_cli_and_the_api_refuse_the_same_step_with_the_same_code(
        sqlite_env: Env, sqlite_url: str, case: str, candidate: str | None, step: str, on: str,
        fields: dict[str, Any], expected_version: int | None, code: str) -> None:
    seeded = sqlite_env.seed("CB-01", "introduce")  # vetted on 2024-06-01: no introducers, no comments yet
    target = candidate or seeded
    version = sqlite_env.ketnap.show(seeded).candidate.version

    exit_status, printed = through_cli(sqlite_url, target, step, on, fields, expected_version)
    http_status, answered = through_api(sqlite_env, target, step, on, fields, expected_version)

    assert (printed["code"], printed["error"], answered["code"]) == (code, code, code), case
    assert (exit_status, http_status) == (row_of(code).exit_status, row_of(code).http_status), case
    assert sqlite_env.ketnap.show(seeded).candidate.version == version, "a refusal writes nothing"


def test_a_conflict_exits_3_and_answers_409_with_the_versions_for_programs(sqlite_env: Env, sqlite_url: str) -> None:
    seeded = sqlite_env.seed("CB-01", "introduce")
    comments = {"sources": ["residence"]}

    exit_status, printed = through_cli(sqlite_url, seeded, "collect_comments", "2024-06-15", comments, 6)
    http_status, answered = through_api(sqlite_env, seeded, "collect_comments", "2024-06-15", comments, 6)

    assert (exit_status, http_status) == (3, 409)
    assert set(printed) == {"error", "code", "message", "violations"}  # the CLI's document keeps its shape
    assert set(answered) == {"code", "message", "violations", "expected_version", "actual_version"}
    assert answered["expected_version"] == 6 and str(answered["actual_version"]) in printed["message"]


# --- the table itself ------------------------------------------------------------------------------------------

def test_no_row_hides_a_later_one() -> None:
    """The first matching row wins: a row whose error is a subclass of an earlier row's would never be used."""
    for i, later in enumerate(TABLE):
        for earlier in TABLE[:i]:
            hidden = issubclass(later.error, earlier.error) and not (earlier.own_code and earlier.code != later.code)
            assert not hidden, f"{later.error.__name__} ({later.code}) is hidden by {earlier.error.__name__}"


def test_every_code_an_access_error_is_raised_with_has_a_row() -> None:
    raised: set[tuple[str, str]] = set()
    for path in (ROOT / "workflow").rglob("*.py"):
        for kind, code in re.findall(r"\b(AccessDenied|NotSignedIn)\(\s*\"([a-z_]+)\"", path.read_text()):
            raised.add((kind, code))
    raised.add(("NotSignedIn", NotSignedIn().code))  # the default: no session and no token
    rows = {(r.error.__name__, r.code) for r in TABLE if r.own_code}
    assert raised <= rows and {k for k, _ in raised} == {AccessDenied.__name__, NotSignedIn.__name__}


def _cell(status: int | None) -> str:
    return "—" if status is None else str(status)


def codes_markdown() -> str:
    lines = ["| code | HTTP | exit | error | when |", "|---|---|---|---|---|"]
    lines += [f"| `{r.code}` | {_cell(r.http_status)} | {_cell(r.exit_status)} | `{r.error.__name__}` | {r.when} |"
              for r in TABLE]
    lines += [f"| `{code}` | {status} | — | (HTTP layer) | the HTTP layer's own refusal with this status (a path, "
              "method, body size or media type it does not take) |"
              for status, code in sorted(HTTP_CODES.items())]
    return "\n".join(lines)


def test_the_readme_lists_every_refusal_code_as_the_table_has_it() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, f"README.md needs the lines {START!r} and {END!r}"
    listed = text.split(START, 1)[1].split(END, 1)[0].strip()
    expected = codes_markdown()
    assert listed == expected, f"README.md's refusal codes differ from workflow/refusals.py; put this between " \
                               f"the markers:\n{expected}"
