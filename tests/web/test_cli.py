"""`ketnap user add`, `ketnap token create|revoke` on a temporary SQLite file, checked through the API."""

import json
import warnings

from typer.testing import CliRunner

from storage.engine import make_engine
from tests.builders import settings
from tests.web.conftest import SECRET
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli
from workflow.demo import ORGS
from workflow.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def run(url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", url, *args], input=stdin)
    return result.exit_code, result.output


def test_a_user_added_on_the_cli_signs_in_and_a_revoked_token_stops_working(sqlite_url: str) -> None:
    for org in ORGS[:4]:
        code, out = run(sqlite_url, "org", "add", org.code, "--name", org.name, "--level", org.level,
                        *(["--parent", org.parent] if org.parent else []))
        assert code == 0, out
    code, out = run(sqlite_url, "--json", "user", "add", "bithu.gv", "--role", "secretary", "--org", "CB-GV",
                    "--name", "Lê Thị Thu")
    assert code == 0, out
    added = json.loads(out)
    assert added["must_change_password"] and len(added["temporary_password"]) == 19
    code, out = run(sqlite_url, "--json", "token", "create", "bithu.gv", "--label", "script")
    assert code == 0, out
    issued = json.loads(out)
    client = TestClient(create_app(bootstrap(settings(), engine=make_engine(sqlite_url)), environ=SECRET))
    me = client.get("/api/me", headers={"Authorization": f"Bearer {issued['token']}"}).json()
    assert (me["username"], me["role"], me["orgs"]) == ("bithu.gv", "secretary", ["CB-GV"])
    assert run(sqlite_url, "token", "revoke", str(issued["id"]))[0] == 0
    assert client.get("/api/me", headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401
    again, out = run(sqlite_url, "token", "revoke", str(issued["id"]))
    assert again == 2 and "no active token" in out


def test_the_cli_refuses_an_unknown_role_or_organisation(sqlite_url: str) -> None:
    run(sqlite_url, "org", "add", "TINH-QT", "--name", "Tỉnh ủy", "--level", "province")
    for args, reason in ((["--role", "mayor", "--org", "TINH-QT"], "role must be one of"),
                         (["--role", "auditor", "--org", "NOWHERE"], "no organisation")):
        code, out = run(sqlite_url, "user", "add", "x", *args)
        assert code == 2 and reason in out, out
