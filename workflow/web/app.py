"""The FastAPI application: the JSON API under /api (OpenAPI at /docs) and the server-rendered pages.

Built by `create_app(ketnap, settings)`; nothing is created at import time. Background services (the reminder
scheduler) are handed in by `ketnap serve` and started and stopped with the application.
"""

import logging
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from states.errors import ProcedureError
from storage.errors import ConcurrencyConflictError, IdempotencyKeyReused, StorageUnavailable
from storage.paging import BadCursor
from workflow.access import AccessDenied, NotSignedIn, OutOfScope
from workflow.audit.verify import UnknownOrganisation
from workflow.config import WebSettings
from workflow.service import Ketnap
from workflow.web import access_pages, api, org_api, org_pages, pages, report_pages, rules_page
from workflow.web.api import Json
from workflow.web.context import PASSWORD_PAGE, WebState
from workflow.web.errors import api_error
from workflow.web.reads import SharedReads
from workflow.web.sessions import SessionCodec, session_secret
from workflow.web.templating import install_filters

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


class Background(Protocol):
    """Something that runs beside the web server in the same process (the scheduler)."""

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


def create_app(ketnap: Ketnap, settings: WebSettings | None = None, *, environ: Mapping[str, str],
               background: Sequence[Background] = ()) -> FastAPI:
    """The web application for `ketnap`; `environ` supplies KETNAP_SESSION_SECRET (workflow/bootstrap.py passes
    the process environment)."""
    web = settings or ketnap.settings.web
    secret = session_secret(environ)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    install_filters(templates.env)
    templates.env.auto_reload = False  # templates change with a release, not under a running server: no stat per page

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for service in background:
            service.start()
        try:
            yield
        finally:
            for service in reversed(background):
                service.shutdown()

    app = FastAPI(title="ketnap", version="0.1.0", lifespan=lifespan, default_response_class=Json, docs_url=None,
                  description="Admission into the Communist Party of Vietnam (kết nạp đảng viên): record steps, "
                              "see what is due, replay any history. Authenticate with `Authorization: Bearer "
                              "<token>` (`ketnap token create USERNAME`).")
    app.state.web = WebState(ketnap, web, SessionCodec(secret, web.session_hours * 3600), templates,
                             threading.BoundedSemaphore(web.reports_at_once))
    app.include_router(api.router)
    app.include_router(org_api.router)
    app.include_router(pages.router)
    app.include_router(org_pages.router)
    app.include_router(report_pages.router)
    app.include_router(rules_page.router)
    app.include_router(access_pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _install_docs(app)
    _install_error_handlers(app)
    app.add_middleware(SharedReads)
    return app


def _install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle package, so it works on a network without the internet
    (FastAPI's default page loads it from a CDN, which is the fallback)."""
    try:
        from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]
    except ImportError:
        local = False
    else:
        app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
        local = True

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if not local:
            return get_swagger_ui_html(openapi_url="/openapi.json", title="ketnap API")
        return get_swagger_ui_html(openapi_url="/openapi.json", title="ketnap API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api", "/docs")) or request.url.path == "/openapi.json"


def _install_error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        if not _is_api(request):
            if isinstance(exc, NotSignedIn):
                return RedirectResponse(pages.login_url(request), status_code=303)
            if isinstance(exc, AccessDenied) and exc.code == "password_change_required":
                return RedirectResponse(PASSWORD_PAGE, status_code=303)
            return pages.error_page(request, exc)
        error = api_error(exc)
        if error is None:
            logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
            return Json({"code": "internal_error", "message": "an unexpected error; it was logged",
                         "violations": []}, status_code=500)
        return Json(error.doc(), status_code=error.status, headers=error.headers())

    # Each kind a client can cause is handled where Starlette stops it; `Exception` is the last resort (500).
    handled: list[type[Exception]] = [ProcedureError, ConcurrencyConflictError, IdempotencyKeyReused, AccessDenied,
                                      OutOfScope, StorageUnavailable, BadCursor,
                                      UnknownOrganisation, NotSignedIn, RequestValidationError, HTTPException,
                                      Exception]
    for kind in handled:
        app.add_exception_handler(kind, handle)
