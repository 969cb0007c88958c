"""Schemathesis against the API's own OpenAPI schema: whatever a client sends, the server never answers 5xx.

Bounded: at most 30 examples per operation, no shrinking, a deadline per example. On SQLite, as a secretary
(writes reach the engine) and as an admin (users, organisations), with a fresh token per example (an example
may revoke it) and the seeded candidate's id in every path that names a candidate (random ids only meet 404).
Schemathesis's pytest plugin does not run on this pytest, so the operations are walked here, one Hypothesis
run each, with schemathesis's strategies.
"""

import warnings

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
