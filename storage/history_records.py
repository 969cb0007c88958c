"""Reading and appending the historical-record log (storage/history_tables.py; states/history_records.py says
what a record is). The log is small (a few rows per organisation), so it is read whole or per organisation."""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from states.events import Event
from states.hashing import GENESIS, event_hash
from states.history_records import RULE_SET
from storage.errors import ConcurrencyConflictError
from storage.event_store import row_to_event
from storage.history_tables import HistoryEventRow

HISTORY_EVENTS = HistoryEventRow.__table__  # type: ignore[attr-defined]


def load_events(conn: Connection, orgs: Iterable[str] | None = None) -> list[Event]:
    """The events of every organisation's historical stream (of `orgs` only, if given), in recorded order."""
    query = select(HISTORY_EVENTS).order_by(HISTORY_EVENTS.c.position)
    if orgs is not None:
        query = query.where(HISTORY_EVENTS.c.stream_id.in_(sorted(set(orgs))))
    return [row_to_event(r) for r in conn.execute(query)]


def append(conn: Connection, org: str, kind: str, on: date, payload: Mapping[str, Any], actor: str,
           now: datetime, meta: Mapping[str, Any] | None = None) -> Event:
    """Append one event to `org`'s historical stream, chained to its head.

    Raises:
        ConcurrencyConflictError: someone appended to the same stream meanwhile.
    """
    head = conn.execute(select(HISTORY_EVENTS.c.version, HISTORY_EVENTS.c.hash)
                        .where(HISTORY_EVENTS.c.stream_id == org)
                        .order_by(HISTORY_EVENTS.c.version.desc()).limit(1)).first()
    version, prev = (head.version, head.hash) if head else (0, GENESIS)
    event = Event(org, version + 1, kind, on, now.astimezone(UTC), actor, RULE_SET, dict(payload),
                  {"meta": dict(meta)} if meta else {}, prev)
    event = event._replace(hash=event_hash(event, prev))
    row = {k: v for k, v in event.as_dict().items() if k != "position"}
    try:
        conn.execute(HISTORY_EVENTS.insert().values(**row | {"effective_on": event.effective_on,
                                                             "recorded_at": event.recorded_at}))
    except IntegrityError as err:
        raise ConcurrencyConflictError(org, version, -1) from err
    return event
