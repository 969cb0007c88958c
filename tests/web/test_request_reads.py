"""A page's reads share one transaction (workflow/web/reads.py): what it must not change for users. A write of
the same request is seen by the reads after it, a failed read does not spoil the next, a session ended elsewhere
is refused on the next page, and a server with a single database connection still serves a page that writes
(the access log) without waiting on itself."""

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.engine import make_engine
from storage.unit_of_work import share_reads, unshare_reads
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.web.conftest import Env, build_env
from workflow.bootstrap import bootstrap
from workflow.service import Ketnap


def test_reads_after_a_write_in_the_same_request_see_it(app: Ketnap) -> None:
    reads, token = share_reads()
    try:
        with app.uow.reading() as tx:
            before = tx.conn.execute(text("SELECT count(*) FROM access_log")).scalar_one()
        with app.uow.transaction() as tx:
            tx.conn.execute(text("INSERT INTO access_log (at, actor, role, via, origin, view, candidate_id, count) "
                                 "VALUES (CURRENT_TIMESTAMP, 'x', 'auditor', 'web', '-', 'candidate_page', 'C1', 1)"))
        with app.uow.reading() as tx:
            after = tx.conn.execute(text("SELECT count(*) FROM access_log")).scalar_one()
    finally:
        unshare_reads(token)
        reads.close()
    assert after == before + 1


def test_a_failed_read_does_not_spoil_the_next_one(app: Ketnap) -> None:
    reads, token = share_reads()
    try:
        try:
            with app.uow.reading() as tx:
                tx.conn.execute(text("SELECT * FROM no_such_table"))
        except DBAPIError:
            pass
        with app.uow.reading() as tx:
            assert tx.conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        unshare_reads(token)
        reads.close()
    assert not reads.open


def test_a_session_ended_in_another_browser_is_refused_on_the_next_page(env: Env) -> None:
    first, second = env.login("sec_a"), env.login("sec_a")
    assert first.get("/candidates").status_code == 200
    other = second.get("/password")
    token = other.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert second.post("/logout", data={"csrf_token": token}).status_code in (200, 303)
    assert second.get("/candidates", follow_redirects=False).status_code == 303
    assert first.get("/candidates").status_code == 200  # only the session that signed out ended


def test_one_connection_serves_a_page_that_reads_and_logs_the_view(db_url: str, clock: FrozenClock) -> None:
    engine = make_engine(db_url, pool_size=1, max_overflow=0, pool_timeout=5)
    try:
        env = build_env(bootstrap(settings(), engine=engine, clock=clock), clock)
        candidate = env.seed("CB-01", "branch_vote")
        browser = env.login("sec_a")
        assert browser.get(f"/candidates/{candidate}").status_code == 200
        assert browser.get(f"/api/candidates/{candidate}").status_code == 200
    finally:
        engine.dispose()
