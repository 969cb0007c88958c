"""What `ketnap serve` runs: the web application with the reminder scheduler in the same process.

The CLI reaches the web only through this function, so neither entry point imports the other (issue 18);
the web modules are imported when a server starts, not when the CLI does.
"""

from typing import TYPE_CHECKING

from workflow.service import Ketnap

if TYPE_CHECKING:
    from fastapi import FastAPI


def web_application(app: Ketnap, *, scheduler: bool) -> "FastAPI":
    """The HTTP API and the web pages for `app`, with the reminder scheduler started and stopped with them.

    Raises:
        SessionSecretMissing: in production without KETNAP_SESSION_SECRET.
    """
    from workflow.web.app import create_app
    from workflow.web.background import ServedScheduler

    return create_app(app, background=[ServedScheduler.for_app(app)] if scheduler else [])
