"""The password policy (issue 11, break 10's weak passwords): a minimum length and a list of common passwords,
with a reason naming the rule, wherever a password is set (the change-password page and API route; nobody sets
another person's password, see tests/web/test_sessions.py)."""

import pytest
from typer.testing import CliRunner

from storage.engine import make_engine
from tests.builders import settings
from tests.web.conftest import PASSWORD, Env, csrf_of
from workflow import accounts
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli
from workflow.demo import DEMO_PASSWORD, DEMO_USERS, load_demo, load_demo_users
from workflow.passwords import WeakPassword, check_password


@pytest.mark.parametrize(("password", "rule"), [
    ("aaaaaaaaaa", "password_too_short"),
    ("mật-khẩu", "password_too_short"),
    ("aaaaaaaaaaaa", "password_too_common"),
    ("Qwerty123456", "password_too_common"),
    ("  passwordpassword ", "password_too_common"),
])
def test_a_short_or_common_password_is_refused_naming_the_rule(password: str, rule: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password(password, 12)
    assert refused.value.rule == rule and rule in str(refused.value)


def test_a_long_uncommon_password_passes_without_composition_rules() -> None:
    check_password("chim sẻ đậu cành tre", 12)
    check_password("hoa-sen-trong-đầm", 12)


def test_the_minimum_length_comes_from_the_settings(env: Env) -> None:
    short = env.ketnap.settings.model_copy(update={"web": env.ketnap.settings.web.model_copy(
        update={"min_password_length": 20})})
    app = type(env.ketnap)(short, env.ketnap.engine, env.clock, env.ketnap.rulebook, env.ketnap.calendar)
    with pytest.raises(WeakPassword, match="at least 20"):
        accounts.set_password(app, "sec_a", "mười lăm ký tự!")


def test_the_api_refuses_a_weak_new_password_with_its_rule(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    response = env.client.post("/api/me/password", headers=env.auth("sec_a"), json={
        "current_password": PASSWORD, "new_password": "aaaaaaaaaa"})

    assert response.status_code == 422 and response.json()["code"] == "weak_password"
    assert response.json()["violations"][0]["rule"] == "password_too_short"
    assert accounts.authenticate(env.ketnap, "sec_a", PASSWORD) is not None, "the old password still works"


def test_the_change_password_page_refuses_a_weak_password_in_vietnamese(sqlite_env: Env) -> None:
    browser = sqlite_env.login("sec_a")
    page = browser.get("/password")
    refused = browser.post("/password", data={"csrf_token": csrf_of(page.text), "current_password": PASSWORD,
                                              "new_password": "aaaaaaaaaaaa", "new_password_again": "aaaaaaaaaaaa"})

    assert refused.status_code == 422 and "mật khẩu phổ biến" in refused.text
    assert accounts.authenticate(sqlite_env.ketnap, "sec_a", "aaaaaaaaaaaa") is None


def test_ketnap_user_add_takes_no_password_to_refuse(sqlite_url: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["--db", sqlite_url, "org", "add", "TINH-QT", "--name", "Tỉnh ủy", "--level", "province"])
    result = runner.invoke(cli, ["--db", sqlite_url, "user", "add", "x", "--role", "auditor", "--org",
                                 "TINH-QT", "--password-stdin"], input="aaaaaaaaaa\n")
    assert result.exit_code == 2 and "--password-stdin" in result.output, result.output
    listed = runner.invoke(cli, ["--db", sqlite_url, "user", "list", "--json"])
    assert listed.exit_code == 0 and listed.output.strip() == "[]"


def test_the_demo_users_keep_their_published_password_past_the_policy(sqlite_url: str) -> None:
    app = bootstrap(settings(), engine=make_engine(sqlite_url))
    load_demo(app)
    added = load_demo_users(app)

    with pytest.raises(WeakPassword):  # on purpose: the demo password is printed by `ketnap serve --demo`
        check_password(DEMO_PASSWORD, app.settings.web.min_password_length)
    assert added == [u[0] for u in DEMO_USERS]
    assert accounts.authenticate(app, DEMO_USERS[0][0], DEMO_PASSWORD) is not None
    app.engine.dispose()
