"""What every request shares: the app's state, the session, and who is asking (by token or by session)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from storage import users
from workflow import accounts
from workflow.access import NotSignedIn, Principal
from workflow.config import WebSettings
from workflow.service import Ketnap
from workflow.web.scoped import ScopedKetnap, principal_for
from workflow.web.sessions import COOKIE, Session, SessionCodec

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"


@dataclass
class WebState:
    ketnap: Ketnap
    settings: WebSettings
    sessions: SessionCodec
    templates: Jinja2Templates


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def session_of(request: Request) -> Session | None:
    return state_of(request).sessions.load(request.cookies.get(COOKIE))


def session_principal(request: Request) -> Principal | None:
    session = session_of(request)
    if session is None or session.user_id is None:
        return None
    app = state_of(request).ketnap
    with app.uow.reading() as tx:
        user = users.by_id(tx.conn, session.user_id)
    if user is None or not user.active:
        return None
    return principal_for(app, user, "session")


bearer = HTTPBearer(auto_error=False, description="An API token from `ketnap token create USERNAME`.")


def api_principal(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The caller of an API route: a bearer token, or a browser session that sends its CSRF token on writes.

    Raises:
        NotSignedIn.
    """
    app = state_of(request).ketnap
    if credentials is not None:
        found = accounts.user_for_token(app, credentials.credentials)
        if found is None:
            raise NotSignedIn("invalid_token", "the token is unknown, revoked, or its user is inactive")
        user, token_id = found
        return principal_for(app, user, "token", token_id)
    if request.headers.get("authorization"):
        raise NotSignedIn("invalid_token", "send the token as 'Authorization: Bearer <token>'")
    who = session_principal(request)
    if who is None:
        raise NotSignedIn()
    session = session_of(request)
    if request.method not in SAFE_METHODS and (session is None or not session.csrf_ok(
            request.headers.get(CSRF_HEADER))):
        raise NotSignedIn("csrf_failed", f"a write with a session cookie needs the {CSRF_HEADER} header")
    return who


def scoped(request: Request, who: Annotated[Principal, Depends(api_principal)]) -> ScopedKetnap:
    return ScopedKetnap(state_of(request).ketnap, who)


def writer(who: Annotated[Principal, Depends(api_principal)]) -> Principal:
    """Runs before the body is read, so an auditor's write is refused whatever it sends.

    Raises: AccessDenied.
    """
    who.require_writer()
    return who


def scoped_writer(request: Request, who: Annotated[Principal, Depends(writer)]) -> ScopedKetnap:
    return ScopedKetnap(state_of(request).ketnap, who)
