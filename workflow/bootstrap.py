"""The only composition root: settings, engine, clock, calendar, notification channels, the reminders and the
served web application are wired here, never at import time, and only here is the environment read (secrets:
SMTP credentials, the webhook and session secrets).

The notification channels, the reminders and the web stack are imported by the functions that wire them, so a
command that only records or shows a step does not load them (issue 14: a CLI that starts at once)."""

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from storage.engine import make_engine
from workflow.clock import Clock, SystemClock
from workflow.config import Settings
from workflow.service import Ketnap

if TYPE_CHECKING:
    from fastapi import FastAPI

    from notifications.channels import Channel
    from workflow.reminders import Reminders


def bootstrap(settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None) -> Ketnap:
    return Ketnap(
        settings=settings,
        engine=engine or make_engine(settings.database_url, **settings.database.engine_options()),
        clock=clock or SystemClock(),
        rulebook=settings.rulebook(),
        calendar=settings.working_calendar(),
    )


def reminders_for(app: Ketnap, channels: "Mapping[str, Channel] | None" = None,
                  environ: Mapping[str, str] | None = None) -> "Reminders":
    """The reminders over `app`'s database, with the channels config.yaml names (credentials from `environ`)."""
    from notifications.channels import build_channels
    from workflow.reminders import Reminders

    built = channels if channels is not None else build_channels(
        app.settings.notifications, os.environ if environ is None else environ)
    return Reminders(app.settings, app.engine, app.calendar, app.rulebook, built)


def served_app(app: Ketnap, *, scheduler: bool, environ: Mapping[str, str] | None = None) -> "FastAPI":
    """`ketnap serve`: the web application, with the reminder scheduler running in it when `scheduler`.

    Raises:
        SessionSecretMissing: no KETNAP_SESSION_SECRET where one is required.
    """
    from workflow.web.app import create_app
    from workflow.web.background import ServedScheduler

    env = os.environ if environ is None else environ
    # The organisation tree is read before the server accepts a request: a cold server's first page read the
    # nation's log for 12 s, and 32 at once for 71 s (issue 14). Later changes are read by the first caller.
    app.organisations.tree()
    background = [ServedScheduler.of(reminders_for(app, environ=env), app.clock)] if scheduler else []
    return create_app(app, environ=env, background=background)
