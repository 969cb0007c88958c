"""Organisation rows and the organisation log (states/organisations.py holds the tree itself, as of a date).

The `org_event` table is the truth: every change of an organisation is an event of its stream (its code), hash
chained like a candidate's. The `organisation` table is its projection as every recorded change leaves it, for
lists and joins; it is rebuilt from the log by `write_projection`.
"""

import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Text, bindparam, cast, func, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError

from states.events import Event
from states.hashing import GENESIS, event_hash
from states.organisations import LEVELS, SINCE_ALWAYS, Organisation, OrgChange, OrgHistory, Tree
from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.errors import ConcurrencyConflictError
from storage.event_store import row_to_event
from storage.tables import OrganisationRow, OrgEventRow

ORGS = OrganisationRow.__table__  # type: ignore[attr-defined]
ORG_EVENTS = OrgEventRow.__table__  # type: ignore[attr-defined]
RULE_SET = "org"  # the `rule_set` of an organisation event: the tree has no rule-set versions
__all__ = ["LEVELS", "ORGS", "ORG_EVENTS", "OrgLog", "Organisation", "all_orgs", "get"]


def _org(row: Any) -> Organisation:
    founded = row.founded_on if row.founded_on is not None else SINCE_ALWAYS
    return Organisation(row.code, row.name, row.level, row.parent_code, bool(row.admits), _day(founded),
                        _day(row.ended_on), row.ended_by, tuple(row.successors or ()), org_type=row.org_type)


def _day(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


_GET_COLUMNS = (ORGS.c.code, ORGS.c.name, ORGS.c.level, ORGS.c.parent_code, ORGS.c.admits)
_GET = select(*_GET_COLUMNS).where(ORGS.c.code == bindparam("code"))


def _get_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_GET, dialect, result_types=[c.type for c in _GET_COLUMNS])


def get(conn: Connection, code: str) -> Organisation | None:
    """The organisation as the log now leaves it (a driver statement: steps look organisations up)."""
    rows = driver_sql.statement(conn, "organisation.get", _get_statement).rows(conn, {"code": code})
    if not rows:
        return None
    org_code, name, level, parent_code, admits = rows[0]
    return Organisation(org_code, name, level, parent_code, bool(admits))


def all_orgs(conn: Connection, codes: Collection[str] | None = None) -> list[Organisation]:
    """Every organisation, or those of `codes` (a user's scope: a page lists the organisations it may filter
    by, and reading the nation's 53,000 rows for a branch secretary's five cost seconds per page, issue 14)."""
    query = select(ORGS).order_by(ORGS.c.code)
    if codes is not None and len(codes) <= SCOPE_QUERY_MAX:
        query = query.where(ORGS.c.code.in_(sorted(codes)))
    rows = [_org(r) for r in conn.execute(query)]
    return rows if codes is None or len(codes) <= SCOPE_QUERY_MAX else [o for o in rows if o.code in codes]


SCOPE_QUERY_MAX = 5_000  # more codes than this are filtered in Python (SQLite's bound-parameter limit)


# --- the log ------------------------------------------------------------------------------------------------

def load_events(conn: Connection) -> list[Event]:
    """Every organisation event in the order it was recorded (the log is small: one row per change)."""
    rows = conn.execute(select(ORG_EVENTS).order_by(ORG_EVENTS.c.position)).all()
    return [row_to_event(r) for r in rows]


_CHANGES = select(ORG_EVENTS.c.type, ORG_EVENTS.c.stream_id, ORG_EVENTS.c.effective_on,
                  cast(ORG_EVENTS.c.payload, Text)).order_by(ORG_EVENTS.c.position)


def _changes_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_CHANGES, dialect)


def load_changes(conn: Connection) -> list[OrgChange]:
    """Every organisation change in recorded order, as the history needs it: four columns on the driver's
    cursor, the payload decoded by orjson in one pass. `load_events` (whole events through Core) took 4.5 s of
    a cold server's first page at the nation's 52,834 organisations (issue 14); this reads a quarter of it."""
    rows = driver_sql.statement(conn, "org_event.changes", _changes_statement).rows(conn, {})
    loads, from_event = orjson.loads, OrgChange.from_event
    return [from_event(kind, code, _day(on), loads(payload)) for kind, code, on, payload in rows]


def change_of(event: Event) -> OrgChange:
    return OrgChange.from_event(event.type, event.stream_id, event.effective_on, event.payload)


def history_of(events: Iterable[Event]) -> OrgHistory:
    return OrgHistory(change_of(e) for e in events)


