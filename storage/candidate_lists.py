"""The one candidate-list query, and the open-deadline list, read from the projection tables (issue 18).

The CLI (`ketnap candidate list`, exports), the web pages and the API all list candidates through
`list_candidates`, so one filter gives one answer. Search is on `search_name`, the folded name
(storage/search.py), so "nguyen thi hoa" finds "Nguyễn Thị Hoà". Pages are fetched one row longer than asked,
to know whether there is a next page, after the cursor of the page before (storage/paging.py, issue 19).
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, String, any_, func, literal, select

from storage.paging import DEFAULT_LIMIT, KeyOrder, Page
from storage.projections import CANDIDATES, DEADLINES
from storage.search import fold

__all__ = ["DEADLINE_KEY", "KEYS", "LIST_COLUMNS", "CandidateFilter", "DeadlineFilter", "Order", "Page",
           "candidate_orgs", "count_candidates", "count_deadlines", "incoming_transfers", "list_candidates",
           "open_deadlines", "stage_counts"]

LIST_COLUMNS = ("id", "org", "stage", "version", "full_name", "birth_date", "sex", "identified_on", "decided_on",
                "ceremony_on", "probation_ends_on", "official_on", "dropped_on")


class Order(StrEnum):
    """How a list is sorted: the web pages page through names, the CLI groups by organisation."""

    NAME = "name"  # folded name, then id: the web's and the API's pages, on ix_candidate_name
    ORG = "org"  # organisation, then folded name, then id: the CLI's listing and the exports, on ix_candidate_org_name


KEYS = {Order.NAME: KeyOrder((CANDIDATES.c.search_name, CANDIDATES.c.id), (str, str)),
        Order.ORG: KeyOrder((CANDIDATES.c.org, CANDIDATES.c.search_name, CANDIDATES.c.id), (str, str, str))}
DEADLINE_KEY = KeyOrder((DEADLINES.c.due_on, DEADLINES.c.id), (date, int))


@dataclass(frozen=True)
class CandidateFilter:
    org: str | None = None  # only this organisation and those under it (already intersected with the scope)
    stage: str | None = None
    q: str | None = None
    due: date | None = None  # an open deadline due on or before this date
    overdue: bool = False  # an open deadline already past
    limit: int = DEFAULT_LIMIT
    offset: int = 0  # the web's pager and older API clients; `cursor` costs the same on every page
    cursor: str | None = None  # the page after this one (Page.next_cursor of the page before)
    count: bool = False  # also count every row that passes (Page.total), unless a deadline filter is set


def _like_pattern(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _open_deadline(until: date, strictly_before: bool) -> Any:
    """`id || '' IN (the streams of such deadlines)`: the set is read once from ix_deadline_open_due, not once per
    candidate (a correlated EXISTS let SQLite walk the whole overdue range of that index for every candidate),
    and `|| ''` keeps the planner walking the list's own index in order, each row checked against the set and
    the walk left at the page's end, rather than fetching every candidate of the set and sorting them."""
    due = DEADLINES.c.due_on < until if strictly_before else DEADLINES.c.due_on <= until
    return (CANDIDATES.c.id + literal("")).in_(select(DEADLINES.c.stream_id).where(DEADLINES.c.status == "open", due))


