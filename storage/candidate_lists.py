"""The one candidate-list query, and the open-deadline list, read from the projection tables (issue 18).

The CLI (`ketnap candidate list`, exports), the web pages and the API all list candidates through
`list_candidates`, so one filter gives one answer. Search is on `search_name`, the folded name
(storage/search.py), so "nguyen thi hoa" finds "Nguyễn Thị Hoà". Pages are fetched one row longer than asked,
to know whether there is a next page without counting 100,000 rows.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, exists, func, literal, select

from storage.projections import CANDIDATES, DEADLINES
from storage.search import fold

LIST_COLUMNS = ("id", "org", "stage", "version", "full_name", "birth_date", "sex", "identified_on", "decided_on",
                "ceremony_on", "probation_ends_on", "official_on", "dropped_on")


class Order(StrEnum):
    """How a list is sorted: the web pages page through names, the CLI groups by organisation."""

    NAME = "name"  # folded name, then id: the web's and the API's pages, walking the name index
    ORG = "org"  # organisation, then name as written: the CLI's listing and the exports, grouped by branch


@dataclass(frozen=True)
class CandidateFilter:
    org: str | None = None  # only this organisation and those under it (already intersected with the scope)
    stage: str | None = None
    q: str | None = None
    due: date | None = None  # an open deadline due on or before this date
    overdue: bool = False  # an open deadline already past
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class Page:
    """One page of a list (candidates, the access log): its rows, and whether more follow."""

    rows: list[dict[str, Any]]
    has_more: bool
    offset: int
    limit: int


def _like_pattern(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _open_deadline(until: date, strictly_before: bool) -> Any:
    due = DEADLINES.c.due_on < until if strictly_before else DEADLINES.c.due_on <= until
    return exists().where(and_(DEADLINES.c.stream_id == CANDIDATES.c.id, DEADLINES.c.status == "open", due))


def _in_scope(scope: Collection[str], order: Order) -> Any:
    """By name, one organisation: its index. Several: `org || ''` keeps the planner off the org index, so it walks
    the name index in order and stops at the page's end, instead of fetching and sorting every candidate of the
    scope (250 ms per page for a province of 100,000 candidates; benchmarks/bench_web.py). By organisation, the
    org index is the one to use."""
    codes = sorted(scope)
    if len(codes) == 1:
        return CANDIDATES.c.org == codes[0]
    if order is Order.ORG:
        return CANDIDATES.c.org.in_(codes)
    return (CANDIDATES.c.org + literal("")).in_(codes)


def _ordered(query: Any, order: Order) -> Any:
    if order is Order.ORG:
        return query.order_by(CANDIDATES.c.org, CANDIDATES.c.full_name)
    return query.order_by(CANDIDATES.c.search_name, CANDIDATES.c.id)


def list_candidates(conn: Connection, scope: Collection[str] | None, f: CandidateFilter, today: date, *,
                    order: Order = Order.NAME, columns: Sequence[str] | None = LIST_COLUMNS) -> Page:
    """The candidates in `scope` (None: every organisation) that pass `f`, one page of them.

    `columns` None selects every column of the candidate table (the CLI's JSON and the exports show them all).
    """
    query = select(CANDIDATES) if columns is None else select(*(CANDIDATES.c[name] for name in columns))
    if scope is not None:
        query = query.where(_in_scope(scope, order))
    if f.stage:
        query = query.where(CANDIDATES.c.stage == f.stage)
    if f.q and fold(f.q):
        query = query.where(CANDIDATES.c.search_name.like(_like_pattern(f.q), escape="\\"))
    if f.due is not None:
        query = query.where(_open_deadline(f.due, strictly_before=False))
    if f.overdue:
        query = query.where(_open_deadline(today, strictly_before=True))
    query = _ordered(query, order).limit(f.limit + 1).offset(f.offset)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    return Page(rows[: f.limit], len(rows) > f.limit, f.offset, f.limit)


def open_deadlines(conn: Connection, scope: Collection[str] | None, until: date | None = None,
                   before: date | None = None) -> list[dict[str, Any]]:
    """Open deadlines in `scope` (None: everywhere) with the candidate's name, soonest first; `until` keeps those
    due by then, `before` those due strictly before (overdue on that day)."""
    query = (select(DEADLINES, CANDIDATES.c.full_name)
             .join(CANDIDATES, CANDIDATES.c.id == DEADLINES.c.stream_id)
             .where(DEADLINES.c.status == "open").order_by(DEADLINES.c.due_on, DEADLINES.c.stream_id))
    if scope is not None:
        query = query.where(DEADLINES.c.org.in_(scope))
    if until is not None:
        query = query.where(DEADLINES.c.due_on <= until)
    if before is not None:
        query = query.where(DEADLINES.c.due_on < before)
    return [dict(r._mapping) for r in conn.execute(query)]


def stage_counts(conn: Connection, scope: Collection[str]) -> dict[str, int]:
    query = (select(CANDIDATES.c.stage, func.count()).where(CANDIDATES.c.org.in_(sorted(scope)))
             .group_by(CANDIDATES.c.stage))
    return {stage: int(n) for stage, n in conn.execute(query)}


def candidate_org(conn: Connection, candidate_id: str) -> str | None:
    row = conn.execute(select(CANDIDATES.c.org).where(CANDIDATES.c.id == candidate_id)).first()
    return str(row[0]) if row else None
