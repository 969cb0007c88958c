"""The read-access log's SQL: one INSERT per view, and the paged, scoped read of it (issue 11, item 7).

There is no update or delete here, on purpose: the log is append-only, and the database refuses both anyway.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, false, insert, or_, select

from storage.access_tables import AccessLogRow
from storage.projections import CANDIDATES

ACCESS_LOG = AccessLogRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class View:
    """One view to record; `org` None with a `candidate_id` means: the candidate's organisation as it is now."""

    at: datetime
    actor: str
    role: str | None
    via: str
    origin: str
    view: str
    candidate_id: str | None = None
    org: str | None = None
    scope: str | None = None
    count: int | None = None


@dataclass(frozen=True)
class AccessFilter:
    """Which rows to read: `orgs` is the reader's scope (None: every row, the server's operator on the CLI);
    `unplaced` whether rows with no organisation (an export of the whole database) are theirs to read."""

    orgs: Collection[str] | None
    unplaced: bool
    candidate_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    limit: int = 50
    offset: int = 0


def record(conn: Connection, v: View) -> None:
    """One INSERT; a candidate's organisation is read by the same statement, so a view costs one round trip."""
    org: Any = v.org
    if org is None and v.candidate_id is not None:
        org = select(CANDIDATES.c.org).where(CANDIDATES.c.id == v.candidate_id).scalar_subquery()
    conn.execute(insert(ACCESS_LOG).values(
        at=v.at, actor=v.actor[:200], role=v.role, via=v.via, origin=v.origin[:300], view=v.view,
        candidate_id=v.candidate_id, org=org, scope=None if v.scope is None else v.scope[:300], count=v.count))


def read(conn: Connection, f: AccessFilter) -> tuple[list[dict[str, Any]], bool]:
    """A page of rows, newest first, and whether there are more (one row more is fetched to know)."""
    t = ACCESS_LOG
    query = select(t).order_by(t.c.at.desc(), t.c.id.desc()).limit(f.limit + 1).offset(f.offset)
    if f.orgs is not None:
        placed = t.c.org.in_(sorted(f.orgs)) if f.orgs else false()
        query = query.where(or_(placed, t.c.org.is_(None)) if f.unplaced else placed)
    if f.candidate_id is not None:
        query = query.where(t.c.candidate_id == f.candidate_id)
    if f.actor is not None:
        query = query.where(t.c.actor == f.actor)
    if f.since is not None:
        query = query.where(t.c.at >= f.since.astimezone(UTC))  # SQLite compares the text of UTC times
    rows = [_row(r) for r in conn.execute(query)]
    return rows[: f.limit], len(rows) > f.limit


def _row(r: Any) -> dict[str, Any]:
    m = dict(r._mapping)
    at = m["at"]
    m["at"] = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # SQLite returns naive UTC
    return m