def _heads(conn: Connection, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    latest = (select(ORG_EVENTS.c.stream_id, func.max(ORG_EVENTS.c.version).label("version"))
              .where(ORG_EVENTS.c.stream_id.in_(wanted)).group_by(ORG_EVENTS.c.stream_id).subquery())
    rows = conn.execute(select(ORG_EVENTS.c.stream_id, ORG_EVENTS.c.version, ORG_EVENTS.c.hash)
                        .join(latest, (latest.c.stream_id == ORG_EVENTS.c.stream_id)
                              & (latest.c.version == ORG_EVENTS.c.version))).all()
    return {r.stream_id: (r.version, r.hash) for r in rows}


def append(conn: Connection, changes: Sequence[OrgChange], actor: str, now: datetime,
           meta: Sequence[Mapping[str, Any]] | None = None) -> list[Event]:
    """Append each change to its organisation's stream, chained to the stream's head; `meta[i]` (provenance,
    e.g. the workbook row it came from) is stored in the i-th event's `derived["meta"]`.

    Raises:
        ConcurrencyConflictError: someone recorded a change of the same organisation meanwhile.
    """
    if conn.dialect.name == "postgresql":  # positions commit in order: OrgLog's key is the last one (below)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORG_LOG_LOCK_KEY})
    heads = _heads(conn, (c.code for c in changes))
    written: list[Event] = []
    rows = []
    for index, change in enumerate(changes):
        version, prev = heads.get(change.code, (0, GENESIS))
        derived = {"meta": dict(meta[index])} if meta and meta[index] else {}
        event = Event(change.code, version + 1, change.kind, change.on, now.astimezone(UTC), actor, RULE_SET,
                      change.payload(), derived, prev)
        event = event._replace(hash=event_hash(event, prev))
        heads[change.code] = (event.version, event.hash)
        written.append(event)
        rows.append({k: v for k, v in event.as_dict().items() if k != "position"}
                    | {"effective_on": event.effective_on, "recorded_at": event.recorded_at})
    try:
        conn.execute(ORG_EVENTS.insert(), rows)
    except IntegrityError as err:
        code = changes[0].code if changes else "?"
        raise ConcurrencyConflictError(code, 0, -1) from err
    return written


ORG_LOG_LOCK_KEY = 0x6B65746E6F7267  # "ketnorg": held by an organisation append until its commit (PostgreSQL)
_KEY = select(func.coalesce(func.max(ORG_EVENTS.c.position), 0))


def _key_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_KEY, dialect)


@dataclass
class OrgLog:
    """The organisation history, read once and kept until the log changes: every step resolves where its
    candidate belongs and who decides on its date, and the log changes rarely. The key is the last position,
    one look at the primary key's index: organisation appends commit in position order (one writer on SQLite,
    an advisory lock held to the commit on PostgreSQL, `append`), so every commit moves it. It was (rows, last
    position), and counting the nation's 52,834 rows cost 9 ms of the database twice per step (issue 14).

    One caller reads a changed log and the others asking meanwhile wait for its history (single flight): a
    cold server's 32 first requests each read the nation's log at once, for 71 s, and exhausted the connection
    pool (issue 14). Only the newest history is kept, so memory does not grow with requests or dates."""

    _kept: tuple[int, OrgHistory] | None = None  # (key, history), replaced as one
    loads: int = 0  # how many times the log was read (tests count them)
    _loading: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def history(self, conn: Connection) -> OrgHistory:
        """One cheap query per call (a driver statement: every step asks); the log is read only if it changed,
        by one caller at a time: the others wait for it on their own connection (they hold it already, and the
        history they get must be the one their transaction sees: the key is compared again after the wait)."""
        key = int(driver_sql.statement(conn, "org_event.last", _key_statement).rows(conn, {})[0][0])
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        with self._loading:
            kept = self._kept
            if kept is None or kept[0] != key:  # nobody read this log while we waited
                kept = self._kept = (key, OrgHistory(load_changes(conn)))
                self.loads += 1
            return kept[1]

    def forget(self) -> None:
        self._kept = None


# --- the projection -------------------------------------------------------------------------------------------

def projected_values(org: Organisation) -> dict[str, Any]:
    return {"code": org.code, "name": org.name, "level": org.level, "parent_code": org.parent_code,
            "admits": org.admits, "founded_on": None if org.founded_on == SINCE_ALWAYS else org.founded_on,
            "ended_on": org.ended_on, "ended_by": org.ended_by, "successors": list(org.successors),
            "org_type": org.org_type}


def write_projection(conn: Connection, tree: Tree, now: datetime) -> int:
    """Make the `organisation` rows what `tree` (the latest) says; returns how many rows changed. Parents are
    written before their children (the parent_code foreign key)."""
    existing = {o.code: o for o in all_orgs(conn)}
    changed = 0
    for org in _parents_first(tree):
        values = projected_values(org)
        old = existing.get(org.code)
        if old is None:
            conn.execute(ORGS.insert().values(**values, created_at=now))
        elif projected_values(old) != values:
            conn.execute(ORGS.update().where(ORGS.c.code == org.code).values(**values))
        else:
            continue
        changed += 1
    return changed


def _parents_first(tree: Tree) -> list[Organisation]:
    placed: set[str] = set()
    ordered: list[Organisation] = []
    pending = sorted(tree.orgs.values(), key=lambda o: o.code)
    while pending:
        rest = []
        for org in pending:
            if org.parent_code is None or org.parent_code in placed or org.parent_code not in tree.orgs:
                ordered.append(org)
                placed.add(org.code)
            else:
                rest.append(org)
        if len(rest) == len(pending):  # a cycle cannot be recorded; write the rest rather than loop
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def adopt_legacy(conn: Connection, now: datetime) -> int:
    """Organisations added by a release before the log (rows with no stream) get a `created` event dated
    "before anything recorded", so that their history starts where the row did. Nothing stored is rewritten."""
    logged = set(conn.execute(select(ORG_EVENTS.c.stream_id).distinct()).scalars())
    rows = [r for r in conn.execute(select(ORGS)) if r.code not in logged]
    if not rows:
        return 0
    tree = Tree({r.code: _org(r) for r in rows}, {})
    changes = [OrgChange("created", o.code, SINCE_ALWAYS, name=o.name, level=o.level, parent=o.parent_code,
                         admits=o.admits, org_type=o.org_type) for o in _parents_first(tree)]
    append(conn, changes, "ketnap init (organisations recorded before the organisation log)", now)
    return len(changes)
