"""A busy or full database is a clear refusal, never a 500 (issue 11, break 6): a real SQLite file whose write
lock another connection holds (`BEGIN IMMEDIATE`) longer than a tiny busy timeout, and a real SQLITE_FULL made
with `PRAGMA max_page_count`. The API answers 503 with `Retry-After`, the page 503 in Vietnamese, the CLI exits
2 with the reason; nothing is written. A lock released while the step path waits to try again is no refusal."""

import json
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, event
from sqlalchemy.exc import TimeoutError as PoolTimeout
from typer.testing import CliRunner

from storage.engine import make_engine
from storage.failures import BusyRetry
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.web.conftest import Env, build_env
from tests.web.test_idempotency import COMMENTS, _step_form
from workflow import bootstrap as wiring
from workflow.bootstrap import bootstrap
from workflow.cli.main import app as cli
from workflow.config import DEFAULT_CONFIG, DatabaseSettings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BUSY = DatabaseSettings(busy_timeout_ms=20, retry_attempts=2, retry_backoff_ms=0, retry_after_seconds=7)


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def busy_env(sqlite_url: str, clock: FrozenClock) -> Iterator[Env]:
    """The web application on a SQLite file with a 20 ms busy timeout and two tries per step."""
    tuned = settings().model_copy(update={"database": BUSY})
    engine = make_engine(sqlite_url, **BUSY.engine_options())
    yield build_env(bootstrap(tuned, engine=engine, clock=clock), clock)
    engine.dispose()


@pytest.fixture
def held(sqlite_url: str) -> Iterator[sqlite3.Connection]:
    """Another process's connection holding the write lock (as a long import does) until the test releases it."""
    other = sqlite3.connect(_path(sqlite_url), isolation_level=None, timeout=0, check_same_thread=False)
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def _hold(other: sqlite3.Connection) -> None:
    other.execute("BEGIN IMMEDIATE")


def test_an_api_step_waiting_for_a_held_lock_answers_503_with_retry_after_and_writes_nothing(
        busy_env: Env, held: sqlite3.Connection) -> None:
    cid = busy_env.seed("CB-01", "collect_comments")
    before = len(busy_env.ketnap.events(cid))
    _hold(held)
    response = busy_env.client.post(f"/api/candidates/{cid}/steps", headers=busy_env.auth("sec_a"), json=COMMENTS)

    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "7"
    doc = response.json()
    assert doc["code"] == "database_busy" and doc["retry_after"] == 7
    assert "Cơ sở dữ liệu đang bận" in doc["message_vi"] and "nothing was written" in doc["message"]
    held.execute("ROLLBACK")
    assert len(busy_env.ketnap.events(cid)) == before


def test_a_lock_released_while_the_step_waits_to_try_again_records_the_step(
        busy_env: Env, held: sqlite3.Connection) -> None:
    cid = busy_env.seed("CB-01", "collect_comments")
    before = len(busy_env.ketnap.events(cid))
    pauses: list[float] = []

    def pause(seconds: float) -> None:  # the other writer commits while the step path waits
        pauses.append(seconds)
        held.execute("COMMIT")

    busy_env.ketnap.busy_retry = BusyRetry(3, 0.25, sleep=pause)
    _hold(held)
    response = busy_env.client.post(f"/api/candidates/{cid}/steps", headers=busy_env.auth("sec_a"), json=COMMENTS)

    assert response.status_code == 201, response.text
    assert pauses == [0.25]
    assert len(busy_env.ketnap.events(cid)) == before + 1


