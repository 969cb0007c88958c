"""What every request shares: the app's state, the session, and who is asking (by token or by session)."""

import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from workflow import sessions
from workflow.access import AccessDenied, NotSignedIn, Principal
from workflow.config import WebSettings
from workflow.scoped import ScopedKetnap, principal_for, token_principal
from workflow.service import Ketnap
from workflow.web.sessions import COOKIE, Session, SessionCodec

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
PASSWORD_PAGE, PASSWORD_API = "/password", "/api/me/password"
# what a user with a temporary password may reach: changing it (and, on the API, reading who they are)
UNTIL_PASSWORD_CHANGED = frozenset({PASSWORD_PAGE, PASSWORD_API, "/api/me", "/logout"})


@dataclass
class WebState:
    ketnap: Ketnap
    settings: WebSettings
    sessions: SessionCodec
    templates: Jinja2Templates
    # Reports built at once by this process (`web.reports_at_once`); more requests wait their turn. A report holds
    # every admission of its subtree while it is built, and the process keeps the memory of its busiest moment
    # (the allocator does not give it back): 16 province reports at once left a server at 183 MiB, one at a time
    # at 130 MiB (8,000 candidates). Building is mostly Python under the GIL, so more at once are not faster.
    building_reports: threading.BoundedSemaphore


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def session_of(request: Request) -> Session | None:
    """The request's signed cookie, verified once per request (a page asks for its session and its CSRF token)."""
    if not hasattr(request.state, "cookie_session"):
        request.state.cookie_session = state_of(request).sessions.load(request.cookies.get(COOKIE))
    found: Session | None = request.state.cookie_session
    return found


def live_session(request: Request) -> sessions.LiveSession | None:
    """The request's open session in the database (looked up once per request), or None."""
    if not hasattr(request.state, "live_session"):
        session = session_of(request)
        found = None
        if session is not None and session.session_id is not None:
            found = sessions.current(state_of(request).ketnap, session.session_id)
        request.state.live_session = found
    live: sessions.LiveSession | None = request.state.live_session
    return live


def session_principal(request: Request) -> Principal | None:
    live = live_session(request)
    return None if live is None else principal_for(state_of(request).ketnap, live.user, "session")


def require_own_password(request: Request, who: Principal) -> None:
    """A user signed in with a temporary password reaches only the change-password page (and route).

    Raises: AccessDenied (`password_change_required`; pages turn it into a redirect to /password).
    """
    if who.via == "session" and who.user.must_change_password and request.url.path not in UNTIL_PASSWORD_CHANGED:
        raise AccessDenied("password_change_required", "choose your own password first (the temporary one "
                           f"leads only to {PASSWORD_PAGE}, or {PASSWORD_API} on the API)")


bearer = HTTPBearer(auto_error=False, description="An API token from `ketnap token create USERNAME`.")


def api_principal(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The caller of an API route: a bearer token, or a browser session that sends its CSRF token on writes.

    Raises:
        NotSignedIn.
    """
    app = state_of(request).ketnap
    if credentials is not None:
        found = token_principal(app, credentials.credentials)
        if found is None:
            raise NotSignedIn("invalid_token", "the token is unknown, revoked, or its user is inactive")
        return found
    if request.headers.get("authorization"):
        raise NotSignedIn("invalid_token", "send the token as 'Authorization: Bearer <token>'")
    who = session_principal(request)
    if who is None:
        raise NotSignedIn()
    session = session_of(request)
    if request.method not in SAFE_METHODS and (session is None or not session.csrf_ok(
            request.headers.get(CSRF_HEADER))):
        raise NotSignedIn("csrf_failed", f"a write with a session cookie needs the {CSRF_HEADER} header")
    require_own_password(request, who)
    return who


# The dependencies below do no I/O: `async def` runs them on the event loop. A sync one would cost a hop to the
# thread pool and back each (FastAPI runs every sync dependency in its own hop), more than what it does (issue 19).

async def scoped(request: Request, who: Annotated[Principal, Depends(api_principal)]) -> ScopedKetnap:
    return ScopedKetnap(state_of(request).ketnap, who)


def writer(request: Request, credentials: HTTPAuthorizationCredentials | None) -> ScopedKetnap:
    """`scoped_writer` called by a route that reads its caller in the same thread-pool hop as its work (the step:
    one hop, not two, issue 19); the route calls it before it validates the body.

    Raises: NotSignedIn, AccessDenied.
    """
    who = api_principal(request, credentials)
    who.require_writer()
    return ScopedKetnap(state_of(request).ketnap, who)


async def scoped_writer(request: Request, who: Annotated[Principal, Depends(api_principal)]) -> ScopedKetnap:
    """Runs before the body is read, so an auditor's write is refused whatever it sends.

    Raises: AccessDenied.
    """
    who.require_writer()
    return ScopedKetnap(state_of(request).ketnap, who)