def _among(column: Any, codes: Sequence[str], dialect: str) -> Any:
    """`column IN codes`; on PostgreSQL `= ANY(array)`, one parameter: a province's 1,500 organisation codes as
    as many bound parameters cost more to render than the query takes to run."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # loaded on PostgreSQL only (a SQLite command skips it)

        return column == any_(literal(list(codes), ARRAY(String)))
    return column.in_(codes)


def _in_scope(scope: Collection[str], order: Order, dialect: str) -> Any:
    """Which index serves a page of names in a scope of several organisations depends on how many candidates
    the scope holds. A province's are best walked on the name index in order, each row checked against the
    scope, and the walk left at the page's end, rather than fetched and sorted (250 ms per page for a province
    of 100,000 candidates on SQLite; benchmarks/bench_web.py). A grassroots committee's few dozen are best read
    on the org index and sorted: the walk would pass every candidate of the nation (379 ms against 0.07 ms at
    200,000 candidates on PostgreSQL; benchmarks/national.py). PostgreSQL chooses from its statistics of `org`,
    given the plain `= ANY`. SQLite's planner would always take the org index, so there `org || ''` keeps it on
    the name walk, which a database of one committee can afford. By organisation, the org index serves."""
    codes = sorted(scope)
    if len(codes) == 1:
        return CANDIDATES.c.org == codes[0]
    if order is Order.ORG or dialect == "postgresql":
        return _among(CANDIDATES.c.org, codes, dialect)
    return (CANDIDATES.c.org + literal("")).in_(codes)


def _filtered(query: Any, scope: Collection[str] | None, f: CandidateFilter, today: date, order: Order,
              dialect: str) -> Any:
    if scope is not None:
        query = query.where(_in_scope(scope, order, dialect))
    if f.stage:
        query = query.where(CANDIDATES.c.stage == f.stage)
    if f.q and fold(f.q):
        query = query.where(CANDIDATES.c.search_name.like(_like_pattern(f.q), escape="\\"))
    if f.due is not None:
        query = query.where(_open_deadline(f.due, strictly_before=False))
    if f.overdue:
        query = query.where(_open_deadline(today, strictly_before=True))
    return query


def list_candidates(conn: Connection, scope: Collection[str] | None, f: CandidateFilter, today: date, *,
                    order: Order = Order.NAME, columns: Sequence[str] | None = LIST_COLUMNS) -> Page:
    """The candidates in `scope` (None: every organisation) that pass `f`, one page of them, after `f.cursor`.

    `columns` None selects every column of the candidate table (the CLI's JSON and the exports show them all).

    Raises: BadCursor, a cursor this list did not hand out.
    """
    key = KEYS[order]
    names = [str(c.key) for c in key.columns]
    picked = list(CANDIDATES.c) if columns is None else [CANDIDATES.c[n] for n in dict.fromkeys([*columns, *names])]
    query = _filtered(select(*picked), scope, f, today, order, conn.dialect.name)
    if f.cursor:
        query = query.where(key.after(key.decode(f.cursor)))
    query = query.order_by(*key.order_by()).limit(f.limit + 1).offset(f.offset)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    # a deadline filter would be counted by checking every candidate of the scope: not counted (total None)
    total = count_candidates(conn, scope, f, today) if f.count and f.due is None and not f.overdue else None
    page = key.page(rows, f.limit, f.offset, total)
    if columns is not None and set(names) - set(columns):
        page = replace(page, rows=[{n: r[n] for n in columns} for r in page.rows])
    return page


def count_candidates(conn: Connection, scope: Collection[str] | None, f: CandidateFilter, today: date) -> int:
    """How many pass `f` in `scope`: on ix_candidate_org_name (organisation and folded name) when only those
    filter, else on the stage index and the rows it names."""
    query = _filtered(select(func.count()).select_from(CANDIDATES), scope, f, today, Order.ORG, conn.dialect.name)
    return int(conn.execute(query).scalar() or 0)


@dataclass(frozen=True)
class DeadlineFilter:
    until: date | None = None  # due on or before
    before: date | None = None  # due strictly before (overdue on that day)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: str | None = None
    count: bool = True
    since: date | None = None  # due on or after (not yet overdue on that day)


def _deadline_scope(scope: Collection[str] | None, dialect: str) -> Any:
    """One organisation: ix_deadline_status_org_due gives its deadlines in due order. Several, as `_in_scope`:
    PostgreSQL chooses from its statistics between that index (a grassroots committee's few deadlines, sorted)
    and walking ix_deadline_open_due in order to the page's end (a province's); for a secretary the walk passed
    every overdue deadline of the nation (296 ms against 0.06 ms at 200,000 candidates on PostgreSQL). On SQLite
    `org || ''` keeps the planner on the walk."""
    if scope is None:
        return None
    codes = sorted(scope)
    if len(codes) == 1:
        return DEADLINES.c.org == codes[0]
    if dialect == "postgresql":
        return _among(DEADLINES.c.org, codes, dialect)
    return (DEADLINES.c.org + literal("")).in_(codes)


def _deadline_where(query: Any, f: DeadlineFilter) -> Any:
    query = query.where(DEADLINES.c.status == "open")
    if f.until is not None:
        query = query.where(DEADLINES.c.due_on <= f.until)
    if f.before is not None:
        query = query.where(DEADLINES.c.due_on < f.before)
    if f.since is not None:
        query = query.where(DEADLINES.c.due_on >= f.since)
    return query


def open_deadlines(conn: Connection, scope: Collection[str] | None, f: DeadlineFilter) -> Page:
    """A page of the open deadlines in `scope` (None: everywhere) with the candidate's name, soonest first
    (due_on, then id), after `f.cursor`; `total` counts them all (on ix_deadline_status_org_due).

    Raises: BadCursor, a cursor this list did not hand out.
    """
    query = (_deadline_where(select(DEADLINES, CANDIDATES.c.full_name), f)
             .join(CANDIDATES, CANDIDATES.c.id == DEADLINES.c.stream_id))
    in_scope = _deadline_scope(scope, conn.dialect.name)
    if in_scope is not None:
        query = query.where(in_scope)
    if f.cursor:
        query = query.where(DEADLINE_KEY.after(DEADLINE_KEY.decode(f.cursor)))
    query = query.order_by(*DEADLINE_KEY.order_by()).limit(f.limit + 1).offset(f.offset)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    return DEADLINE_KEY.page(rows, f.limit, f.offset, count_deadlines(conn, scope, f) if f.count else None)


def count_deadlines(conn: Connection, scope: Collection[str] | None, f: DeadlineFilter) -> int:
    """Open deadlines in `scope` passing `f`, counted on an index: (status, due_on) everywhere, (status, org,
    due_on) for a scope, an index range per organisation."""
    query = _deadline_where(select(func.count()).select_from(DEADLINES), f)
    if scope is not None:
        query = query.where(_among(DEADLINES.c.org, sorted(scope), conn.dialect.name))
    return int(conn.execute(query).scalar() or 0)


def stage_counts(conn: Connection, scope: Collection[str]) -> dict[str, int]:
    """How many candidates of `scope` are at each stage, from ix_candidate_org_stage alone: one range of the
    index per organisation, as many entries as the scope has candidates."""
    query = (select(CANDIDATES.c.stage, func.count())
             .where(_among(CANDIDATES.c.org, sorted(scope), conn.dialect.name)).group_by(CANDIDATES.c.stage))
    return {stage: int(n) for stage, n in conn.execute(query)}


def candidate_orgs(conn: Connection, candidate_id: str) -> tuple[str, str | None] | None:
    """The candidate's organisation, and the branch a probationary member's transfer waits at (None when none
    does); None for an unknown candidate."""
    row = conn.execute(select(CANDIDATES.c.org, CANDIDATES.c.incoming_org)
                       .where(CANDIDATES.c.id == candidate_id)).first()
    return (str(row[0]), row[1]) if row else None


def incoming_transfers(conn: Connection, scope: Collection[str] | None,
                       limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """Probationary members transferred to a branch of `scope` (every branch: None) and not yet received there
    (D16, P9), the transfer's date and the deadline to present it, earliest deadline first; at most `limit`
    (a page: they are few). Read on ix_candidate_incoming_org; the sending branch is the row's `org`."""
    due = DEADLINES.alias("due")
    query = (select(CANDIDATES.c.id, CANDIDATES.c.full_name, CANDIDATES.c.org, CANDIDATES.c.incoming_org,
                    due.c.opened_on.label("transferred_on"), due.c.due_on.label("present_by"))
             .join(due, (due.c.stream_id == CANDIDATES.c.id) & (due.c.kind == "transfer_presentation"), isouter=True)
             .where(CANDIDATES.c.incoming_org.is_not(None)))
    if scope is not None:
        query = query.where(_among(CANDIDATES.c.incoming_org, sorted(scope), conn.dialect.name))
    query = query.order_by(due.c.due_on, CANDIDATES.c.id).limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]
