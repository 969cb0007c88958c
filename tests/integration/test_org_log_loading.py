"""The organisation log is read once, not once per request (issue 14): at the nation's 52,834 organisations a
cold server's 32 first requests each read it at once (71 s, the connection pool exhausted), and a step's work
must not grow with the tree. On SQLite and PostgreSQL."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from states.organisations import SINCE_ALWAYS, OrgChange, OrgHistory
from states.steps import known_step
from storage import driver_sql, organisations
from storage.engine import make_engine
from tests.builders import PATH_TO_VOTE, settings
from tests.conftest import T0
from tests.fakes import FrozenClock
from tests.integration.support import add_org_tree
from workflow import accounts
from workflow.bootstrap import bootstrap, served_app
from workflow.commands import AddOrganisation
from workflow.scoped import ScopedKetnap, token_principal
from workflow.service import Ketnap

PASSWORD = "mat-khau-du-dai-cho-kiem-thu-14"


def test_concurrent_first_readers_read_the_log_once(app: Ketnap, monkeypatch: pytest.MonkeyPatch) -> None:
    add_org_tree(app)
    log = app.uow.org_log
    log.forget()
    loads_before = log.loads
    readers = 8
    everyone_ready = threading.Barrier(readers)
    real = organisations.load_changes

    def slow_load(conn: Any) -> list[OrgChange]:
        time.sleep(0.2)  # the nation's log takes seconds: the other first readers ask meanwhile
        return real(conn)

    monkeypatch.setattr(organisations, "load_changes", slow_load)
    seen: list[OrgHistory] = []
    errors: list[BaseException] = []

    def first_request() -> None:
        try:
            everyone_ready.wait(10)
            with app.uow.reading() as tx:
                seen.append(tx.org_history())
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=first_request) for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert not errors
    assert log.loads - loads_before == 1
    assert len({id(h) for h in seen}) == 1 and len(seen) == readers
    assert seen[0].latest().get("CB-01") is not None


def test_a_served_app_has_read_the_tree_before_its_first_request(app: Ketnap) -> None:
    add_org_tree(app)
    app.uow.org_log.forget()
    loads_before = app.uow.org_log.loads

    served_app(app, scheduler=False, environ={"KETNAP_SESSION_SECRET": "s" * 40})
    app.organisations.tree()  # what a first request asks

    assert app.uow.org_log.loads - loads_before == 1


def _add_branches(app: Ketnap, count: int) -> None:
    """`count` more branches under DU-CS, written as the benchmark writes a tree (one transaction)."""
    changes = [OrgChange("created", f"CB-X{n:04d}", SINCE_ALWAYS, name=f"Chi bộ {n}", level="branch",
                         parent="DU-CS", admits=False) for n in range(count)]
    latest = OrgHistory(changes).latest()
    with app.uow.transaction() as tx:
        organisations.append(tx.conn, changes, "test", T0)
        tx.conn.execute(organisations.ORGS.insert(), [organisations.projected_values(latest.orgs[c.code])
                                                      | {"created_at": T0} for c in changes])


@contextmanager
def counted(app: Ketnap) -> Iterator[list[str]]:
    """Every SQL statement run meanwhile: through Core and on the driver path (storage/driver_sql.py)."""
    seen: list[str] = []

    def core(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    real_execute, real_many = driver_sql.DriverStatement.execute, driver_sql.DriverStatement.executemany

    def execute(self: driver_sql.DriverStatement, *args: Any, **kwargs: Any) -> Any:
        seen.append(self.sql)
        return real_execute(self, *args, **kwargs)

    def executemany(self: driver_sql.DriverStatement, *args: Any, **kwargs: Any) -> None:
        seen.append(self.sql)
        real_many(self, *args, **kwargs)

    event.listen(app.engine, "before_cursor_execute", core)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(driver_sql.DriverStatement, "execute", execute)
        patch.setattr(driver_sql.DriverStatement, "executemany", executemany)
        try:
            yield seen
        finally:
            event.remove(app.engine, "before_cursor_execute", core)


def _step_work(app: Ketnap, token: str, tag: str) -> tuple[int, int]:
    """(statements, log reads) of one API step of a commune-level secretary, the principal included, warm."""
    def one_step(cid: str | None, step: str, on: date, fields: dict[str, Any]) -> str:
        who = token_principal(app, token)
        assert who is not None
        return ScopedKetnap(app, who).record(cid, known_step(step), on, fields).candidate.id

    (_, on, person), (step, day, fields), *_ = PATH_TO_VOTE
    cid = one_step(None, "identify", on, {**person, "full_name": f"Nguyễn Thị {tag}"})  # warms the caches
    loads = app.uow.org_log.loads
    with counted(app) as statements:
        one_step(cid, step, day, dict(fields))
    return len(statements), app.uow.org_log.loads - loads


def test_a_steps_work_does_not_grow_with_the_tree(app: Ketnap) -> None:
    add_org_tree(app)
    accounts.add_user(app, "ghi", "secretary", ["DU-XA"], PASSWORD, enforce_policy=False)
    token = accounts.create_token(app, "ghi", "test").token
    small = _step_work(app, token, "nhỏ")

    _add_branches(app, 1_000)
    _step_work(app, token, "đọc lại")  # the log changed: the first step after it reads it again
    large = _step_work(app, token, "lớn")

    assert large == small
    assert small[1] == 0  # warm: the log is not read again


def test_a_change_recorded_by_another_server_is_seen_by_the_next_step(app: Ketnap, db_url: str,
                                                                      clock: FrozenClock) -> None:
    """The kept history is keyed by the log's last position (no count of the nation's rows per step): a
    change another process records moves it, and the next reader here reads the log again."""
    add_org_tree(app)
    other_engine = make_engine(db_url)
    other = bootstrap(settings(), engine=other_engine, clock=clock)
    try:
        assert other.organisations.tree().get("CB-03") is None  # read and kept over there
        app.add_org(AddOrganisation(code="CB-03", name="Chi bộ Nhân viên", level="branch", parent="DU-CS"))
        assert other.organisations.tree().get("CB-03") is not None
    finally:
        other_engine.dispose()
