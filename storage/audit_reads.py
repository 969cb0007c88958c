"""What an audit reads: one consistent snapshot, the log a page of whole-stream order at a time, and the
projection rows it compares with the replay (ARCHITECTURE.md decisions 3 and 4).

An audit reads every event and every projection row, so the pages and the row fetches run as driver
statements (storage/driver_sql.py), compiled once: Core's `execute` and `Row` objects cost more than the
SQLite read itself. Pages are keyed by (stream_id, version) through the unique index rather than an
OFFSET, so every page costs the same however far into the log it is.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Integer, bindparam, exists, func, literal_column, select, text, tuple_
from sqlalchemy.engine import Dialect

from states.events import Event
from states.hashing import stored_text_hash
from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.event_store import COLUMNS, EVENTS, result_types, row_decoder
from storage.projections import CANDIDATES, DEADLINES

Bounds = tuple[str | None, str | None]  # stream ids: from (inclusive), to (exclusive); None is open
Row = tuple[Any, ...]

# --- one view of the database for the whole audit ------------------------------------------------------------


@contextmanager
def snapshot(engine: Engine, shared: str | None = None) -> Iterator[Connection]:
    """One consistent, read-only view of the log for the whole audit (a single snapshot on both databases).

    `shared`: on PostgreSQL, a snapshot exported by the audit's first process (`exported_snapshot`), so that
    its workers read exactly what it reads.

    Raises:
        ValueError: `shared` is not a snapshot id (it is written into the SQL as a literal).
    """
    options: dict[str, str] = ({"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql"
                               else {"sqlite_begin": "DEFERRED"})
    with engine.connect().execution_options(**options) as conn, conn.begin():
        if shared is not None:
            if not _SNAPSHOT_ID.fullmatch(shared):
                raise ValueError(f"not a PostgreSQL snapshot id: {shared!r}")
            conn.execute(text(f"SET TRANSACTION SNAPSHOT '{shared}'"))  # a literal: SET takes no parameters
        yield conn


_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?")


def exported_snapshot(conn: Connection) -> str | None:
    """This transaction's snapshot, for workers to read the same log (PostgreSQL); None on SQLite, where a
    worker's snapshot is taken when it starts: the log only grows, so it sees all the audit sees, maybe more."""
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())


# --- the log -------------------------------------------------------------------------------------------------


