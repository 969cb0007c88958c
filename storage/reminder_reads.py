"""What reminders read from the projections: open deadlines in due order, a deadline with its candidate's
name, candidates' names and branches (ARCHITECTURE.md decisions 8 and 10).

The sweep reads every open deadline within its horizon, so it pages by the key (due_on, id) rather than by an
OFFSET: each chunk costs the same however many came before it.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, select, tuple_

from storage.projections import CANDIDATES, DEADLINES


def open_deadlines(conn: Connection, until: date, after: tuple[date, int] | None, limit: int) -> list[Any]:
    """Open deadlines due on or before `until`, in (due_on, id) order after the key `after`: rows of id, kind,
    due_on, opened_on, org and stream_id."""
    query = (select(DEADLINES.c.id, DEADLINES.c.kind, DEADLINES.c.due_on, DEADLINES.c.opened_on, DEADLINES.c.org,
                    DEADLINES.c.stream_id)
             .where(DEADLINES.c.status == "open", DEADLINES.c.due_on <= until)
             .order_by(DEADLINES.c.due_on, DEADLINES.c.id).limit(limit))
    if after is not None:
        query = query.where(tuple_(DEADLINES.c.due_on, DEADLINES.c.id) > tuple_(*after))
    return list(conn.execute(query).all())


def _with_name(query: Select[Any]) -> Select[Any]:
    """Each deadline row with its candidate's name (None when the candidate row is missing)."""
    return query.add_columns(CANDIDATES.c.full_name).outerjoin(CANDIDATES, CANDIDATES.c.id == DEADLINES.c.stream_id)


def deadline_with_name(conn: Connection, deadline_id: int | None) -> Any | None:
    """The deadline row (every column) and its candidate's `full_name`, as a reminder is sent; None once the
    deadline was removed."""
    return conn.execute(_with_name(select(DEADLINES)).where(DEADLINES.c.id == deadline_id)).first()


def open_deadlines_with_names(conn: Connection, deadline_ids: Sequence[int]) -> list[Any]:
    """Those of `deadline_ids` still open, as `deadline_with_name`, in due order: a digest's items."""
    return list(conn.execute(_with_name(select(DEADLINES))
                             .where(DEADLINES.c.id.in_(deadline_ids), DEADLINES.c.status == "open")
                             .order_by(DEADLINES.c.due_on, DEADLINES.c.id)).all())


def due_on(conn: Connection, stream_id: str, kind: str) -> date | None:
    """The due date of one candidate's deadline of `kind`, open or closed; None when there is none."""
    found: date | None = conn.execute(select(DEADLINES.c.due_on).where(DEADLINES.c.stream_id == stream_id,
                                                                        DEADLINES.c.kind == kind)).scalar()
    return found


def candidate_names(conn: Connection, stream_ids: Sequence[str]) -> dict[str, str]:
    """The full name of each of `stream_ids` that has a candidate row."""
    names: dict[str, str] = dict(conn.execute(select(CANDIDATES.c.id, CANDIDATES.c.full_name)
                                              .where(CANDIDATES.c.id.in_(stream_ids))).all())
    return names


def candidate_branch(conn: Connection, stream_id: str | None) -> Any | None:
    """The candidate's `org` and `full_name`; None when there is no candidate row."""
    return conn.execute(select(CANDIDATES.c.org, CANDIDATES.c.full_name).where(CANDIDATES.c.id == stream_id)).first()
