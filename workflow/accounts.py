"""Accounts: adding users, checking passwords (argon2) and issuing or revoking API tokens.

Passwords are hashed with argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane: about 60 ms on a
2-core server, so a burst of sign-ins cannot starve it). A token is 32 random bytes, shown once and stored
as its SHA-256: enough for a secret of that entropy, and every API request finds its token with one
indexed look-up.
"""

import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from storage import organisations, users, web_sessions
from storage.unit_of_work import Transaction
from storage.users import Token, User
from workflow.access import NotSignedIn, Principal, Role
from workflow.errors import AccountError as AccountError  # re-exported: its home is workflow/errors.py (no tables)
from workflow.passwords import check_password
from workflow.service import Ketnap

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "kn_"
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied from a screen
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Checking an unknown user's password against this costs as much as a real check: no timing oracle."""
    return _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once; only its hash is stored
    expires_at: datetime | None = None


def temporary_password() -> str:
    """Four groups of four letters and digits (about 79 bits): shown once, changed at the first sign-in."""
    return "-".join("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))


def hash_password(password: str) -> str:
    return _HASHER.hash(unicodedata.normalize("NFC", password))


def password_matches(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy_hash(), unicodedata.normalize("NFC", password)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(app: Ketnap, username: str, role: str, orgs: Sequence[str], password: str | None = None,
             full_name: str = "", *, enforce_policy: bool = True, must_change: bool = False) -> User:
    """A password is given here only by the demo (its published one, `enforce_policy=False`) and by
    `add_user_with_temporary_password`: no entry point lets anyone choose another person's password.

    Raises: AccountError (unknown role or organisation, taken username), WeakPassword.
    """
    if role not in {r.value for r in Role}:
        raise AccountError(f"role must be one of {', '.join(r.value for r in Role)}")
    if not orgs:
        raise AccountError("a user needs at least one organisation (--org)")
    if password is not None and enforce_policy:
        check_password(password, app.settings.web.min_password_length)
    name = unicodedata.normalize("NFC", (full_name or username).strip())
    digest = hash_password(password) if password is not None else None
    with app.uow.transaction() as tx:
        missing = [code for code in orgs if organisations.get(tx.conn, code) is None]
        if missing:
            raise AccountError(f"no organisation with code {', '.join(map(repr, missing))}")
        if users.by_username(tx.conn, username) is not None:
            raise AccountError(f"user {username!r} already exists")
        try:
            user_id = users.add(tx.conn, username, name, role, digest, orgs, app.clock.now(),
                                must_change_password=must_change)
        except IntegrityError as err:
            raise AccountError(f"user {username!r} could not be added: {err.orig}") from None
        user = users.by_id(tx.conn, user_id)
    assert user is not None
    return user


def add_user_with_temporary_password(app: Ketnap, username: str, role: str, orgs: Sequence[str],
                                     full_name: str = "", *, sign_in: bool = True) -> tuple[User, str | None]:
    """What an admin (or the CLI) adds: the user gets a temporary password, shown once, that leads only to
    choosing their own (break 10); `sign_in=False` makes an API-only account with no password at all.

    Raises: AccountError, as `add_user`.
    """
    temporary = temporary_password() if sign_in else None
    return add_user(app, username, role, orgs, temporary, full_name, must_change=sign_in), temporary


def _user_named(conn: Connection, username: str) -> User:
    user = users.by_username(conn, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def set_password(app: Ketnap, username: str, password: str, *, keep_session: int | None = None) -> None:
    """The user's own new password (the change-password page, the API, tests): clears `must_change_password` and
    ends every session of the user but `keep_session` (the one that changed it).

    Raises: AccountError (no such user), WeakPassword.
    """
    check_password(password, app.settings.web.min_password_length)
    digest = hash_password(password)
    with app.uow.transaction() as tx:
        user = _user_named(tx.conn, username)
        users.set_password(tx.conn, user.id, digest)
        ended = web_sessions.end_all(tx.conn, user.id, app.clock.now(), "password_changed", keep=keep_session)
    logger.info("password of %r changed; %d other session(s) ended", username, ended)


def change_own_password(app: Ketnap, user: User, new: str, keep_session: int | None) -> None:
    """After the caller checked the current password (workflow/throttle.check_current_password).

    Raises: AccountError (the new password is the current one), WeakPassword.
    """
    if password_matches(user.password_hash, new):
        raise AccountError("the new password must differ from the current one")
    set_password(app, user.username, new, keep_session=keep_session)


def reset_password(app: Ketnap, username: str) -> str:
    """A temporary password for the user (shown once), to be changed at the next sign-in; ends their sessions.

    Raises: AccountError (no such user).
    """
    temporary = temporary_password()
    digest = hash_password(temporary)
    with app.uow.transaction() as tx:
        user = _user_named(tx.conn, username)
        users.set_password(tx.conn, user.id, digest, must_change=True)
        web_sessions.end_all(tx.conn, user.id, app.clock.now(), "password_reset")
    logger.warning("temporary password issued for %r; their sessions ended", username)
    return temporary


@dataclass(frozen=True)
class Deactivated:
    sessions: int  # sessions ended
    tokens: int  # tokens revoked


def set_active(app: Ketnap, username: str, active: bool) -> Deactivated:
    """Deactivate (end every session, revoke every token: reactivating brings none back) or reactivate.

    Raises: AccountError (no such user, or already in that state).
    """
    now = app.clock.now()
    with app.uow.transaction() as tx:
        user = _user_named(tx.conn, username)
        if user.active == active:
            raise AccountError(f"user {username!r} is already {'active' if active else 'deactivated'}")
        users.set_active(tx.conn, user.id, active, now)
        if active:
            return Deactivated(0, 0)
        done = Deactivated(web_sessions.end_all(tx.conn, user.id, now, "deactivated"),
                           users.revoke_tokens_of(tx.conn, user.id, now))
    logger.warning("user %r deactivated: %d session(s) ended, %d token(s) revoked", username, done.sessions,
                   done.tokens)
    return done


def authenticate(app: Ketnap, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    with app.uow.reading() as tx:
        user = users.by_username(tx.conn, username.strip())
    ok = password_matches(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def create_token(app: Ketnap, username: str, label: str = "", days: int | None = None) -> IssuedToken:
    """A token that expires after `days` (default `web.token_days`).

    Raises: AccountError when the user does not exist or `days` is not positive.
    """
    if days is not None and not 1 <= days <= 3650:
        raise AccountError("a token lasts from 1 to 3650 days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = app.clock.now()
    expires_at = now + timedelta(days=days or app.settings.web.token_days)
    with app.uow.transaction() as tx:
        user = _user_named(tx.conn, username)
        token_id = users.add_token(tx.conn, user.id, token_hash(token), label or "api", now, expires_at)
    return IssuedToken(token_id, token, expires_at)


def _with_expiry(app: Ketnap, token: Token) -> Token:
    """A token made before expiry existed (NULL) expires `web.token_days` after it was made."""
    if token.expires_at is not None:
        return token
    return replace(token, expires_at=token.created_at + timedelta(days=app.settings.web.token_days))


def revoke_token(app: Ketnap, token_id: int) -> None:
    """Raises: AccountError when there is no such unrevoked token."""
    with app.uow.transaction() as tx:
        if not users.revoke_token(tx.conn, token_id, app.clock.now()):
            raise AccountError(f"no active token with id {token_id}")


def user_for_token(app: Ketnap, token: str, tx: Transaction | None = None) -> tuple[User, int] | None:
    """The token's user and the token's id, when the token is known, unrevoked and its user active; read in
    `tx` when given (the request's one read transaction), else in one of its own.

    Raises: NotSignedIn (`token_expired`) when it is all that but past its expiry.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    if tx is not None:
        found = users.user_of_token(tx.conn, token_hash(token))
    else:
        with app.uow.reading() as own:
            found = users.user_of_token(own.conn, token_hash(token))
    if found is None:
        return None
    user, stored = found
    expires_at = _with_expiry(app, stored).expires_at
    if expires_at is not None and app.clock.now() >= expires_at:
        raise NotSignedIn("token_expired", f"the token expired on {expires_at:%Y-%m-%d %H:%M} UTC: ask for a new "
                          "one (`ketnap token create`, POST /api/tokens)")
    return user, stored.id


def tokens(app: Ketnap, user_id: int) -> list[Token]:
    """The user's tokens, each with its expiry (computed for tokens made before expiry existed)."""
    with app.uow.reading() as tx:
        return [_with_expiry(app, t) for t in users.tokens_of(tx.conn, user_id)]


def all_users(app: Ketnap) -> list[User]:
    with app.uow.reading() as tx:
        return users.all_users(tx.conn)


def token_owner(app: Ketnap, token_id: int) -> int | None:
    with app.uow.reading() as tx:
        return users.token_owner(tx.conn, token_id)


def admin_over(app: Ketnap, who: Principal, user_id: int) -> bool:
    """An admin manages the users whose every organisation lies within the admin's own."""
    with app.uow.reading() as tx:
        user = users.by_id(tx.conn, user_id)
    return who.role is Role.ADMIN and user is not None and set(user.orgs) <= who.scope