def test_a_page_step_waiting_for_a_held_lock_shows_a_vietnamese_503(busy_env: Env, held: sqlite3.Connection) -> None:
    cid = busy_env.seed("CB-01", "collect_comments")
    before = len(busy_env.ketnap.events(cid))
    browser = busy_env.login("sec_a")
    form = {**_step_form(browser.get(f"/candidates/{cid}").text, "collect_comments"), "on": "2024-06-15",
            "sources": ["residence", "mass_organisations"]}
    _hold(held)
    page = browser.post(f"/candidates/{cid}/steps/collect_comments", data=form, follow_redirects=False)

    assert page.status_code == 503, page.text
    assert page.headers["Retry-After"] == "7"
    assert "Cơ sở dữ liệu đang bận" in page.text and "thử lại sau 7 giây" in page.text
    held.execute("ROLLBACK")
    assert len(busy_env.ketnap.events(cid)) == before


def _config(tmp_path: Path, database: dict[str, Any]) -> Path:
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    raw["database"] = {**raw.get("database", {}), **database}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_cli_step_waiting_for_a_held_lock_exits_2_with_the_reason(
        busy_env: Env, held: sqlite3.Connection, sqlite_url: str, tmp_path: Path) -> None:
    cid = busy_env.seed("CB-01", "collect_comments")
    before = len(busy_env.ketnap.events(cid))
    config = _config(tmp_path, {"busy_timeout_ms": 20, "retry_attempts": 2, "retry_backoff_ms": 0})
    _hold(held)
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "--config", str(config), "step", cid, "collect_comments",
                                      "--on", "2024-06-15", 'sources=["residence"]'])

    assert result.exit_code == 2, result.output
    assert "database_busy" in result.output and "Cơ sở dữ liệu đang bận" in result.output
    held.execute("ROLLBACK")
    assert len(busy_env.ketnap.events(cid)) == before


# --- a full disk ----------------------------------------------------------------------------------------------------

def _fill_up(engine: Engine, path: Path) -> None:
    """The file is compacted (no free page left) and no connection of `engine` may grow it any more: a write that
    needs one more page fails with SQLITE_FULL, as on a full disk."""
    engine.dispose()
    with sqlite3.connect(path, isolation_level=None) as compact:
        compact.execute("VACUUM")
        pages = compact.execute("PRAGMA page_count").fetchone()[0]
    compact.close()

    @event.listens_for(engine, "connect")
    def _no_more_pages(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")


# An event larger than a page (4 KiB): it needs an overflow page, which a full file cannot add.
BIG = "Ễ" * 500  # three bytes each in UTF-8
BIG_PERSON = {"org": "CB-01", "full_name": BIG, "birth_date": "2001-05-19", "sex": "F", "education": "university",
              "ethnicity": BIG, "religion": BIG}


def _candidates(env: Env) -> int:
    return len(env.client.get("/api/candidates", headers=env.auth("sec_a")).json()["items"])


def test_a_full_database_answers_503_over_the_api_and_writes_nothing(busy_env: Env, sqlite_url: str) -> None:
    busy_env.seed("CB-01", "introduce")
    _fill_up(busy_env.ketnap.engine, _path(sqlite_url))
    response = busy_env.client.post("/api/candidates", headers=busy_env.auth("sec_a"),
                                    json={"on": "2024-01-10", "fields": BIG_PERSON})

    assert response.status_code == 503, response.text
    doc = response.json()
    assert doc["code"] == "storage_full" and "đã đầy" in doc["message_vi"]
    assert response.headers["Retry-After"] == str(BUSY.full_retry_after_seconds)
    assert _candidates(busy_env) == 1


def test_a_full_database_makes_the_cli_exit_2_with_the_reason(busy_env: Env, sqlite_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    busy_env.seed("CB-01", "introduce")

    def full_engine(url: str, **options: Any) -> Engine:
        engine = make_engine(url, **options)
        _fill_up(engine, _path(url))
        return engine

    monkeypatch.setattr(wiring, "make_engine", full_engine)
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "--json", "candidate", "add", "--org", "CB-01", "--name",
                                      BIG, "--birth-date", "2001-05-19", "--sex", "F", "--education", "university",
                                      "--on", "2024-01-10", "--ethnicity", BIG, "--religion", BIG])

    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert doc["code"] == "storage_full" and "đã đầy" in doc["message"]
    assert _candidates(busy_env) == 1


