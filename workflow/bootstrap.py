"""The only composition root: settings, engine, clock and calendar are wired here, never at import time."""

from sqlalchemy import Engine

from storage.engine import make_engine
from workflow.clock import Clock, SystemClock
from workflow.config import Settings
from workflow.service import Ketnap


def bootstrap(settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None) -> Ketnap:
    return Ketnap(
        settings=settings,
        engine=engine or make_engine(settings.database_url),
        clock=clock or SystemClock(),
        rulebook=settings.rulebook(),
        calendar=settings.working_calendar(),
    )
