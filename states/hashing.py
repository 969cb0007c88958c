"""The hash chain over a candidate's events (ARCHITECTURE.md decision 3): edits, deletions, insertions and
reorderings all break it."""

import hashlib
import json
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from states.events import Event

GENESIS = ""


_AS_IS = frozenset({int, float, bool, type(None)})


def _normalise(value: Any) -> Any:
    """NFC strings and ISO dates, recursively. Every step hashes its event: exact types take a short path
    (ASCII is already NFC), anything else (subclasses, tuples, dates) the general one."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if kind is dict:
        return {_normalise(k): _normalise(v) for k, v in value.items()}
    if kind in _AS_IS:
        return value
    if kind is list:
        return [_normalise(v) for v in value]
    return _normalise_other(value)


def _normalise_other(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_normalise(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def utc_iso(moment: datetime) -> str:
    """UTC with microseconds, whatever zone (or none: SQLite returns naive UTC) the value came with."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # glibc's %Y does not pad: keep the text every earlier hash was made with
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"  # a fifth of strftime's cost


def canonical_json(value: Any) -> str:
    """Sorted keys, NFC strings, no spaces, ISO dates."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _iso(value: Any) -> str:
    """Dates and datetimes as `_normalise` writes them; anything else json cannot hold sends us the long way."""
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def fast_canonical_json(value: Any) -> str:
    """`canonical_json` in one json.dumps when that already gives the canonical text, else `canonical_json`.

    Every step and every audited event is hashed, and the recursive walk costs twice the dump. The dump is
    canonical when it is NFC as a whole: a string that is not NFC on its own is not NFC between the quotes
    either (a quote never composes or reorders with a mark), and NFC keys sort as they are. Keys that are not
    strings (a date key) make json refuse, and the long way converts them."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso)
    except (TypeError, ValueError):
        return canonical_json(value)
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return canonical_json(value)


def event_hash(event: Event, prev_hash: str) -> str:
    return fields_hash(event.stream_id, event.version, event.type, event.effective_on, event.recorded_at,
                       event.actor, event.rule_set, event.payload, event.derived, prev_hash)


def fields_hash(stream_id: str, version: int, type_: str, effective_on: date, recorded_at: datetime, actor: str,
                rule_set: str, payload: dict[str, Any], derived: dict[str, Any], prev_hash: str) -> str:
    """The hash of an event with these fields after `prev_hash`: what `event_hash` computes, for an event that
    is still being made (a frozen event cannot be given its hash afterwards)."""
    body = fast_canonical_json({"stream_id": stream_id, "version": version, "type": type_,
                                "effective_on": _iso(effective_on) if type(effective_on) is date else effective_on,
                                "recorded_at": _iso(recorded_at) if type(recorded_at) is datetime else recorded_at,
                                "actor": actor, "rule_set": rule_set, "payload": payload, "derived": derived})
    return hashlib.sha256((body + prev_hash).encode("utf-8")).hexdigest()
