"""Every event is hashed through a fast path that writes the canonical text directly; it must give exactly the
hash of `canonical_json` (sorted keys, NFC, no spaces, ISO dates) or step aside. Anything else would make a
step's stored hash disagree with what an auditor recomputes from the documented form."""

import hashlib
import json
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from states.events import Event
from states.hashing import _plain_text, canonical_json, event_hash, stored_text_hash
from tests.builders import history_until

HISTORY = history_until()


def reference_hash(e: Event) -> str:
    """The documented form, by the general (slow) path only."""
    body = canonical_json({"stream_id": e.stream_id, "version": e.version, "type": e.type,
                           "effective_on": e.effective_on, "recorded_at": e.recorded_at, "actor": e.actor,
                           "rule_set": e.rule_set, "payload": e.payload, "derived": e.derived})
    return hashlib.sha256((body + e.prev_hash).encode("utf-8")).hexdigest()


def _plain(e: Event) -> str | None:
    return _plain_text(e.stream_id, e.version, e.type, e.effective_on, e.recorded_at, e.actor, e.rule_set,
                       e.payload, e.derived)


PLAIN_JSON: list[tuple[str, dict[Any, Any]]] = [
    ("Vietnamese text, NFC", {"helper": "Phạm Văn Bình", "note": "Chi bộ Giáo viên"}),
    ("quotes, escapes, control characters and separators",
     {"note": 'a "quoted" word\n\ttab \x01 \x7f \u2028 \u2029 / \\ end'}),
    ("floats", {"x": 1e16, "y": 0.1, "z": -0.0, "w": 1e-7, "big": 1.5e300}),
    ("an integer beyond 64 bits", {"n": 2**70, "m": -(2**64)}),
    ("nested lists, booleans and null", {"a": [1, [True, None, False], {"b": "c"}], "d": {}}),
    ("keys out of order", {"z": 1, "a": 2, "ả": 3, "A": 4}),
    ("a key that is a number", {1: "one"}),
    ("an emoji and a CJK character", {"note": "🙂 漢"}),
    ("a tuple, which json writes as a list", {"pair": ("a", "b")}),
]


@pytest.mark.parametrize("event", HISTORY, ids=lambda e: e.type)
def test_every_step_of_the_standard_path_takes_the_fast_path_and_hashes_as_documented(event: Event) -> None:
    assert _plain(event) is not None
    assert event_hash(event, event.prev_hash) == reference_hash(event) == event.hash


@pytest.mark.parametrize(("name", "payload"), PLAIN_JSON, ids=[n for n, _ in PLAIN_JSON])
def test_plain_json_payloads_hash_as_documented(name: str, payload: dict[Any, Any]) -> None:
    for e in (HISTORY[3]._replace(payload=payload), HISTORY[3]._replace(derived=payload),
              HISTORY[3]._replace(stream_id="ứng-viên-1", actor="bí thư", payload=payload)):
        assert _plain(e) is not None
        assert event_hash(e, e.prev_hash) == reference_hash(e)


@pytest.mark.parametrize("moment", [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, 6),
                                    datetime(2026, 1, 2, 10, tzinfo=timezone(timedelta(hours=7))),
                                    datetime(1000, 1, 1, tzinfo=UTC), datetime(999, 1, 2, 3, tzinfo=UTC),
                                    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)])
def test_times_in_any_zone_and_any_year_hash_as_documented(moment: datetime) -> None:
    e = HISTORY[0]._replace(recorded_at=moment)
    assert event_hash(e, e.prev_hash) == reference_hash(e)


ELSEWHERE: list[tuple[str, dict[str, Any]]] = [
    ("text that is not NFC", {"payload": {"helper": unicodedata.normalize("NFD", "Phạm Văn Bình")}}),
    ("a key that is not NFC", {"payload": {unicodedata.normalize("NFD", "ả"): 1, "a": 2}}),
    ("a date inside the payload", {"payload": {"on": date(2025, 1, 1)}}),
    ("a date as a key", {"payload": {date(2025, 1, 1): "x"}}),
    ("a datetime as the business date", {"effective_on": datetime(2025, 1, 1, 8, tzinfo=UTC)}),
    ("a version that is a boolean", {"version": True}),
    ("singletons that NFC replaces", {"derived": {"ohm": "\u2126", "angstrom": "\u212b"}}),
]


@pytest.mark.parametrize(("name", "change"), ELSEWHERE, ids=[n for n, _ in ELSEWHERE])
def test_anything_else_takes_the_long_way_and_still_hashes_as_documented(name: str, change: dict[str, Any]) -> None:
    e = HISTORY[1]._replace(**change)
    assert _plain(e) is None
    assert event_hash(e, e.prev_hash) == reference_hash(e)


def test_a_value_json_cannot_hold_cannot_be_hashed() -> None:
    e = HISTORY[1]._replace(payload={"helper": object()})
    with pytest.raises(TypeError):
        event_hash(e, e.prev_hash)


def test_nfd_and_nfc_spellings_of_a_name_hash_alike() -> None:
    nfc = HISTORY[0]._replace(actor="Nguyễn Thị Hoà")
    nfd = HISTORY[0]._replace(actor=unicodedata.normalize("NFD", "Nguyễn Thị Hoà"))
    assert event_hash(nfc, "") == event_hash(nfd, "")


@pytest.mark.parametrize("event", HISTORY, ids=lambda e: e.type)
def test_the_stored_canonical_text_hashes_as_the_event_does(event: Event) -> None:
    assert stored_text_hash(event, canonical_json(event.payload), canonical_json(event.derived)) == event.hash


def test_stored_text_in_any_other_form_proves_nothing() -> None:
    e = HISTORY[2]
    for payload_text in (json.dumps(e.payload), json.dumps(e.payload, sort_keys=True),  # spaces
                         canonical_json({**e.payload, "extra": 1}), canonical_json(e.payload) + " "):
        assert stored_text_hash(e, payload_text, canonical_json(e.derived)) != e.hash
    assert stored_text_hash(e, "\ud800", "{}") is None  # a lone surrogate cannot have been hashed
