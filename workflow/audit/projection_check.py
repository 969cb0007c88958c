"""Compare the projection tables with the replay (ARCHITECTURE.md decision 4): every candidate and deadline
row must be exactly what replaying the log gives, and no row may exist without a stream."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from states.candidate import Candidate
from storage import audit_reads
from storage.projections import candidate_values, deadline_values
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


def _projected(conn: Connection,
               keys: audit_reads.Keys) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    """Candidate rows by id and deadline rows by stream and kind, for the ids within `keys` (a range, one id or
    a list), with every column compared (not the IGNORED ones)."""
    rows = {r["id"]: r for r in audit_reads.candidate_rows(conn, keys, IGNORED)}
    deadlines: dict[str, dict[str, dict[str, Any]]] = {}
    for r in audit_reads.deadline_rows(conn, keys, IGNORED):
        deadlines.setdefault(r["stream_id"], {})[r["kind"]] = r
    return rows, deadlines


def compare_chunk(conn: Connection, replayed: Sequence[Candidate], contiguous: bool = True) -> list[Finding]:
    """Row-by-row differences for a chunk of replayed candidates.

    A chunk of the whole log is a run of consecutive streams in the database's order (`contiguous`), so its
    rows are fetched as the range from its first id to its last; a chunk of chosen streams (an organisation's,
    scattered among the others) by the list of its ids. A candidate whose row is not among those fetched (a
    missing row, or a chunk out of order) is looked up by its own id, so the answer never depends on the order."""
    if not replayed:
        return []
    keys: audit_reads.Keys = {"lo": replayed[0].id, "hi": replayed[-1].id} if contiguous else [
        c.id for c in replayed]
    rows, deadlines = _projected(conn, keys)
    found: list[Finding] = []
    for c in replayed:
        row, theirs = rows.get(c.id), deadlines.get(c.id, {})
        if row is None:
            own_rows, own_deadlines = _projected(conn, {"one": c.id})
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
    return [Finding(PROJECTION, sid, None, f"a {what} row exists but the stream has no events", {"table": what})
            for what, sid in audit_reads.rows_without_streams(conn, orgs, only)]