def split(conn: Connection, parts: int) -> list[Bounds]:
    """Stream-id ranges holding about the same number of streams, in the database's own order.

    The cuts are numbered in one pass over the distinct ids (a window function), not found by one OFFSET
    scan each: a worker-sized audit asks for dozens of ranges."""
    ids = select(EVENTS.c.stream_id).distinct().subquery()
    streams = int(conn.execute(select(func.count()).select_from(ids)).scalar() or 0)
    at = sorted({streams * i // parts + 1 for i in range(1, parts)})  # row numbers start at 1
    numbered = select(ids.c.stream_id, func.row_number().over(order_by=ids.c.stream_id).label("n")).subquery()
    cuts = conn.execute(select(numbered.c.stream_id).where(numbered.c.n.in_(at)).order_by(numbered.c.n)).scalars()
    edges: list[str | None] = [None, *dict.fromkeys(c for c in cuts if c is not None), None]
    return list(zip(edges, edges[1:], strict=False))


def count_events(conn: Connection, stream_ids: Sequence[str] | None = None) -> int:
    """Events in the log, or in `stream_ids` (counted IN_BATCH ids at a time: SQLite bounds a statement's
    parameters)."""
    query = select(func.count()).select_from(EVENTS)
    if stream_ids is None:
        return int(conn.execute(query).scalar() or 0)
    return sum(int(conn.execute(query.where(EVENTS.c.stream_id.in_(stream_ids[i:i + IN_BATCH]))).scalar() or 0)
               for i in range(0, len(stream_ids), IN_BATCH))


IN_BATCH = 5000  # values in one IN list

# The organisation an `identify` (org) or a transfer into another branch (to_org) names: the expression of the
# index ix_event_member_org (migration auditorg_0001), written exactly as there, so that the query uses it.
MEMBER_ORG = {
    "postgresql": "(CASE WHEN type = 'identify' THEN payload ->> 'org' ELSE payload ->> 'to_org' END)",
    "sqlite": "(CASE WHEN type = 'identify' THEN json_extract(payload, '$.org') "
              "ELSE json_extract(payload, '$.to_org') END)",
}
MEMBER_TYPES = ("identify", "transfer", "transfer_received")  # the index's condition (partial index)


def member_streams(conn: Connection, orgs: set[str]) -> list[str]:
    """The streams whose `identify`, `transfer` or `transfer_received` names one of `orgs`, sorted, read from
    the index: what the audit of an organisation reads. A value that is not a string may match its text here
    (PostgreSQL's ->>), so the audit still keeps only the streams whose events name `orgs` as strings."""
    named: Any = literal_column(MEMBER_ORG[conn.dialect.name])
    codes = sorted(orgs)
    found: set[str] = set()
    for i in range(0, len(codes), IN_BATCH):
        query = (select(EVENTS.c.stream_id).distinct()
                 .where(EVENTS.c.type.in_(MEMBER_TYPES), named.in_(codes[i:i + IN_BATCH])))
        found.update(conn.execute(query).scalars())
    return sorted(found)


def _padded(n: int) -> int:
    """The size of the IN list compiled for `n` values: a power of two, so a few statements serve every chunk
    (the rest of the list is NULL, which matches nothing)."""
    return 1 << max(0, n - 1).bit_length()


def _in_list(values: Sequence[str]) -> dict[str, Any]:
    size = _padded(len(values))
    return {f"in{i}": values[i] if i < len(values) else None for i in range(size)}


def _in_binds(n: int) -> list[Any]:
    return [bindparam(f"in{i}") for i in range(n)]


def streams_of(conn: Connection, stream_ids: Sequence[str], verified: set[int] | None = None) -> list[Event]:
    """The events of `stream_ids` (a chunk's worth: a few hundred) in (stream_id, version) order, in one
    statement; `verified`: see `event_pages`."""
    if not stream_ids:
        return []
    values = _in_list(stream_ids)
    size = len(values)

    def build(dialect: Dialect) -> DriverStatement:
        query = (select(*COLUMNS).where(EVENTS.c.stream_id.in_(_in_binds(size)))
                 .order_by(EVENTS.c.stream_id, EVENTS.c.version))
        return DriverStatement(query, dialect, result_types=result_types(dialect))

    rows = driver_sql.statement(conn, f"audit.streams:{size}", build).rows(conn, values)
    events = row_decoder(conn)(rows)
    if verified is not None and conn.dialect.name == "sqlite":
        _add_verified(rows, events, verified)
    return events


def _page_statement(after_key: bool, low: bool, high: bool) -> Any:
    """One page in (stream_id, version) order: the first page starts at `low`, the next ones after the key."""
    query = select(*COLUMNS).order_by(EVENTS.c.stream_id, EVENTS.c.version).limit(bindparam("rows", type_=Integer))
    if after_key:
        query = query.where(tuple_(EVENTS.c.stream_id, EVENTS.c.version)
                            > tuple_(bindparam("key_stream"), bindparam("key_version")))
    if low:
        query = query.where(EVENTS.c.stream_id >= bindparam("low"))
    if high:
        query = query.where(EVENTS.c.stream_id < bindparam("high"))
    return query


def _page(conn: Connection, after_key: bool, low: bool, high: bool) -> DriverStatement:
    def build(dialect: Dialect) -> DriverStatement:
        return DriverStatement(_page_statement(after_key, low, high), dialect, result_types=result_types(dialect))

    return driver_sql.statement(conn, f"audit.page:{int(after_key)}{int(low)}{int(high)}", build)


def event_pages(conn: Connection, bounds: Bounds, rows_per_page: int,
                verified: set[int] | None = None) -> Iterator[list[Event]]:
    """Every event within `bounds`, ordered by stream then version, `rows_per_page` at a time (a stream may run
    on into the next page). With `verified`, the position of each event whose stored text hashes to its
    stored hash is added to it (SQLite, where the JSON comes back as text): the audit then need not hash
    that event again."""
    low, high = bounds
    decode = row_decoder(conn)
    values: dict[str, Any] = {"rows": rows_per_page, "low": low, "high": high}
    statement = _page(conn, False, low is not None, high is not None)
    as_text = verified is not None and conn.dialect.name == "sqlite"
    while True:
        rows = statement.rows(conn, values)
        events = decode(rows)
        if as_text:
            _add_verified(rows, events, verified)  # type: ignore[arg-type]  # as_text: not None
        if events:
            yield events
        if len(events) < rows_per_page:
            return
        values["key_stream"], values["key_version"] = events[-1].stream_id, events[-1].version
        statement = _page(conn, True, False, high is not None)


def _add_verified(rows: list[Row], events: list[Event], verified: set[int]) -> None:
    """Rows in `COLUMNS` order (payload and derived at 8 and 9, as stored), beside their decoded events."""
    for row, e in zip(rows, events, strict=True):
        if e.position is not None and stored_text_hash(e, row[8], row[9]) == e.hash:
            verified.add(e.position)


# --- the projections, compared with the replay ---------------------------------------------------------------


Keys = Mapping[str, str] | Sequence[str]  # {"lo": first, "hi": last}, {"one": id}, or a list of ids


def _compared_rows(conn: Connection, table: Any, key: str, keys: Keys,
                   leave_out: frozenset[str]) -> list[dict[str, Any]]:
    """The rows of `table` whose `key` lies in `keys` (lo and hi, both included; one; or a list of a chunk's
    ids), with Core's values for each column but those in `leave_out` (the key is always kept), fetched as a
    driver statement."""
    columns = [c for c in table.columns if c.name not in leave_out or c.name == key]
    values: Mapping[str, Any]
    if isinstance(keys, Mapping):
        values, kind, size = keys, "one" if "one" in keys else "range", 0
    else:
        values = _in_list(keys)
        kind, size = f"in{len(values)}", len(values)

    def build(dialect: Dialect) -> DriverStatement:
        column = table.c[key]
        where = (column == bindparam("one")) if kind == "one" else column.in_(_in_binds(size)) if size else (
            (column >= bindparam("lo")) & (column <= bindparam("hi")))
        return DriverStatement(select(*columns).where(where), dialect, result_types=[c.type for c in columns])

    name = f"audit.{table.name}.{kind}:{','.join(sorted(leave_out))}"
    names = [c.name for c in columns]
    return [dict(zip(names, row, strict=True)) for row in driver_sql.statement(conn, name, build).rows(conn, values)]


def candidate_rows(conn: Connection, keys: Keys, leave_out: frozenset[str]) -> list[dict[str, Any]]:
    """Candidate rows with ids in `keys`: {"lo": first, "hi": last}, {"one": id} or a list of ids."""
    return _compared_rows(conn, CANDIDATES, "id", keys, leave_out)


def deadline_rows(conn: Connection, keys: Keys, leave_out: frozenset[str]) -> list[dict[str, Any]]:
    """Deadline rows of the streams in `keys` (as `candidate_rows`)."""
    return _compared_rows(conn, DEADLINES, "stream_id", keys, leave_out)


def rows_without_streams(conn: Connection, orgs: set[str] | None = None,
                         only: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(table, stream id) of each candidate, then each deadline, row whose stream has no event at all: rows
    no replay can explain. `orgs`, `only`: the audit's scope."""
    found: list[tuple[str, str]] = []
    for table, key, what in ((CANDIDATES, CANDIDATES.c.id, "candidate"),
                             (DEADLINES, DEADLINES.c.stream_id, "deadline")):
        query = select(key).distinct().where(~exists().where(EVENTS.c.stream_id == key)).order_by(key)
        if orgs is not None:
            query = query.where(table.c.org.in_(orgs))
        if only is not None:
            query = query.where(key.in_(only))
        found += [(what, sid) for sid in conn.execute(query).scalars()]
    return found
