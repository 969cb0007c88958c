"""Compare the projection tables with the replay (ARCHITECTURE.md decision 4): every candidate and deadline
row must be exactly what replaying the log gives, and no row may exist without a stream."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, select
from sqlalchemy.engine import Dialect

from states.candidate import Candidate
from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.event_store import EVENTS
from storage.projections import CANDIDATES, DEADLINES, candidate_values, deadline_values
from workflow.audit.findings import PROJECTION, Finding

IGNORED = frozenset({"updated_at", "id"})  # the moment of projecting, and a deadline's surrogate key
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def expected_candidate(c: Candidate) -> dict[str, Any] | None:
    """The candidate row the replay gives; None when the stream never identified anyone."""
    if c.stage is None:
        return None
    return {k: v for k, v in candidate_values(c, _EPOCH).items() if k not in IGNORED}


def expected_deadlines(c: Candidate) -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in deadline_values(c, c.deadlines)} if c.stage is not None else {}


def _diff(stream: str, what: str, expected: dict[str, Any], actual: dict[str, Any]) -> list[Finding]:
    if expected.items() <= actual.items():  # the usual answer, in one C-level pass
        return []
    found = []
    for key, want in expected.items():
        have = actual.get(key)
        if have != want:
            found.append(Finding(PROJECTION, stream, None, f"{what} {key}: the table has {have!r}, the replay "
                                 f"gives {want!r}", {"table": what, "field": key, "projected": have,
                                                     "replayed": want}))
    return found


def _rows(conn: Connection, table: Any, key: str, name: str, bounds: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of `table` whose `key` lies in `bounds` (lo, hi, or one id), with Core's values for each
    column compared (not the IGNORED ones), fetched as a driver statement (storage/driver_sql.py): an audit
    compares every row."""
    columns = [c for c in table.columns if c.name not in IGNORED or c.name == key]

    def build(dialect: Dialect) -> DriverStatement:
        column = table.c[key]
        where = ((column == bindparam("one")) if name.endswith(".one")
                 else (column >= bindparam("lo")) & (column <= bindparam("hi")))
        return DriverStatement(select(*columns).where(where), dialect, result_types=[c.type for c in columns])

    names = [c.name for c in columns]
    return [dict(zip(names, row, strict=True)) for row in driver_sql.statement(conn, name, build).rows(conn, bounds)]


def _projected(conn: Connection, bounds: dict[str, str],
               suffix: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    """Candidate rows by id and deadline rows by stream and kind, for the ids within `bounds`."""
    rows = {r["id"]: r for r in _rows(conn, CANDIDATES, "id", f"audit.candidate{suffix}", bounds)}
    deadlines: dict[str, dict[str, dict[str, Any]]] = {}
    for r in _rows(conn, DEADLINES, "stream_id", f"audit.deadline{suffix}", bounds):
        deadlines.setdefault(r["stream_id"], {})[r["kind"]] = r
    return rows, deadlines


def compare_chunk(conn: Connection, replayed: Sequence[Candidate]) -> list[Finding]:
    """Row-by-row differences for a chunk of replayed candidates.

    A chunk is a run of consecutive streams in the database's order, so its rows are fetched as the range
    from its first id to its last; a candidate whose row is not in that range (a missing row, or a chunk
    out of order) is looked up by its own id, so the answer never depends on the order."""
    if not replayed:
        return []
    rows, deadlines = _projected(conn, {"lo": replayed[0].id, "hi": replayed[-1].id}, ".range")
    found: list[Finding] = []
    for c in replayed:
        row, theirs = rows.get(c.id), deadlines.get(c.id, {})
        if row is None:
            own_rows, own_deadlines = _projected(conn, {"one": c.id}, ".one")
            row, theirs = own_rows.get(c.id), own_deadlines.get(c.id, {})
        found += _compare_one(c, row, theirs)
    return found


def _compare_one(c: Candidate, row: dict[str, Any] | None, rows: dict[str, dict[str, Any]]) -> list[Finding]:
    found: list[Finding] = []
    expected = expected_candidate(c)
    if expected is None and row is not None:
        found.append(Finding(PROJECTION, c.id, None, "a candidate row exists but the stream never identified "
                             "anyone", {"table": "candidate"}))
    elif expected is not None and row is None:
        found.append(Finding(PROJECTION, c.id, None, "the candidate row is missing", {"table": "candidate"}))
    elif expected is not None and row is not None:
        found += _diff(c.id, "candidate", expected, row)
    want = expected_deadlines(c)
    if want.keys() == rows.keys() and all(w.items() <= rows[k].items() for k, w in want.items()):
        return found  # every deadline row as the replay gives it: the usual answer, without naming each
    for kind in sorted(set(want) | set(rows)):
        if kind not in rows:
            found.append(Finding(PROJECTION, c.id, None, f"deadline {kind} is missing from the table",
                                 {"table": "deadline", "kind": kind}))
        elif kind not in want:
            found.append(Finding(PROJECTION, c.id, None, f"deadline {kind} is in the table but not in the replay",
                                 {"table": "deadline", "kind": kind}))
        else:
            found += _diff(c.id, f"deadline {kind}", want[kind], rows[kind])
    return found


def rows_without_streams(conn: Connection, orgs: set[str] | None = None,
                         only: list[str] | None = None) -> list[Finding]:
    """Candidate and deadline rows whose stream has no event at all."""
    found: list[Finding] = []
    for table, key, what in ((CANDIDATES, CANDIDATES.c.id, "candidate"),
                             (DEADLINES, DEADLINES.c.stream_id, "deadline")):
        query = select(key).distinct().where(~exists().where(EVENTS.c.stream_id == key)).order_by(key)
        if orgs is not None:
            query = query.where(table.c.org.in_(orgs))
        if only is not None:
            query = query.where(key.in_(only))
        found += [Finding(PROJECTION, sid, None, f"a {what} row exists but the stream has no events",
                          {"table": what}) for sid in conn.execute(query).scalars()]
    return found
