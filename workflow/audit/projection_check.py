"""Compare the projection tables with the replay (ARCHITECTURE.md decision 4): every candidate and deadline
row must be exactly what replaying the log gives, and no row may exist without a stream."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, exists, select

from states.candidate import Candidate
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
    found = []
    for key, want in expected.items():
        have = actual.get(key)
        if have != want:
            found.append(Finding(PROJECTION, stream, None, f"{what} {key}: the table has {have!r}, the replay "
                                 f"gives {want!r}", {"table": what, "field": key, "projected": have,
                                                     "replayed": want}))
    return found


def compare_chunk(conn: Connection, replayed: Sequence[Candidate]) -> list[Finding]:
    """Row-by-row differences for a chunk of replayed candidates."""
    if not replayed:
        return []
    ids = [c.id for c in replayed]
    rows = {r.id: dict(r._mapping) for r in conn.execute(select(CANDIDATES).where(CANDIDATES.c.id.in_(ids)))}
    deadlines: dict[str, dict[str, dict[str, Any]]] = {}
    for r in conn.execute(select(DEADLINES).where(DEADLINES.c.stream_id.in_(ids))):
        deadlines.setdefault(r.stream_id, {})[r.kind] = dict(r._mapping)
    found: list[Finding] = []
    for c in replayed:
        found += _compare_one(c, rows.get(c.id), deadlines.get(c.id, {}))
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
