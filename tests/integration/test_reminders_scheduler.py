"""The scheduler: APScheduler 3.x wired as a trigger (explicit ids, in-memory store, misfires never dropped);
`ketnap scheduler` as an OS process stops cleanly on SIGTERM and SIGINT; on SQLite a second scheduler is refused
with a clear message or waits as a standby; a SIGKILL in the middle of a dispatch loses nothing."""

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.jobstores.memory import MemoryJobStore

from notifications.channels import InMemoryChannel
from notifications.policy import VIETNAM
from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    STARTED,
    add_orgs,
    check_nothing_lost_at_most_one_duplicate,
    fast_policy,
    killed_and_restarted,
    output,
    start_scheduler,
    stop,
    wait_until,
    write_config,
)
from workflow.bootstrap import bootstrap, reminders_for
from workflow.scheduler import SchedulerService


def test_jobs_have_explicit_ids_and_never_drop_a_misfire(sqlite_url: str, clock: FrozenClock) -> None:
    engine = make_engine(sqlite_url)
    app = bootstrap(settings(), engine=engine, clock=clock)
    service = SchedulerService(reminders_for(app, {"email": InMemoryChannel()}), clock)
    scheduler = service.build()
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"ketnap.sweep", "ketnap.dispatch", "ketnap.digest", "ketnap.heartbeat"}
        assert all((j.misfire_grace_time, j.coalesce, j.max_instances) == (None, True, 1) for j in jobs.values())
        assert isinstance(scheduler._lookup_jobstore("default"), MemoryJobStore)
        digest = jobs["ketnap.digest"].next_run_time.astimezone(VIETNAM)
        assert (digest.hour, digest.minute) == (7, 0)
        assert service.build().get_jobs()[0].id == "ketnap.sweep"  # built again: the same ids, replaced
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()


@pytest.fixture
def seeded_sqlite(sqlite_url: str, clock: FrozenClock) -> Iterator[str]:
    engine = make_engine(sqlite_url)
    add_orgs(bootstrap(settings(), engine=engine, clock=clock))
    engine.dispose()
    yield sqlite_url


def test_a_second_scheduler_on_sqlite_is_refused_or_waits_as_standby(seeded_sqlite: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", fast_policy(), {})
    first_log, second_log, standby_log = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"
    first = start_scheduler(config, seeded_sqlite, first_log)
    standby = None
    try:
        assert wait_until(lambda: STARTED in output(first_log), 30), output(first_log)
        second = start_scheduler(config, seeded_sqlite, second_log)
        assert second.wait(timeout=30) == 2
        assert "another scheduler is already running on this SQLite database" in output(second_log)
        assert "--standby" in output(second_log)
        standby = start_scheduler(config, seeded_sqlite, standby_log, "--standby")
        assert wait_until(lambda: "standby: waiting" in output(standby_log), 30), output(standby_log)
        assert STARTED not in output(standby_log)
        assert stop(first) == 0 and "scheduler stopped" in output(first_log)
        assert wait_until(lambda: STARTED in output(standby_log), 30), output(standby_log)
        assert "taking over" in output(standby_log)
        assert stop(standby, signal.SIGINT) == 0 and "scheduler stopped" in output(standby_log)
    finally:
        for p in (first, standby):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()


def test_a_sigkill_during_dispatch_on_sqlite_loses_nothing(seeded_sqlite: str, tmp_path: Path) -> None:
    receiver, rows = killed_and_restarted(seeded_sqlite, tmp_path, 150)
    check_nothing_lost_at_most_one_duplicate(receiver, rows, 150)
    assert all(r.late for r in rows)  # their moment passed before any scheduler ran
