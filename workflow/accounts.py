"""Accounts: adding users, checking passwords (argon2) and issuing or revoking API tokens.

Passwords are hashed with argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane: about 60 ms on a
2-core server, so a burst of sign-ins cannot starve it). A token is 32 random bytes, shown once and stored
as its SHA-256: enough for a secret of that entropy, and every API request finds its token with one
indexed look-up.
"""

import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from states.errors import ProcedureError
from storage import organisations, users
from storage.users import Token, User
from workflow.access import Principal, Role
from workflow.passwords import check_password
from workflow.service import Ketnap

TOKEN_PREFIX = "kn_"
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Checking an unknown user's password against this costs as much as a real check: no timing oracle."""
    return _HASHER.hash("not a password of anyone")


class AccountError(ProcedureError):
    """A user or token could not be added or changed; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once; only its hash is stored


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
             full_name: str = "", *, enforce_policy: bool = True) -> User:
    """`enforce_policy=False` only for the demo's published password (workflow/demo.py), never for input.

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
            user_id = users.add(tx.conn, username, name, role, digest, orgs, app.clock.now())
        except IntegrityError as err:
            raise AccountError(f"user {username!r} could not be added: {err.orig}") from None
        user = users.by_id(tx.conn, user_id)
    assert user is not None
    return user


def set_password(app: Ketnap, username: str, password: str) -> None:
    """Raises: AccountError (no such user), WeakPassword."""
    check_password(password, app.settings.web.min_password_length)
    digest = hash_password(password)
    with app.uow.transaction() as tx:
        user = users.by_username(tx.conn, username)
        if user is None:
            raise AccountError(f"no user {username!r}")
        users.set_password(tx.conn, user.id, digest)


def authenticate(app: Ketnap, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    with app.uow.reading() as tx:
        user = users.by_username(tx.conn, username.strip())
    ok = password_matches(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def create_token(app: Ketnap, username: str, label: str = "") -> IssuedToken:
    """Raises: AccountError when the user does not exist."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with app.uow.transaction() as tx:
        user = users.by_username(tx.conn, username)
        if user is None:
            raise AccountError(f"no user {username!r}")
        token_id = users.add_token(tx.conn, user.id, token_hash(token), label or "api", app.clock.now())
    return IssuedToken(token_id, token)


def revoke_token(app: Ketnap, token_id: int) -> None:
    """Raises: AccountError when there is no such unrevoked token."""
    with app.uow.transaction() as tx:
        if not users.revoke_token(tx.conn, token_id, app.clock.now()):
            raise AccountError(f"no active token with id {token_id}")


def user_for_token(app: Ketnap, token: str) -> tuple[User, int] | None:
    """The token's user and the token's id, when the token is known, unrevoked and its user active."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with app.uow.reading() as tx:
        return users.user_of_token(tx.conn, token_hash(token))


def tokens(app: Ketnap, user_id: int) -> list[Token]:
    with app.uow.reading() as tx:
        return users.tokens_of(tx.conn, user_id)


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
