"""`ketnap scheduler`: APScheduler 3.x as a trigger only; the database is the only source of truth.

Jobs are re-registered at every start in an in-memory job store with explicit ids, `replace_existing=True`,
`misfire_grace_time=None` and `coalesce=True` (ANCHORS.md B.2): nothing is pickled, nothing is lost with the
process, and the first sweep at start-up catches up whatever fell due while it was down (ARCHITECTURE.md
decision 8). On SQLite one scheduler runs at a time (a lock row, storage/scheduler_lock.py); on PostgreSQL
any number share the outbox through `FOR UPDATE SKIP LOCKED`. SIGTERM and SIGINT stop it cleanly: claimed
rows not yet tried go back to the queue and the running job finishes.
"""

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from notifications.policy import VIETNAM
from storage import scheduler_lock
from storage.engine import is_sqlite
from storage.errors import StorageUnavailable
from workflow.clock import Clock
from workflow.errors import (
    SchedulerRefused as SchedulerRefused,  # re-exported: its home is workflow/errors.py (no tables)
)
from workflow.reminders import Reminders

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

logger = logging.getLogger(__name__)
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
STANDBY_POLL_SECONDS = 1.0


def process_gone(host: str, pid: int) -> bool:
    """True only when the holder ran on this host and its process no longer exists."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass
class SchedulerService:
    reminders: Reminders
    clock: Clock
    stop_event: threading.Event = field(default_factory=threading.Event)
    say: Callable[[str], None] = logger.info
    exit_code: int = 0

    @property
    def needs_lock(self) -> bool:
        return is_sqlite(self.reminders.engine)

    @property
    def ttl(self) -> timedelta:
        return timedelta(seconds=self.reminders.policy.scheduler.lock_ttl_seconds)

    # --- the SQLite lock ------------------------------------------------------------------------------------

    def acquire(self, standby: bool) -> None:
        """Raises: SchedulerRefused when another scheduler holds the lock and `standby` is False."""
        if not self.needs_lock:
            return
        announced = False
        while not self.stop_event.is_set():
            with self.reminders.engine.begin() as conn:
                holder = scheduler_lock.acquire(conn, self.reminders.worker, socket.gethostname(), os.getpid(),
                                                self.clock.now(), self.ttl, process_gone)
            if holder is None:
                if announced:
                    self.say("standby: the other scheduler stopped; taking over")
                return
            if not standby:
                raise SchedulerRefused(holder)
            if not announced:
                self.say(f"standby: waiting for the scheduler of process {holder.pid} on {holder.host} to stop")
                announced = True
            self.stop_event.wait(STANDBY_POLL_SECONDS)

    def heartbeat(self) -> None:
        with self.reminders.engine.begin() as conn:
            kept = scheduler_lock.renew(conn, self.reminders.worker, self.clock.now(), self.ttl)
        if not kept:
            logger.error("the scheduler lock was taken by another process; stopping")
            self.exit_code = 1
            self.stop_event.set()

    def release(self) -> None:
        if self.needs_lock:
            with self.reminders.engine.begin() as conn:
                scheduler_lock.release(conn, self.reminders.worker)

    # --- jobs -----------------------------------------------------------------------------------------------

    def sweep_job(self) -> None:
        """The sweep writes only rows not yet written (their keys are UNIQUE), so a busy database is simply tried
        again as a whole (`database.retry_attempts`), then left to the next run."""
        try:
            report = self.reminders.on_busy.run(lambda: self.reminders.sweep(self.clock.now()), "sweep")
            if report.created or report.cancelled or report.digests or report.reports:
                logger.info("sweep: %s", report)
        except StorageUnavailable as err:
            logger.warning("sweep: the database is busy or full (%s); the next run tries again", err)
        except Exception:
            logger.exception("sweep failed; the next run tries again")

    def dispatch_job(self) -> None:
        """Each claim and settlement of the outbox is tried again on its own (storage/outbox.py): a message is
        never sent before its row is claimed, and a sent one is marked sent even while the database is busy."""
        try:
            report = self.reminders.dispatch(self.clock.now(), should_stop=self.stop_event.is_set)
            if report.handled:
                logger.info("dispatch: %s", report)
        except StorageUnavailable as err:
            logger.warning("dispatch: the database is busy or full (%s); the next run tries again", err)
        except Exception:
            logger.exception("dispatch failed; the next run tries again")

    def digest_job(self) -> None:
        self.sweep_job()
        self.dispatch_job()

    def heartbeat_job(self) -> None:
        try:
            self.reminders.on_busy.run(self.heartbeat, "heartbeat")
        except StorageUnavailable as err:
            logger.warning("heartbeat: the database is busy or full (%s); the lock is renewed at the next beat", err)
        except Exception:
            logger.exception("heartbeat failed")

    def build(self) -> "BackgroundScheduler":
        from apscheduler.executors.pool import ThreadPoolExecutor  # loads when a scheduler runs (issue 14)
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        s = self.reminders.policy.scheduler
        scheduler = BackgroundScheduler(jobstores={"default": MemoryJobStore()},
                                        executors={"default": ThreadPoolExecutor(3)},
                                        job_defaults=JOB_DEFAULTS, timezone=UTC)
        now = datetime.now(UTC)
        jobs: list[tuple[str, Callable[[], None], Any, datetime | None]] = [
            ("ketnap.sweep", self.sweep_job, IntervalTrigger(seconds=s.sweep_every_seconds), now),
            ("ketnap.dispatch", self.dispatch_job, IntervalTrigger(seconds=s.dispatch_every_seconds),
             now + timedelta(seconds=1)),
            ("ketnap.digest", self.digest_job, CronTrigger(hour=self.reminders.policy.digest.at.hour,
                                                           minute=self.reminders.policy.digest.at.minute,
                                                           timezone=VIETNAM), None),
        ]
        if self.needs_lock:
            jobs.append(("ketnap.heartbeat", self.heartbeat_job, IntervalTrigger(seconds=s.heartbeat_seconds),
                         None))
        for job_id, func, trigger, first in jobs:
            extra = {"next_run_time": first} if first is not None else {}
            scheduler.add_job(func, trigger, id=job_id, name=job_id, replace_existing=True,
                              misfire_grace_time=None, coalesce=True, max_instances=1, **extra)
        return scheduler

    # --- running in the foreground --------------------------------------------------------------------------

    def run(self, standby: bool = False) -> int:
        """Run until SIGTERM or SIGINT; returns the exit code.

        Raises:
            SchedulerRefused: SQLite and another scheduler is running (without `standby`).
        """
        previous = self._install_signals()
        try:
            self.acquire(standby)
            if self.stop_event.is_set():
                return self.exit_code
            scheduler = self.build()
            scheduler.start()
            self.say(f"scheduler started: worker {self.reminders.worker}; jobs "
                     f"{', '.join(j.id for j in scheduler.get_jobs())}")
            try:
                while not self.stop_event.wait(0.5):
                    pass
            finally:
                scheduler.shutdown(wait=True)
                self.release()
            self.say("scheduler stopped")
            return self.exit_code
        finally:
            self._restore_signals(previous)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s: stopping after the running job", signal.Signals(signum).name)
        self.stop_event.set()

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def _restore_signals(self, previous: dict[int, Any]) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

