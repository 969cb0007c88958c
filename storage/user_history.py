"""Reading and writing the users' dated history (storage/user_history_tables.py): a row is added in the same
transaction as every change of a user's role, organisations or active flag, and never changed afterwards."""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from storage import users
from storage.user_history_tables import UserHistoryRow
from storage.user_tables import UserRow

HISTORY = UserHistoryRow.__table__  # type: ignore[attr-defined]
USERS = UserRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Held:
    """What a user held from `valid_from` on: their role, the roots of their organisations, whether active."""

    valid_from: datetime
    role: str
    orgs: tuple[str, ...]
    active: bool


@dataclass
class UserHistory:
    """Every user's history by username, read once (an audit asks for the actor of every event)."""

    by_username: dict[str, list[Held]] = field(default_factory=dict)
    _starts: dict[str, list[datetime]] = field(default_factory=dict)

    def held(self, username: str, at: datetime) -> Held | None:
        """What `username` held at `at`; None when no user had that name then (an operator of the CLI, an
        import, the demo, or a user added later)."""
        spells = self.by_username.get(username)
        if spells is None:
            return None
        starts = self._starts.get(username)
        if starts is None:
            starts = self._starts[username] = [h.valid_from for h in spells]
        index = bisect_right(starts, at)
        return spells[index - 1] if index else None


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def record(conn: Connection, user_id: int, now: datetime, role: str, orgs: Sequence[str], active: bool,
           change: str) -> None:
    """Add what the user holds from `now` on; `change` says what changed (created, role, orgs, active)."""
    conn.execute(HISTORY.insert().values(user_id=user_id, valid_from=now, role=role, orgs=sorted(set(orgs)),
                                         active=active, change=change))


def record_current(conn: Connection, user_id: int, now: datetime, change: str) -> None:
    """Add the user's row as the user tables hold it now: called after changing them, in the same transaction."""
    user = users.by_id(conn, user_id)
    assert user is not None, f"no user {user_id}"
    record(conn, user_id, now, user.role, user.orgs, user.active, change)


def of_user(conn: Connection, user_id: int) -> list[Held]:
    rows = conn.execute(select(HISTORY).where(HISTORY.c.user_id == user_id)
                        .order_by(HISTORY.c.valid_from, HISTORY.c.id))
    return [Held(_aware(r.valid_from), r.role, tuple(r.orgs), bool(r.active)) for r in rows]


def load(conn: Connection) -> UserHistory:
    """Every user's history in one query, each in the order it holds."""
    rows = conn.execute(select(USERS.c.username, HISTORY.c.valid_from, HISTORY.c.role, HISTORY.c.orgs,
                               HISTORY.c.active)
                        .join(USERS, USERS.c.id == HISTORY.c.user_id)
                        .order_by(HISTORY.c.user_id, HISTORY.c.valid_from, HISTORY.c.id))
    found = UserHistory()
    for r in rows:
        found.by_username.setdefault(r.username, []).append(
            Held(_aware(r.valid_from), r.role, tuple(r.orgs), bool(r.active)))
    return found
