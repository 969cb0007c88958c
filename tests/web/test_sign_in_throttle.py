"""Sign-in throttling (issue 11, break 3): failures counted per account and per address in the database, an
exponential delay, then a lockout that refuses even the right password, answered 429 with Retry-After.
On SQLite and PostgreSQL (the `env` fixture is parametrised over both)."""

import logging
import warnings

import pytest

from storage.engine import make_engine
from tests.web.conftest import PASSWORD, SECRET, Env, csrf_of
from workflow import accounts
from workflow.bootstrap import bootstrap
from workflow.throttle import SignInThrottled
from workflow.web.app import create_app
from workflow.web.errors import api_error

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class Browser:
    """A sign-in form in a browser: each post uses the CSRF token of the page it answered last."""

    def __init__(self, env: Env) -> None:
        self.client = TestClient(env.web)
        self.csrf = csrf_of(self.client.get("/login").text)

    def sign_in(self, username: str, password: str) -> tuple[int, str, str | None]:
        response = self.client.post("/login", data={"csrf_token": self.csrf, "username": username,
                                                    "password": password, "next": "/"}, follow_redirects=False)
        if response.status_code != 303:
            self.csrf = csrf_of(response.text)
        return response.status_code, response.text, response.headers.get("retry-after")


def test_forty_wrong_passwords_then_the_right_one_is_refused_until_the_lockout_ends(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    browser = Browser(env)

    statuses = [browser.sign_in("sec_a", f"sai-mật-khẩu-{i}")[0] for i in range(40)]
    status, page, retry_after = browser.sign_in("sec_a", PASSWORD)

    assert statuses[:3] == [401] * 3 and set(statuses[3:]) == {429}
    assert status == 429 and retry_after is not None and int(retry_after) == 15 * 60
    assert "bị khóa tạm thời" in page and "kể cả" in page and "15 phút" in page
    env.clock.advance(seconds=int(retry_after) - 1)
    assert browser.sign_in("sec_a", PASSWORD)[0] == 429
    env.clock.advance(seconds=1)
    assert browser.sign_in("sec_a", PASSWORD)[0] == 303


def test_the_delay_doubles_and_the_right_password_passes_once_it_is_over(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    browser = Browser(env)
    for i in range(3):
        assert browser.sign_in("sec_a", f"sai-{i}")[0] == 401

    status, page, retry_after = browser.sign_in("sec_a", PASSWORD)  # during the first delay: counted, refused
    assert (status, retry_after) == (429, "2") and "hãy chờ 2 giây" in page
    env.clock.advance(seconds=2)

    assert browser.sign_in("sec_a", PASSWORD)[0] == 303


def test_a_success_clears_the_account_count(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    browser = Browser(env)
    for _ in range(3):
        assert [browser.sign_in("sec_a", "sai-một")[0], browser.sign_in("sec_a", "sai-hai")[0]] == [401, 401]
        assert browser.sign_in("sec_a", PASSWORD)[0] == 303
        browser = Browser(env)


def test_failures_from_one_address_over_many_accounts_lock_the_address(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_b", PASSWORD)
    browser = Browser(env)

    statuses = [browser.sign_in(f"ai-do-{i}", "đoán-bừa-mà-thôi")[0] for i in range(30)]
    status, page, retry_after = browser.sign_in("sec_b", PASSWORD)

    assert statuses[:10] == [401] * 10 and statuses[-1] == 429
    assert status == 429 and retry_after is not None and "bị khóa" in page


def test_the_counts_are_shared_by_another_process_on_the_same_database(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    browser = Browser(env)
    for i in range(10):
        env.clock.advance(minutes=1)  # past each delay: these ten are all checked and counted
        assert browser.sign_in("sec_a", f"sai-{i}")[0] == 401

    url = env.ketnap.engine.url.render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        other = bootstrap(env.ketnap.settings, engine=engine, clock=env.clock)
        fresh = Env(other, create_app(other, environ=SECRET), TestClient(env.web), env.clock)
        status, _, retry_after = Browser(fresh).sign_in("sec_a", PASSWORD)
    finally:
        engine.dispose()

    assert status == 429 and retry_after == str(15 * 60)


def test_every_failure_and_the_lockout_are_logged(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    browser = Browser(env)
    with caplog.at_level(logging.WARNING, logger="workflow.throttle"):
        for i in range(12):
            browser.sign_in("sec_a", f"sai-{i}")
    messages = [r.getMessage() for r in caplog.records]

    assert sum("failed sign-in as 'sec_a'" in m for m in messages) == 3  # checked, wrong
    assert sum("sign-in lockout of account 'sec_a' after 10 failures" in m for m in messages) == 1
    assert sum("sign-in as 'sec_a' from testclient refused" in m for m in messages) == 9  # 4-12: delay, lockout


def test_a_throttled_sign_in_on_the_api_is_429_with_retry_after() -> None:
    error = api_error(SignInThrottled(900, locked=True))

    assert error is not None and error.status == 429 and error.headers() == {"Retry-After": "900"}
    assert error.doc()["code"] == "sign_in_throttled" and error.doc()["retry_after"] == 900
    assert "900 giây" in error.doc()["message_vi"]
