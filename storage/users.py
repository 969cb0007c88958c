"""Reading and writing users, their scopes and API tokens (SQLAlchemy Core, like storage/organisations.py)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.engine import Dialect

from storage import driver_sql, user_history
from storage.driver_sql import DriverStatement
from storage.user_tables import ApiTokenRow, UserRow, UserScopeRow
from storage.web_sessions import SESSIONS, StoredSession

USERS = UserRow.__table__  # type: ignore[attr-defined]
SCOPES = UserScopeRow.__table__  # type: ignore[attr-defined]
TOKENS = ApiTokenRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: str
    password_hash: str | None
    active: bool
    orgs: tuple[str, ...]  # the roots of the subtrees the user may see
    must_change_password: bool = False  # signed in with a temporary password: may only change it


@dataclass(frozen=True)
class Token:
    id: int
    user_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None  # as stored; NULL for tokens older than expiry (workflow/accounts.py reads it)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; every one stored here is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _token(r: object) -> Token:
    m = r._mapping  # type: ignore[attr-defined]
    created = _aware(m["created_at"])
    assert created is not None
    return Token(int(m["id"]), int(m["user_id"]), m["label"], created, _aware(m["revoked_at"]),
                 _aware(m["expires_at"]))


def _scopes(conn: Connection, user_id: int) -> tuple[str, ...]:
    rows = conn.execute(select(SCOPES.c.org_code).where(SCOPES.c.user_id == user_id).order_by(SCOPES.c.org_code))
    return tuple(r[0] for r in rows)


def _user(conn: Connection, row: object | None) -> User | None:
    if row is None:
        return None
    m = row._mapping  # type: ignore[attr-defined]
    return User(m["id"], m["username"], m["full_name"], m["role"], m["password_hash"], bool(m["active"]),
                _scopes(conn, m["id"]), bool(m["must_change_password"]))


def by_username(conn: Connection, username: str) -> User | None:
    return _user(conn, conn.execute(select(USERS).where(USERS.c.username == username)).first())


def by_id(conn: Connection, user_id: int) -> User | None:
    return _user(conn, conn.execute(select(USERS).where(USERS.c.id == user_id)).first())


def all_users(conn: Connection) -> list[User]:
    rows = conn.execute(select(USERS).order_by(USERS.c.username)).all()
    return [u for u in (_user(conn, r) for r in rows) if u is not None]


def add(conn: Connection, username: str, full_name: str, role: str, password_hash: str | None,
        orgs: Sequence[str], now: datetime, *, must_change_password: bool = False) -> int:
    key = conn.execute(USERS.insert().values(username=username, full_name=full_name, role=role,
                                             password_hash=password_hash, active=True, created_at=now,
                                             must_change_password=must_change_password)
                       ).inserted_primary_key
    assert key is not None
    user_id = key[0]
    conn.execute(SCOPES.insert(), [{"user_id": user_id, "org_code": code} for code in dict.fromkeys(orgs)])
    user_history.record(conn, int(user_id), now, role, orgs, True, "created")
    return int(user_id)


def set_active(conn: Connection, user_id: int, active: bool, now: datetime) -> None:
    """The change and its row of the user's dated history (storage/user_history.py), in the caller's
    transaction."""
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(active=active))
    user_history.record_current(conn, user_id, now, "active")


def reassign(conn: Connection, user_id: int, role: str, orgs: Sequence[str], now: datetime) -> None:
    """Give the user another role or other organisations, with the row of their dated history saying which."""
    before = by_id(conn, user_id)
    assert before is not None, f"no user {user_id}"
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(role=role))
    conn.execute(SCOPES.delete().where(SCOPES.c.user_id == user_id))
    conn.execute(SCOPES.insert(), [{"user_id": user_id, "org_code": code} for code in dict.fromkeys(orgs)])
    changed = [what for what, differs in (("role", before.role != role),
                                          ("orgs", set(before.orgs) != set(orgs))) if differs]
    user_history.record(conn, user_id, now, role, orgs, before.active, ",".join(changed) or "none")


def set_password(conn: Connection, user_id: int, password_hash: str, *, must_change: bool = False) -> None:
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(password_hash=password_hash,
                                                                   must_change_password=must_change))


def add_token(conn: Connection, user_id: int, token_hash: str, label: str, now: datetime,
              expires_at: datetime | None = None) -> int:
    key = conn.execute(TOKENS.insert().values(user_id=user_id, token_hash=token_hash, label=label,
                                              created_at=now, expires_at=expires_at)).inserted_primary_key
    assert key is not None
    return int(key[0])


# Every API request looks its token up: one join and the user's scopes, as driver statements (storage/driver_sql.py).
_TOKEN_USER = (TOKENS.c.id, TOKENS.c.user_id, TOKENS.c.label, TOKENS.c.created_at, TOKENS.c.revoked_at,
               TOKENS.c.expires_at, USERS.c.username, USERS.c.full_name, USERS.c.role, USERS.c.password_hash,
               USERS.c.active, USERS.c.must_change_password)


def _token_user_statement(dialect: Dialect) -> DriverStatement:
    query = (select(*_TOKEN_USER).join_from(TOKENS, USERS, TOKENS.c.user_id == USERS.c.id)
             .where(TOKENS.c.token_hash == bindparam("token_hash"), TOKENS.c.revoked_at.is_(None)))
    return DriverStatement(query, dialect, result_types=[c.type for c in _TOKEN_USER])


def _scopes_statement(dialect: Dialect) -> DriverStatement:
    query = select(SCOPES.c.org_code).where(SCOPES.c.user_id == bindparam("user_id")).order_by(SCOPES.c.org_code)
    return DriverStatement(query, dialect)


def user_of_token(conn: Connection, token_hash: str) -> tuple[User, Token] | None:
    """The active user owning an unrevoked token with this hash, with the token (its expiry is the caller's to
    judge); or None."""
    rows = driver_sql.statement(conn, "api_token.user", _token_user_statement).rows(conn, {"token_hash": token_hash})
    if not rows:
        return None
    (token_id, user_id, label, created, revoked, expires, username, full_name, role, password_hash, active,
     must_change) = rows[0]
    if not active:
        return None
    scopes = driver_sql.statement(conn, "user_scope.of", _scopes_statement).rows(conn, {"user_id": user_id})
    user = User(int(user_id), username, full_name, role, password_hash, bool(active), tuple(r[0] for r in scopes),
                bool(must_change))
    created_at = _aware(created)
    assert created_at is not None
    return user, Token(int(token_id), int(user_id), label, created_at, _aware(revoked), _aware(expires))


# Every page looks its session up: the same, one join and the user's scopes, as driver statements (issue 14).
_SESSION_USER = (SESSIONS.c.id, SESSIONS.c.user_id, SESSIONS.c.created_at, SESSIONS.c.last_seen_at,
                 SESSIONS.c.ended_at, USERS.c.username, USERS.c.full_name, USERS.c.role, USERS.c.password_hash,
                 USERS.c.active, USERS.c.must_change_password)


def _session_user_statement(dialect: Dialect) -> DriverStatement:
    query = (select(*_SESSION_USER).join_from(SESSIONS, USERS, SESSIONS.c.user_id == USERS.c.id)
             .where(SESSIONS.c.id_hash == bindparam("id_hash")))
    return DriverStatement(query, dialect, result_types=[c.type for c in _SESSION_USER])


def user_of_session(conn: Connection, id_hash: str) -> tuple[StoredSession, User | None] | None:
    """The session with this hash and, while it is open and its user active, the user (None otherwise); None
    for an unknown session."""
    rows = driver_sql.statement(conn, "web_session.user", _session_user_statement).rows(conn, {"id_hash": id_hash})
    if not rows:
        return None
    (session_id, user_id, created, last_seen, ended, username, full_name, role, password_hash, active,
     must_change) = rows[0]
    created_at, last_seen_at = _aware(created), _aware(last_seen)
    assert created_at is not None and last_seen_at is not None
    session = StoredSession(int(session_id), int(user_id), created_at, last_seen_at, _aware(ended))
    if ended is not None or not active:
        return session, None
    scopes = driver_sql.statement(conn, "user_scope.of", _scopes_statement).rows(conn, {"user_id": user_id})
    return session, User(int(user_id), username, full_name, role, password_hash, bool(active),
                         tuple(r[0] for r in scopes), bool(must_change))


def tokens_of(conn: Connection, user_id: int) -> list[Token]:
    rows = conn.execute(select(TOKENS).where(TOKENS.c.user_id == user_id).order_by(TOKENS.c.id))
    return [_token(r) for r in rows]


def revoke_tokens_of(conn: Connection, user_id: int, now: datetime) -> int:
    """Revoke every unrevoked token of the user (a deactivation); how many."""
    result = conn.execute(update(TOKENS).where(TOKENS.c.user_id == user_id, TOKENS.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return int(result.rowcount)


def revoke_token(conn: Connection, token_id: int, now: datetime) -> bool:
    """Revoke the token; False when there is no such token or it was already revoked."""
    result = conn.execute(update(TOKENS).where(TOKENS.c.id == token_id, TOKENS.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return bool(result.rowcount)


def token_owner(conn: Connection, token_id: int) -> int | None:
    row = conn.execute(select(TOKENS.c.user_id).where(TOKENS.c.id == token_id)).first()
    return int(row[0]) if row else None