def test_the_api_answers_a_step_normally_once_the_lock_is_gone(busy_env: Env, held: sqlite3.Connection) -> None:
    """The write connection that met the lock is not left broken: the next request records its step."""
    cid = busy_env.seed("CB-01", "collect_comments")
    _hold(held)
    refused = busy_env.client.post(f"/api/candidates/{cid}/steps", headers=busy_env.auth("sec_a"), json=COMMENTS)
    held.execute("ROLLBACK")
    again = busy_env.client.post(f"/api/candidates/{cid}/steps", headers=busy_env.auth("sec_a"), json=COMMENTS)

    assert (refused.status_code, again.status_code) == (503, 201), again.text


def test_a_client_without_the_retry_numbers_still_gets_a_clear_refusal(sqlite_url: str, held: sqlite3.Connection,
                                                                      clock: FrozenClock) -> None:
    """An engine made without config.yaml's hints (scripts, tests) still answers 503 with the default wait."""
    engine = make_engine(sqlite_url, busy_timeout_ms=20)
    env = build_env(bootstrap(settings().model_copy(update={"database": BUSY}), engine=engine, clock=clock), clock)
    cid = env.seed("CB-01", "collect_comments")
    _hold(held)
    response = TestClient(env.web).post(f"/api/candidates/{cid}/steps", headers=env.auth("sec_a"), json=COMMENTS)
    engine.dispose()

    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0


@pytest.mark.slow
def test_no_request_on_a_locked_database_fails_with_anything_but_503_and_retry_after(
        busy_env: Env, held: sqlite3.Connection) -> None:
    """Schemathesis's requests against the API while another writer holds the lock: reads answer as usual,
    writes 503 with `Retry-After`; no 500, no other 5xx (tests/web/test_schema_fuzz.py on a free database)."""
    candidate_id = busy_env.seed("CB-01", "hold_ceremony")
    token = busy_env.tokens["sec_a"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", busy_env.web)
    operations = [result.ok() for result in schema.get_all_operations()]
    seen: set[int] = set()
    _hold(held)
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=8, deadline=5000, phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def run(case: schemathesis.Case) -> None:
            if case.path_parameters and "candidate_id" in case.path_parameters:
                case.path_parameters["candidate_id"] = candidate_id
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            seen.add(response.status_code)
            retry_after = {k.lower(): v for k, v in response.headers.items()}.get("retry-after")
            assert response.status_code < 500 or (response.status_code == 503 and retry_after in ("7", ["7"])), \
                (case.method, case.formatted_path, response.status_code, response.text[:300])

        run()
    assert 503 in seen and any(s < 400 for s in seen), seen  # writes met the lock, reads did not


def test_every_connection_of_the_pool_in_use_is_a_busy_database_not_a_bug(sqlite_url: str,
                                                                            clock: FrozenClock) -> None:
    """32 cold requests at once exhausted a server's pool at the nation's size (issue 14): HTTP 500 for half of
    them. A request that waits `pool_timeout` for a connection is told the database is busy (503 Retry-After)."""
    engine = make_engine(sqlite_url, pool_timeout=0.1)
    env = build_env(bootstrap(settings(), engine=engine, clock=clock), clock)
    held = []
    while True:  # every connection the pool may hand out, as many slow requests would hold them
        try:
            held.append(engine.connect())
        except PoolTimeout:
            break
    try:
        client = TestClient(env.web, raise_server_exceptions=False)  # what a real server answers
        response = client.get("/api/candidates", headers=env.auth("sec_a"))
    finally:
        for conn in held:
            conn.close()
        engine.dispose()

    assert response.status_code == 503
    assert response.json()["code"] == "database_busy"
    assert response.headers["Retry-After"]
