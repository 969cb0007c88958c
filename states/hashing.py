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
    if moment.tzinfo is UTC and moment.year >= 1000:  # as the store reads it back: one C call
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"  # "...+00:00" -> "...Z"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # glibc's %Y does not pad: keep the text every earlier hash was made with
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"  # a fifth of strftime's cost


def canonical_json(value: Any) -> str:
    """Sorted keys, NFC strings, no spaces, ISO dates."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: Event, prev_hash: str) -> str:
    return fields_hash(event.stream_id, event.version, event.type, event.effective_on, event.recorded_at,
                       event.actor, event.rule_set, event.payload, event.derived, prev_hash)


def fields_hash(stream_id: str, version: int, type_: str, effective_on: date, recorded_at: datetime, actor: str,
                rule_set: str, payload: dict[str, Any], derived: dict[str, Any], prev_hash: str) -> str:
    """The hash of an event with these fields after `prev_hash`: what `event_hash` computes, for an event that
    is still being made (a frozen event cannot be given its hash afterwards)."""
    text = _plain_text(stream_id, version, type_, effective_on, recorded_at, actor, rule_set, payload, derived)
    if text is None:
        text = canonical_json({"stream_id": stream_id, "version": version, "type": type_,
                               "effective_on": effective_on, "recorded_at": recorded_at, "actor": actor,
                               "rule_set": rule_set, "payload": payload, "derived": derived})
    return hashlib.sha256((text + prev_hash).encode("utf-8")).hexdigest()


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not plain JSON")


# json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds a new C encoder on every call;
# this one is built once (no circular check: a cycle raises RecursionError, and the long way reports it).
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without the C accelerator: the long way
_DUMP = (_C_ENCODER(None, _not_json, json.encoder.encode_basestring, None, ":", ",", True, False, True)
         if _C_ENCODER is not None else None)


def _plain_text(stream_id: Any, version: Any, type_: Any, effective_on: Any, recorded_at: Any, actor: Any,
                rule_set: Any, payload: Any, derived: Any) -> str | None:
    """`canonical_json` of the event body, written directly, or None when unsure (then the long way decides).

    Every step and every audited event is hashed, and the general walk costs twice this. The text is written
    key by key in sorted order, each value as the canonical dump writes it, when every field has its plain
    type and payload and derived hold only JSON values. It is canonical when it is NFC as a whole: a string
    that is not NFC on its own is not NFC between quotes either (a quote never composes or reorders with a
    mark). tests/unit/states/test_hash_text.py holds it to `canonical_json`."""
    if (_DUMP is None or type(stream_id) is not str or type(version) is not int or type(type_) is not str
            or type(effective_on) is not date or type(recorded_at) is not datetime or type(actor) is not str
            or type(rule_set) is not str):
        return None
    try:
        text = _body(stream_id, version, type_, effective_on, recorded_at, actor, rule_set, "".join(_DUMP(payload, 0)),
                     "".join(_DUMP(derived, 0)))
    except (TypeError, ValueError, RecursionError):
        return None
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else None


def _body(stream_id: str, version: int, type_: str, effective_on: date, recorded_at: datetime, actor: str,
          rule_set: str, payload_json: str, derived_json: str) -> str:
    quote = json.encoder.encode_basestring
    return (f'{{"actor":{quote(actor)},"derived":{derived_json},"effective_on":"{effective_on.isoformat()}",'
            f'"payload":{payload_json},"recorded_at":"{utc_iso(recorded_at)}","rule_set":{quote(rule_set)},'
            f'"stream_id":{quote(stream_id)},"type":{quote(type_)},"version":{version}}}')


def stored_text_hash(event: Event, payload_json: str, derived_json: str) -> str | None:
    """The hash of `event` with its payload and derived written as the JSON text they are stored as, or None
    when a field is not of its plain type. When it equals the event's stored hash, that text is the canonical
    text the hash was made from (the store writes sorted, compact JSON), so the stored values are the hashed
    ones: an audit need not dump them again. Any other answer proves nothing; `event_hash` then decides."""
    if (type(event.stream_id) is not str or type(event.version) is not int or type(event.type) is not str
            or type(event.effective_on) is not date or type(event.recorded_at) is not datetime
            or type(event.actor) is not str or type(event.rule_set) is not str or type(payload_json) is not str
            or type(derived_json) is not str or type(event.prev_hash) is not str):
        return None
    text = _body(event.stream_id, event.version, event.type, event.effective_on, event.recorded_at, event.actor,
                 event.rule_set, payload_json, derived_json)
    try:
        return hashlib.sha256((text + event.prev_hash).encode("utf-8")).hexdigest()
    except UnicodeEncodeError:  # a lone surrogate: no hash was ever made of it
        return None
