"""Projections: the `candidate` and `deadline` tables, derived from the replayed state.

They are written in the same transaction as the events (ARCHITECTURE.md decision 4) and can be rebuilt from
the log at any time; `project` is the one function both paths use.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, exists
from sqlalchemy.engine import Dialect

from states.candidate import Candidate
from states.events import Event
from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.event_store import EVENTS
from storage.search import fold
from storage.tables import CandidateRow, DeadlineRow

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

CANDIDATES = CandidateRow.__table__  # type: ignore[attr-defined]
DEADLINES = DeadlineRow.__table__  # type: ignore[attr-defined]


def candidate_values(c: Candidate, now: datetime, org: str | None = None) -> dict[str, Any]:
    """`org`: the branch the candidate belongs to now, when a merge or split carried them from the one their
    events name (states/organisations.py, Tree.current)."""
    assert c.stage is not None, "a projected candidate has been identified"
    return {
        "id": c.id, "org": org or c.org, "stage": c.stage.value, "version": c.version, "full_name": c.full_name,
        "search_name": fold(c.full_name), "birth_date": c.birth_date, "sex": c.sex, "education": c.education,
        "ethnicity": c.ethnicity, "religion": c.religion, "youth_union": c.youth_union,
        "trade_union": c.trade_union, "categories": list(c.categories), "identified_on": c.identified_on,
        "decided_on": c.decided_on, "ceremony_on": c.ceremony_on, "probation_ends_on": c.probation_ends_on,
        "official_on": c.official_on, "dropped_on": c.dropped_on,
        "incoming_org": None if c.pending_transfer is None else str(c.pending_transfer["to_org"]), "updated_at": now,
    }


def deadline_values(c: Candidate, kinds: Iterable[str], org: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for kind in kinds:
        d = c.deadlines.get(kind)
        if d is None:
            continue
        rows.append({"stream_id": c.id, "org": org or c.org, "kind": d.kind, "due_on": d.due_on,
                     "opened_on": d.opened_on, "status": "open" if d.is_open else "closed",
                     "closed_on": d.closed_on, "closed_by": d.closed_by, "rule_set": d.rule_set,
                     "calendar": d.calendar})
    return rows


def _touched_kinds(c: Candidate, new_events: Sequence[Event] | None) -> Iterable[str]:
    """The deadline kinds the new events opened or closed; all of them when projecting from scratch."""
    if new_events is None or any(e.type in ("transfer", "transfer_received", "correct") for e in new_events):
        return list(c.deadlines)
    kinds: set[str] = set()
    for e in new_events:
        changes = e.derived.get("deadlines") or {}
        kinds.update(d["kind"] for d in changes.get("open", ()))
        kinds.update(changes.get("close", ()))
        kinds.update(d["kind"] for d in changes.get("extend", ()))
    return kinds


def upsert_statement(conn: Connection, table: Any, keys: tuple[str, ...], index: tuple[str, ...]) -> DriverStatement:
    """INSERT .. ON CONFLICT DO UPDATE of `keys`, compiled once per dialect and column set and run on the
    driver (storage/driver_sql.py): every step projects, and building `excluded` costs more than the upsert."""
    def build(dialect: Dialect) -> DriverStatement:
        # the dialect's own module, imported here: PostgreSQL's loads all its drivers (issue 14, the CLI on SQLite)
        insert: PgInsert | SqliteInsert
        if dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            insert = postgresql.insert(table)
        else:
            from sqlalchemy.dialects import sqlite

            insert = sqlite.insert(table)
        upsert = insert.on_conflict_do_update(index_elements=list(index),
                                              set_={k: insert.excluded[k] for k in keys if k not in index})
        return DriverStatement(upsert, dialect, column_keys=keys)

    return driver_sql.statement(conn, f"{table.name}.upsert:{','.join(keys)}", build)


def _update(conn: Connection, table: Any, keys: tuple[str, ...], where: tuple[str, ...]) -> DriverStatement:
    """UPDATE of only `keys`: SQLite and PostgreSQL then leave alone every index on a column not named, so a
    step that moves one date does not rewrite the name, organisation and stage indexes (and their pages)."""
    def build(dialect: Dialect) -> DriverStatement:
        update = table.update().where(*(table.c[k] == bindparam(f"w_{k}") for k in where)).values(
            {k: bindparam(k, type_=table.c[k].type) for k in keys})
        return DriverStatement(update, dialect, column_keys=(*keys, *(f"w_{k}" for k in where)))

    return driver_sql.statement(conn, f"{table.name}.update:{','.join(keys)}", build)


@dataclass(frozen=True)
class RowsBefore:
    """The candidate row and the touched deadline rows as the previous step left them, so that a step writes
    only the columns it changed (see `_update`)."""

    candidate: dict[str, Any]
    deadlines: dict[str, dict[str, Any]]


def rows_before(c: Candidate, new_events: Sequence[Event], now: datetime, org: str | None = None) -> RowsBefore | None:
    """Taken from the state before `new_events` are applied; None for a new candidate (nothing to update)."""
    if c.stage is None:
        return None
    return RowsBefore(candidate_values(c, now, org),
                      {row["kind"]: row for row in deadline_values(c, _touched_kinds(c, new_events), org)})


def project(conn: Connection, c: Candidate, new_events: Sequence[Event] | None = None,
            now: datetime | None = None, before: RowsBefore | None = None, org: str | None = None) -> None:
    """Write the candidate row and the deadline rows that `new_events` touched (all when None); with `before`,
    only the columns that changed. `org`: where the candidate now belongs, when not where their events say."""
    moment = now or datetime.now(UTC)
    values = candidate_values(c, moment, org)
    if before is None or not _update_changed(conn, CANDIDATES, values, before.candidate, ("id",)):
        upsert_statement(conn, CANDIDATES, tuple(values), ("id",)).execute(conn, values).close()
    fresh = []
    for row in deadline_values(c, _touched_kinds(c, new_events), org):
        old = before.deadlines.get(row["kind"]) if before is not None else None
        if old is None or not _update_changed(conn, DEADLINES, row, old, ("stream_id", "kind")):
            fresh.append(row)
    if fresh:
        upsert_statement(conn, DEADLINES, tuple(fresh[0]), ("stream_id", "kind")).executemany(conn, fresh)
    if new_events is None:
        stale = [k for k in _kinds_in_db(conn, c.id) if k not in c.deadlines]
        if stale:
            conn.execute(delete(DEADLINES).where(DEADLINES.c.stream_id == c.id, DEADLINES.c.kind.in_(stale)))


ALWAYS_WRITTEN = frozenset({"updated_at"})


def _update_changed(conn: Connection, table: Any, values: dict[str, Any], before: Mapping[str, Any],
                    key: tuple[str, ...]) -> bool:
    """UPDATE the columns of `values` that differ from `before`; False when no row matched the key."""
    changed = {k: v for k, v in values.items() if k not in key and (k in ALWAYS_WRITTEN or before.get(k) != v)}
    if not changed:
        return True
    where = {f"w_{k}": values[k] for k in key}
    cursor = _update(conn, table, tuple(changed), key).execute(conn, {**changed, **where})
    try:
        return bool(cursor.rowcount == 1)
    finally:
        cursor.close()


def _kinds_in_db(conn: Connection, stream_id: str) -> list[str]:
    return list(conn.execute(DEADLINES.select().with_only_columns(DEADLINES.c.kind)
                             .where(DEADLINES.c.stream_id == stream_id)).scalars())


def remove_rows_without_streams(conn: Connection) -> tuple[int, int]:
    """Delete the candidate and deadline rows whose stream has no event at all (a rebuild: no replay can
    explain them); returns how many of each were removed."""
    removed = []
    for table, key in ((CANDIDATES, CANDIDATES.c.id), (DEADLINES, DEADLINES.c.stream_id)):
        result = conn.execute(delete(table).where(~exists().where(EVENTS.c.stream_id == key)))
        removed.append(int(result.rowcount or 0))
    return removed[0], removed[1]
