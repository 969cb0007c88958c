"""Server-side sessions of the web interface (issue 11, break 2): start one at sign-in, find it on each request,
end it at sign-out; a password change or a deactivation ends all of a user's (workflow/accounts.py).

The cookie (workflow/web/sessions.py) carries a random id; only its SHA-256 is stored, so a copy of the table
signs nobody in. A session ends after `web.session_idle_minutes` without a request and `web.session_hours` after
sign-in, whichever comes first. `last_seen_at` is written at most every `web.session_touch_seconds`, so reading
pages does not write on every request; the idle timeout may therefore end a session up to that much early.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from storage import users, web_sessions
from storage.users import User
from workflow import accounts, throttle
from workflow.service import Ketnap

logger = logging.getLogger(__name__)

SIGNED_OUT, IDLE, ABSOLUTE = "signed_out", "idle", "absolute"


@dataclass(frozen=True)
class LiveSession:
    id: int  # the row's id (never the secret one in the cookie)
    user: User


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(app: Ketnap, user_id: int) -> str:
    """A new session for the user; returns its id, for the cookie only."""
    session_id = secrets.token_urlsafe(32)
    with app.uow.transaction() as tx:
        web_sessions.start(tx.conn, id_hash(session_id), user_id, app.clock.now())
    return session_id


def current(app: Ketnap, session_id: str) -> LiveSession | None:
    """The session with this id and its active user, or None when it is unknown, ended or timed out (a timed-out
    session is ended here, with its reason)."""
    s, now = app.settings.web, app.clock.now()
    with app.uow.reading() as tx:  # in a web request that reads, the request's one transaction (issue 14)
        row = users.user_of_session(tx.conn, id_hash(session_id))
    found, user = row if row is not None else (None, None)
    if found is None or user is None:  # unknown, ended, or its user deactivated
        return None
    expired = (ABSOLUTE if now >= found.created_at + timedelta(hours=s.session_hours) else
               IDLE if now >= found.last_seen_at + timedelta(minutes=s.session_idle_minutes) else None)
    if expired is not None:
        _best_effort(app, lambda conn: web_sessions.end(conn, found.id, now, expired))
        return None
    if now >= found.last_seen_at + timedelta(seconds=s.session_touch_seconds):
        _best_effort(app, lambda conn: web_sessions.touch(conn, found.id, now))
    return LiveSession(found.id, user)


def _best_effort(app: Ketnap, write: Callable[[Connection], object]) -> None:
    """Bookkeeping on a read: when a long writer holds the database, the request goes on and the next one
    writes it (a timed-out session is refused all the same)."""
    try:
        with app.uow.transaction() as tx:
            write(tx.conn)
    except OperationalError as err:
        logger.info("session bookkeeping postponed: %s", err.orig)


def end(app: Ketnap, session_id: str, reason: str = SIGNED_OUT) -> None:
    """End the session with this id, if it is open."""
    with app.uow.transaction() as tx:
        found = web_sessions.find(tx.conn, id_hash(session_id))
        if found is not None:
            web_sessions.end(tx.conn, found.id, app.clock.now(), reason)


def change_password(app: Ketnap, user: User, current_password: str, new_password: str, address: str | None,
                    keep_session: int | None) -> None:
    """A signed-in user's own change: the current password is checked like a sign-in (throttled), the new one
    against the policy; every other session of the user ends, `keep_session` (the one asking) stays.

    Raises:
        SignInThrottled; AccessDenied (`wrong_password`); WeakPassword; AccountError (new = current).
    """
    throttle.check_current_password(app, user, current_password, address)
    accounts.change_own_password(app, user, new_password, keep_session)
