"""Schemathesis against the API's own OpenAPI schema: whatever a client sends, the server never answers 5xx.

Bounded: at most 30 examples per operation, no shrinking, a deadline per example. On SQLite, as a secretary
(writes reach the engine) and as an admin (users, organisations), with a fresh token per example (an example
may revoke it) and the seeded candidate's id in every path that names a candidate (random ids only meet 404).
Schemathesis's pytest plugin does not run on this pytest, so the operations are walked here, one Hypothesis
run each, with schemathesis's strategies.
"""

import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import Env
from workflow import accounts

pytestmark = pytest.mark.slow
EXAMPLES_PER_OPERATION = 30


@pytest.mark.parametrize("username", ["sec_a", "admin"])  # the secretary records steps, the admin adds users
def test_no_request_makes_the_server_fail(sqlite_env: Env, username: str) -> None:
    candidate_id = sqlite_env.seed("CB-01", "hold_ceremony")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", sqlite_env.web)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15, "the schema lists every route"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=5000, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def run(case: schemathesis.Case) -> None:
            if case.path_parameters and "candidate_id" in case.path_parameters:
                case.path_parameters["candidate_id"] = candidate_id
            token = accounts.create_token(sqlite_env.ketnap, username, "fuzz").token
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])

        run()


# The hostile requests of issue 11, as written there, sent through schemathesis like its generated examples: each
# is answered with its refusal, never a 5xx. (Each break also has its own test that checks nothing was written.)
HOSTILE_NAMES = ["A\x00B", "Lê\x1b[31mVăn", "Trần\r\nVăn Giả", "Nguyễn\u202eVăn", "\u200b\u200b", "=HYPERLINK(\"x\")"]


def _hostile_cases(candidate_id: str) -> list[tuple[str, str, dict[str, Any], dict[str, str], set[int]]]:
    """(method, path, body, extra headers, statuses accepted)."""
    person = {"org": "CB-01", "birth_date": "2000-01-01", "sex": "F", "education": "university"}
    cases: list[tuple[str, str, dict[str, Any], dict[str, str], set[int]]] = [
        ("POST", "/api/candidates", {"on": "2024-01-10", "fields": {**person, "full_name": name}}, {},
         {201} if name.startswith("=") else {422})  # a formula is a name like any other: exports make it inert
        for name in HOSTILE_NAMES]
    cases += [
        # break 1: a secretary correcting the committee's decision, the version sent as a string
        ("POST", "/api/candidates/{candidate_id}/steps",
         {"step": "correct", "on": "2024-12-01",
          "fields": {"corrects": "12", "fields": {"decision_no": "999-HACK"}, "reason": "x"}}, {}, {403}),
        # break 8: a typo in the first step, corrected
        ("POST", "/api/candidates/{candidate_id}/steps",
         {"step": "correct", "on": "2024-12-01",
          "fields": {"corrects": 1, "fields": {"full_name": "Nguyễn Thị Sửa"}, "reason": "gõ nhầm"}}, {}, {201}),
        # break 9: one idempotency key, another body
        ("POST", "/api/candidates/{candidate_id}/steps",
         {"step": "hold_ceremony", "on": "2024-08-20", "fields": {"probation_helper": "Phạm Văn Bình"}},
         {"Idempotency-Key": "fuzz-1"}, {201}),
        ("POST", "/api/candidates/{candidate_id}/steps",
         {"step": "hold_ceremony", "on": "2024-08-21", "fields": {"probation_helper": "Phạm Văn Bình"}},
         {"Idempotency-Key": "fuzz-1"}, {422}),  # idempotency_key_reused: nothing written
    ]
    return [(m, p.replace("{candidate_id}", candidate_id), b, h, s) for m, p, b, h, s in cases]


def test_the_hostile_inputs_of_issue_11_are_refused_never_a_server_error(sqlite_env: Env) -> None:
    candidate_id = sqlite_env.seed("CB-01", "hold_ceremony")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", sqlite_env.web)
    token = accounts.create_token(sqlite_env.ketnap, "sec_a", "fuzz").token
    for method, path, body, headers, accepted in _hostile_cases(candidate_id):
        template = path.replace(candidate_id, "{candidate_id}")
        operation = schema[template][method]
        params = {"candidate_id": candidate_id} if "{candidate_id}" in template else None
        case = operation.Case(body=body, path_parameters=params, media_type="application/json")
        response = case.call(headers={"Authorization": f"Bearer {token}", **headers})
        assert response.status_code < 500, (path, body, response.text)
        assert response.status_code in accepted, (path, body, response.status_code, response.text)
