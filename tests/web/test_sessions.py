"""Sessions that end at once, timeouts, expiring tokens, temporary passwords (issue 11, breaks 2 and 10), on a
real SQLite file and the real PostgreSQL (the `env` fixture), with the frozen clock moved by hand."""

import json
import warnings
from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, select, text, update
from typer.testing import CliRunner

from storage import migrate
from storage.engine import make_engine
from storage.user_tables import ApiTokenRow, WebSessionRow
from tests.builders import settings
from tests.conftest import T0
from tests.fakes import FrozenClock
from tests.web.conftest import PASSWORD, SECRET, Env, csrf_of
from workflow import accounts
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli
from workflow.clock import VIETNAM
from workflow.commands import AddOrganisation
from workflow.web.app import create_app
from workflow.web.sessions import COOKIE

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NEW_PASSWORD = "chim sẻ đậu cành tre"  # noqa: S105 - a test password


def sign_in(env: Env, username: str, password: str = PASSWORD) -> TestClient:
    """A browser-like client signed in through the form (unlike env.login, the password is left as it is)."""
    browser = TestClient(env.web)
    page = browser.get("/login")
    response = browser.post("/login", data={"csrf_token": csrf_of(page.text), "username": username,
                                            "password": password, "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return browser


def with_cookie(env: Env, cookie: str) -> TestClient:
    """Another client presenting a copied session cookie: what an attacker holding it would send."""
    client = TestClient(env.web)
    client.cookies.set(COOKIE, cookie)
    return client


def refused(client: TestClient) -> bool:
    """The cookie no longer signs anyone in: the API answers 401 and a page sends to the sign-in form."""
    api = client.get("/api/me")
    page = client.get("/", follow_redirects=False)
    return api.status_code == 401 and page.status_code == 303 and page.headers["location"].startswith("/login")


def ended_reasons(env: Env, username: str) -> list[str | None]:
    user = next(u for u in accounts.all_users(env.ketnap) if u.username == username)
    with env.ketnap.engine.connect() as conn:
        rows = conn.execute(select(WebSessionRow.ended_reason).where(WebSessionRow.user_id == user.id)  # type: ignore[arg-type]
                            .order_by(WebSessionRow.id))  # type: ignore[arg-type]
        return [r[0] for r in rows]


# --- sessions end at once --------------------------------------------------------------------------------------

def test_signing_out_ends_the_session_at_once(env: Env) -> None:
    browser = env.login("sec_a")
    cookie = browser.cookies[COOKIE]
    assert with_cookie(env, cookie).get("/api/me").json()["username"] == "sec_a"

    browser.post("/logout", data={"csrf_token": csrf_of(browser.get("/").text)})

    assert refused(with_cookie(env, cookie)), "the copied cookie died with the sign-out"
    assert ended_reasons(env, "sec_a") == ["signed_out"]


def test_deactivation_ends_sessions_and_tokens_and_reactivation_brings_back_neither(env: Env) -> None:
    browser = env.login("sec_a")
    cookie = browser.cookies[COOKIE]

    done = accounts.set_active(env.ketnap, "sec_a", False)

    assert (done.sessions, done.tokens) == (1, 1)
    assert refused(with_cookie(env, cookie))
    answer = env.client.get("/api/me", headers=env.auth("sec_a"))
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_token"
    visitor = TestClient(env.web)
    again = visitor.post("/login", data={"csrf_token": csrf_of(visitor.get("/login").text), "username": "sec_a",
                                         "password": PASSWORD})
    assert again.status_code == 401, "a deactivated user cannot sign in, even with the right password"
    accounts.set_active(env.ketnap, "sec_a", True)
    assert refused(with_cookie(env, cookie)) and env.client.get("/api/me", headers=env.auth("sec_a")).status_code == 401
    assert sign_in(env, "sec_a").get("/api/me").status_code == 200, "a reactivated user signs in again"


def test_changing_ones_password_on_the_page_ends_the_other_sessions_not_this_one(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    here, elsewhere = sign_in(env, "sec_a"), sign_in(env, "sec_a")
    page = here.get("/password")
    assert page.status_code == 200 and "Mật khẩu hiện tại" in page.text and "Nhập lại mật khẩu mới" in page.text

    changed = here.post("/password", data={"csrf_token": csrf_of(page.text), "current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
                        follow_redirects=True)

    assert changed.status_code == 200 and "Đã đổi mật khẩu" in changed.text
    assert refused(elsewhere), "the other session ended at once"
    assert here.get("/api/me").status_code == 200, "the session that changed it goes on"
    assert ended_reasons(env, "sec_a") == [None, "password_changed"]
    assert accounts.authenticate(env.ketnap, "sec_a", NEW_PASSWORD) is not None
    assert accounts.authenticate(env.ketnap, "sec_a", PASSWORD) is None


def test_the_api_changes_a_password_with_the_session_csrf_and_ends_the_other_sessions(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    here, elsewhere = sign_in(env, "sec_a"), sign_in(env, "sec_a")
    csrf = csrf_of(here.get("/").text)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}

    assert here.post("/api/me/password", json=body).json()["code"] == "csrf_failed"
    wrong = here.post("/api/me/password", json={**body, "current_password": "not the password"},
                      headers={"x-csrf-token": csrf})
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_password"
    assert here.post("/api/me/password", json=body, headers={"x-csrf-token": csrf}).status_code == 204

    assert refused(elsewhere) and here.get("/api/me").status_code == 200


def test_a_wrong_current_password_counts_like_a_failed_sign_in(env: Env) -> None:
    accounts.set_password(env.ketnap, "sec_a", PASSWORD)
    limit = env.ketnap.settings.web.sign_in.account_delay_after
    codes = [env.client.post("/api/me/password", headers=env.auth("sec_a"), json={
        "current_password": f"guess {n}", "new_password": NEW_PASSWORD}).json()["code"] for n in range(limit + 1)]

    assert codes == ["wrong_password"] * limit + ["sign_in_throttled"]


# --- timeouts --------------------------------------------------------------------------------------------------

def test_a_session_ends_after_the_idle_timeout(env: Env) -> None:
    idle = env.ketnap.settings.web.session_idle_minutes
    browser = env.login("sec_a")
    env.clock.advance(minutes=idle - 1)
    assert browser.get("/api/me").status_code == 200, "one minute short of the idle timeout"
    env.clock.advance(minutes=idle - 1)
    assert browser.get("/api/me").status_code == 200, "each request starts the idle time again"

    env.clock.advance(minutes=idle)

    assert refused(browser)
    assert ended_reasons(env, "sec_a") == ["idle"]


def test_a_busy_session_ends_at_the_absolute_timeout(env: Env) -> None:
    settings = env.ketnap.settings.web
    browser = env.login("sec_a")
    step = settings.session_idle_minutes - 1
    for _ in range(settings.session_hours * 60 // step):
        assert browser.get("/api/me").status_code == 200
        env.clock.advance(minutes=step)

    env.clock.advance(minutes=step)

    assert refused(browser)
    assert ended_reasons(env, "sec_a") == ["absolute"]


def test_reading_pages_writes_last_seen_at_at_most_once_a_touch_interval(env: Env) -> None:
    touch = env.ketnap.settings.web.session_touch_seconds
    browser = env.login("sec_a")

    def last_seen() -> object:
        with env.ketnap.engine.connect() as conn:
            return conn.execute(select(WebSessionRow.last_seen_at)).scalar_one()  # type: ignore[call-overload]

    signed_in_at = last_seen()
    env.clock.advance(seconds=touch - 1)
    browser.get("/api/me")
    assert last_seen() == signed_in_at, "a request within the interval writes nothing"
    env.clock.advance(seconds=1)
    browser.get("/api/me")
    assert last_seen() != signed_in_at


# --- tokens ----------------------------------------------------------------------------------------------------

def test_an_expired_token_answers_401_token_expired(env: Env) -> None:
    issued = accounts.create_token(env.ketnap, "sec_a", "short", days=1)
    headers = {"Authorization": f"Bearer {issued.token}"}
    env.clock.advance(hours=23, minutes=59)
    assert env.client.get("/api/me", headers=headers).status_code == 200

    env.clock.advance(minutes=1)

    answer = env.client.get("/api/me", headers=headers)
    assert answer.status_code == 401 and answer.json()["code"] == "token_expired"
    assert "expired" in answer.json()["message"]


def test_a_token_without_a_stored_expiry_expires_the_default_lifetime_after_it_was_made(env: Env) -> None:
    """Tokens made before expiry existed keep NULL (the migration writes nothing); they still expire."""
    with env.ketnap.engine.begin() as conn:
        conn.execute(update(ApiTokenRow).where(ApiTokenRow.id == env.token_ids["sec_a"])  # type: ignore[arg-type]
                     .values(expires_at=None))
    days = env.ketnap.settings.web.token_days
    owner = accounts.token_owner(env.ketnap, env.token_ids["sec_a"])
    assert owner is not None
    listed = {t.id: t.expires_at for t in accounts.tokens(env.ketnap, owner)}
    assert listed[env.token_ids["sec_a"]] == env.clock.now() + timedelta(days=days)
    env.clock.advance(days=days, seconds=-1)
    assert env.client.get("/api/me", headers=env.auth("sec_a")).status_code == 200
    env.clock.advance(seconds=1)
    assert env.client.get("/api/me", headers=env.auth("sec_a")).json()["code"] == "token_expired"


def test_token_create_takes_days_and_token_list_shows_the_expiry(env: Env) -> None:
    url = env.ketnap.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    created = runner.invoke(cli, ["--db", url, "--json", "token", "create", "sec_b", "--days", "7"])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(cli, ["--db", url, "--json", "token", "list", "sec_b"])
    expiries = {t["id"]: t["expires_at"] for t in json.loads(listed.output)}
    assert expiries[json.loads(created.output)["id"]] == json.loads(created.output)["expires_at"]
    assert runner.invoke(cli, ["--db", url, "token", "create", "sec_b", "--days", "0"]).exit_code == 2


# --- nobody chooses another person's password (break 10) ------------------------------------------------------

def test_break_10_an_admin_cannot_mint_a_secretary_with_a_password_they_choose(env: Env) -> None:
    """As reported: an admin adds a secretary elsewhere in their subtree with a password of their choosing."""
    minted = env.client.post("/api/users", headers=env.auth("admin"), json={
        "username": "sec_c", "role": "secretary", "orgs": ["CB-02"], "password": "admin-knows-this-one"})

    assert minted.status_code == 422 and minted.json()["code"] == "invalid_request"
    assert "password" in json.dumps(minted.json()["violations"])
    assert "sec_c" not in {u.username for u in accounts.all_users(env.ketnap)}, "nothing was written"


def test_the_admin_page_ignores_a_chosen_password_and_shows_a_temporary_one(env: Env) -> None:
    browser = env.login("admin")
    page = browser.get("/admin")
    assert 'name="password"' not in page.text
    assert f"hết hạn {(env.clock.now() + timedelta(days=90)).astimezone(VIETNAM):%d/%m/%Y %H:%M}" in page.text
    added = browser.post("/admin/users", data={"csrf_token": csrf_of(page.text), "username": "sec_c",
                                               "role": "secretary", "orgs": ["CB-02"],
                                               "password": "admin-knows-this-one"})

    assert added.status_code == 200 and 'id="temporary-password"' in added.text
    assert accounts.authenticate(env.ketnap, "sec_c", "admin-knows-this-one") is None
    user = accounts.authenticate(env.ketnap, "sec_c", added.text.split("<code>")[1].split("</code>")[0])
    assert user is not None and user.must_change_password


def test_a_temporary_password_leads_only_to_choosing_ones_own(env: Env) -> None:
    added = env.client.post("/api/users", headers=env.auth("admin"), json={
        "username": "sec_c", "role": "secretary", "orgs": ["CB-02"], "full_name": "Bí thư C"}).json()
    assert added["must_change_password"] is True
    browser = TestClient(env.web)
    form = browser.get("/login")
    landed = browser.post("/login", data={"csrf_token": csrf_of(form.text), "username": "sec_c",
                                          "password": added["temporary_password"], "next": "/candidates"},
                          follow_redirects=False)
    assert landed.headers["location"] == "/password"
    for path in ("/", "/candidates", "/admin", "/audit"):
        moved = browser.get(path, follow_redirects=False)
        assert (moved.status_code, moved.headers.get("location")) == (303, "/password"), path
    csrf = csrf_of(browser.get("/password").text)
    blocked = browser.get("/api/candidates")
    assert blocked.status_code == 403 and blocked.json()["code"] == "password_change_required"
    assert browser.get("/api/me").json()["must_change_password"] is True

    for weak in ("aaaaaaaaaa", added["temporary_password"]):
        again = browser.post("/password", data={"csrf_token": csrf, "current_password": added["temporary_password"],
                                                "new_password": weak, "new_password_again": weak})
        assert again.status_code == 422, weak
    assert browser.get("/", follow_redirects=False).headers.get("location") == "/password", "still to be changed"
    differ = browser.post("/password", data={"csrf_token": csrf, "current_password": added["temporary_password"],
                                             "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD + "!"})
    assert differ.status_code == 422 and "không khớp" in differ.text

    done = browser.post("/password", data={"csrf_token": csrf, "current_password": added["temporary_password"],
                                           "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
                        follow_redirects=False)

    assert done.headers["location"] == "/password?done=1"
    assert browser.get("/").status_code == 200 and browser.get("/api/candidates").status_code == 200
    assert accounts.authenticate(env.ketnap, "sec_c", added["temporary_password"]) is None


def test_ketnap_user_password_issues_a_temporary_password_and_ends_the_sessions(env: Env) -> None:
    url = env.ketnap.engine.url.render_as_string(hide_password=False)
    browser = env.login("sec_a")

    result = CliRunner().invoke(cli, ["--db", url, "--json", "user", "password", "sec_a"])

    assert result.exit_code == 0, result.output
    temporary = json.loads(result.output)["temporary_password"]
    assert refused(browser)
    assert accounts.authenticate(env.ketnap, "sec_a", PASSWORD) is None
    moved = sign_in(env, "sec_a", temporary).get("/", follow_redirects=False)
    assert moved.headers["location"] == "/password"


def test_user_deactivate_reactivate_and_list_json_on_the_cli(env: Env) -> None:
    url = env.ketnap.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    browser = env.login("sec_b")
    assert runner.invoke(cli, ["--db", url, "user", "deactivate", "sec_b"]).exit_code == 0
    assert refused(browser)
    again = runner.invoke(cli, ["--db", url, "user", "deactivate", "sec_b"])
    assert again.exit_code == 2 and "already deactivated" in again.output
    listed = runner.invoke(cli, ["--db", url, "user", "list", "--json"])
    people = {u["username"]: u for u in json.loads(listed.output)}
    assert people["sec_b"]["active"] is False and people["sec_a"]["active"] is True
    assert "argon2" not in listed.output and not any("hash" in key for u in people.values() for key in u)
    assert runner.invoke(cli, ["--db", url, "user", "reactivate", "sec_b"]).exit_code == 0
    for name in ("deactivate", "reactivate", "password", "list"):
        helped = runner.invoke(cli, ["user", name, "--help"])
        assert helped.exit_code == 0 and len(helped.output) > 100, name


# --- an older database ------------------------------------------------------------------------------------------

def test_a_database_from_before_sessions_upgrades_keeping_its_users_and_tokens(tmp_path: Path) -> None:
    """Users of an older release sign in as before (no forced change); their tokens expire token_days after
    they were made (NULL expires_at, read as created_at + token_days)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)
    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "sessions@-1")  # the schema as the previous release left it
        assert "must_change_password" not in {c["name"] for c in inspect(conn).get_columns("user")}
        assert not inspect(conn).has_table("web_session")
    clock = FrozenClock(T0)
    old = bootstrap(settings(), engine=engine, clock=clock)
    old.add_org(AddOrganisation(code="TINH", name="Tỉnh ủy", level="province"))
    digest = accounts.hash_password(PASSWORD)
    token = accounts.TOKEN_PREFIX + "an-old-token-of-enough-length-0123456789"
    with engine.begin() as conn:
        user_id = conn.execute(text('INSERT INTO "user" (username, full_name, role, password_hash, active, '
                                    "created_at) VALUES ('cu', 'Người dùng cũ', 'auditor', :h, 1, :t) RETURNING id"),
                               {"h": digest, "t": T0}).scalar_one()
        conn.execute(text("INSERT INTO user_scope (user_id, org_code) VALUES (:u, 'TINH')"), {"u": user_id})
        conn.execute(text("INSERT INTO api_token (user_id, token_hash, label, created_at) VALUES (:u, :h, 'cũ', :t)"),
                     {"u": user_id, "h": accounts.token_hash(token), "t": T0})

    migrate.upgrade(engine)  # what `ketnap init` does
    app = bootstrap(settings(), engine=engine, clock=clock)
    web = create_app(app, environ=SECRET)
    browser = TestClient(web)
    landed = browser.post("/login", data={"csrf_token": csrf_of(browser.get("/login").text), "username": "cu",
                                          "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert landed.headers["location"] == "/", "no forced change for an existing user"
    [stored] = accounts.tokens(app, user_id)
    assert stored.expires_at == T0 + timedelta(days=app.settings.web.token_days)
    client = TestClient(web)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    clock.advance(days=app.settings.web.token_days)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["code"] == "token_expired"
    engine.dispose()
