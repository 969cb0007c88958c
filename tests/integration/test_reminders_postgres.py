"""Several scheduler processes on one PostgreSQL database share the outbox (`FOR UPDATE SKIP LOCKED`): with 1,000
due reminders and a receiver that fails at first and then recovers, every reminder arrives exactly once; a
scheduler SIGKILLed in the middle of a dispatch and started again loses nothing."""

import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    SECRET,
    WebhookReceiver,
    add_orgs,
    check_nothing_lost_at_most_one_duplicate,
    fast_policy,
    killed_and_restarted,
    outbox_rows,
    output,
    seed_webhook_deadlines,
    start_scheduler,
    stop,
    wait_until,
    write_config,
)
from workflow.bootstrap import bootstrap

pytestmark = [pytest.mark.postgres, pytest.mark.integration]
DUE = 1000


@pytest.fixture
def empty_pg(pg_url: str, clock: FrozenClock) -> Iterator[str]:
    """The session's PostgreSQL database, emptied, with the organisation tree."""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    add_orgs(bootstrap(settings(), engine=engine, clock=clock))
    engine.dispose()
    yield pg_url


def test_two_schedulers_deliver_a_thousand_reminders_exactly_once_through_failures(empty_pg: str,
                                                                                    tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", fast_policy(),
                          {"channels": {"webhook": {"transport": "http", "timeout_seconds": 5}}})
    env = {"KETNAP_WEBHOOK_SECRET": SECRET}
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with WebhookReceiver(SECRET.encode(), fail_first=150) as receiver:
        seed_webhook_deadlines(empty_pg, DUE, receiver.url)
        processes = [start_scheduler(config, empty_pg, log, env=env) for log in logs]
        try:
            delivered = wait_until(lambda: len({d.key_header for d in receiver.accepted()}) >= DUE, 120)
            assert delivered, "\n".join(output(log)[-2000:] for log in logs)
        finally:
            codes = [stop(p, signal.SIGTERM) for p in processes]
    assert codes == [0, 0]
    per_key = Counter(d.key_header for d in receiver.accepted())
    assert len(per_key) == DUE and set(per_key.values()) == {1}
    assert sum(1 for d in receiver.deliveries if d.status == 503) == 150
    engine = make_engine(empty_pg)
    rows = outbox_rows(engine)
    engine.dispose()
    assert Counter(r.status for r in rows) == {"sent": DUE}
    assert len({r.claimed_by.partition("#")[0] for r in rows}) == 2, "both processes took part"  # worker#claim
    assert max(r.attempts for r in rows) > 1  # some rows went through a failure and a retry


def test_a_sigkill_during_dispatch_on_postgres_loses_nothing(empty_pg: str, tmp_path: Path) -> None:
    receiver, rows = killed_and_restarted(empty_pg, tmp_path, 200)
    check_nothing_lost_at_most_one_duplicate(receiver, rows, 200)
