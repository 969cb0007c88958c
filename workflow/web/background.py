"""The reminder scheduler running inside `ketnap serve`, started and stopped with the web application.

It is the same `SchedulerService` as `ketnap scheduler` (workflow/scheduler.py), only without its foreground
loop and signal handling, which belong to uvicorn here. On SQLite only one scheduler may run: if another one
holds the lock, the web server still starts and says that the other process sends the reminders.
"""

import logging
from dataclasses import dataclass, field

from apscheduler.schedulers.background import BackgroundScheduler

from workflow.clock import Clock
from workflow.reminders import Reminders
from workflow.scheduler import SchedulerRefused, SchedulerService

logger = logging.getLogger(__name__)


@dataclass
class ServedScheduler:
    service: SchedulerService
    _running: BackgroundScheduler | None = field(default=None, init=False)

    @classmethod
    def of(cls, reminders: Reminders, clock: Clock) -> "ServedScheduler":
        return cls(SchedulerService(reminders, clock))

    def start(self) -> None:
        try:
            self.service.acquire(standby=False)
        except SchedulerRefused as refused:
            logger.warning("reminders are not scheduled by this server: %s", refused)
            return
        self._running = self.service.build()
        self._running.start()
        logger.info("scheduler started: jobs %s", ", ".join(j.id for j in self._running.get_jobs()))

    def shutdown(self) -> None:
        if self._running is None:
            return
        self.service.stop_event.set()
        self._running.shutdown(wait=True)
        self.service.release()
        self._running = None
        logger.info("scheduler stopped")
