"""PostgreSQL connections are not pinged before each transaction (issue 14: a round trip per step); those the
server closed while they sat in the pool are replaced at checkout, so the next steps record as if nothing had
happened."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from storage.engine import make_engine
from tests.builders import PATH_TO_VOTE, settings
from tests.conftest import _truncate
from tests.fakes import FrozenClock
from tests.integration.reminders_support import add_orgs
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep

pytestmark = pytest.mark.postgres
POOLED = 3


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url, pool_size=POOLED, max_overflow=0)
    _truncate(engine)
    yield engine
    engine.dispose()


def _pooled_pids(engine: Engine) -> set[int]:
    """Check out every pooled connection at once and give them back: the pool now holds POOLED live ones."""
    held = [engine.connect() for _ in range(POOLED)]
    pids = {int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()) for c in held}
    for conn in held:
        conn.rollback()
        conn.close()
    return pids


def _terminate(pg_url: str, pids: set[int]) -> None:
    admin = make_engine(pg_url)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                         {"pids": sorted(pids)})
            conn.commit()
            for _ in range(2000):  # until the server has closed them (bounded, no timing assertion)
                alive = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                                     {"pids": sorted(pids)}).scalar_one()
                conn.commit()
                if not alive:
                    break
    finally:
        admin.dispose()


def test_no_ping_per_transaction(pg_engine: Engine) -> None:
    assert pg_engine.pool._pre_ping is False  # type: ignore[attr-defined]


def test_connections_the_server_closed_in_the_pool_are_replaced_and_the_next_steps_record(
        pg_engine: Engine, pg_url: str, clock: FrozenClock) -> None:
    app = bootstrap(settings(), engine=pg_engine, clock=clock)
    add_orgs(app)
    (_, on, person), (helper, helper_on, helper_fields), *_ = PATH_TO_VOTE
    candidate = app.record_step(RecordStep(candidate_id=None, step="identify", on=on, fields=person)).candidate.id
    killed = _pooled_pids(pg_engine)

    _terminate(pg_url, killed)

    result = app.record_step(RecordStep(candidate_id=candidate, step=helper, on=helper_on, fields=helper_fields))
    assert result.candidate.version == 2
    assert _pooled_pids(pg_engine).isdisjoint(killed)  # every pooled connection is a new one
