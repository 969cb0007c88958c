"""Candidate lists for the web and the API, read from the projection tables and limited to the user's scope.

Search is on `search_name`, the folded name (storage/search.py), so "nguyen thi hoa" finds "Nguyễn Thị Hoà".
Pages are fetched one row longer than asked, to know whether there is a next page without counting 100,000 rows.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, exists, func, literal, select

from storage.projections import CANDIDATES, DEADLINES
from storage.search import fold

LIST_COLUMNS = ("id", "org", "stage", "version", "full_name", "birth_date", "sex", "identified_on", "decided_on",
                "ceremony_on", "probation_ends_on", "official_on", "dropped_on")


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
class CandidatePage:
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


def _in_scope(scope: Collection[str]) -> Any:
    """One organisation: its index. Several: `org || ''` keeps the planner off the org index, so it walks the
    name index in order and stops at the page's end, instead of fetching and sorting every candidate of the
    scope (250 ms per page for a province of 100,000 candidates; benchmarks/bench_web.py)."""
    codes = sorted(scope)
    if len(codes) == 1:
        return CANDIDATES.c.org == codes[0]
    return (CANDIDATES.c.org + literal("")).in_(codes)


def list_candidates(conn: Connection, scope: Collection[str], f: CandidateFilter, today: date) -> CandidatePage:
    columns = [CANDIDATES.c[name] for name in LIST_COLUMNS]
    query = select(*columns).where(_in_scope(scope))
    if f.stage:
        query = query.where(CANDIDATES.c.stage == f.stage)
    if f.q and fold(f.q):
        query = query.where(CANDIDATES.c.search_name.like(_like_pattern(f.q), escape="\\"))
    if f.due is not None:
        query = query.where(_open_deadline(f.due, strictly_before=False))
    if f.overdue:
        query = query.where(_open_deadline(today, strictly_before=True))
    query = query.order_by(CANDIDATES.c.search_name, CANDIDATES.c.id).limit(f.limit + 1).offset(f.offset)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    return CandidatePage(rows[: f.limit], len(rows) > f.limit, f.offset, f.limit)


def stage_counts(conn: Connection, scope: Collection[str]) -> dict[str, int]:
    query = (select(CANDIDATES.c.stage, func.count()).where(CANDIDATES.c.org.in_(sorted(scope)))
             .group_by(CANDIDATES.c.stage))
    return {stage: int(n) for stage, n in conn.execute(query)}


def candidate_org(conn: Connection, candidate_id: str) -> str | None:
    row = conn.execute(select(CANDIDATES.c.org).where(CANDIDATES.c.id == candidate_id)).first()
    return str(row[0]) if row else None
