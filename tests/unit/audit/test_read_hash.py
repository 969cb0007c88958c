"""The audit hashes an event as read from the log without `event_hash`'s general path; it must give exactly
`event_hash`, or decline (None) and leave the answer to `event_hash`. Anything else would let the audit accept
a hash that the canonical form does not give, or flag an event that is intact."""

import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from states.events import Event
from states.hashing import event_hash
from tests.builders import history_until
from workflow.audit.chain import _read_hash, hash_holds

READ_BACK = [replace(e, recorded_at=e.recorded_at.astimezone(UTC), position=i)
             for i, e in enumerate(history_until(), start=1)]  # as the store hands them back: UTC, positioned

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


def with_hash(e: Event) -> Event:
    return replace(e, hash=event_hash(e, e.prev_hash))


@pytest.mark.parametrize("event", READ_BACK, ids=lambda e: e.type)
def test_every_step_of_the_standard_path_is_hashed_as_event_hash_does(event: Event) -> None:
    assert _read_hash(event) == event_hash(event, event.prev_hash) == event.hash


@pytest.mark.parametrize(("name", "payload"), PLAIN_JSON, ids=[n for n, _ in PLAIN_JSON])
def test_plain_json_payloads_hash_as_event_hash_does(name: str, payload: dict[Any, Any]) -> None:
    for e in (replace(READ_BACK[3], payload=payload), replace(READ_BACK[3], derived=payload),
              replace(READ_BACK[3], stream_id="ứng-viên-1", actor="bí thư", payload=payload)):
        assert _read_hash(e) == event_hash(e, e.prev_hash)


@pytest.mark.parametrize("moment", [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                                    datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
                                    datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999,
                                                                               tzinfo=UTC)])
def test_times_with_and_without_microseconds_hash_as_event_hash_does(moment: datetime) -> None:
    e = replace(READ_BACK[0], recorded_at=moment)
    assert _read_hash(e) == event_hash(e, e.prev_hash)


DECLINED: list[tuple[str, dict[str, Any]]] = [
    ("text that is not NFC", {"payload": {"helper": unicodedata.normalize("NFD", "Phạm Văn Bình")}}),
    ("a date inside the payload", {"payload": {"on": date(2025, 1, 1)}}),
    ("a time in another zone", {"recorded_at": datetime(2026, 1, 2, 10, tzinfo=timezone(timedelta(hours=7)))}),
    ("a naive time", {"recorded_at": datetime(2026, 1, 2, 3)}),
    ("a year before 1000", {"recorded_at": datetime(999, 1, 2, 3, tzinfo=UTC)}),
    ("a datetime as the business date", {"effective_on": datetime(2025, 1, 1, 8, tzinfo=UTC)}),
    ("a version that is a boolean", {"version": True}),
]


@pytest.mark.parametrize(("name", "change"), DECLINED, ids=[n for n, _ in DECLINED])
def test_anything_else_is_left_to_event_hash_and_still_judged_right(name: str, change: dict[str, Any]) -> None:
    e = with_hash(replace(READ_BACK[1], **change))
    assert _read_hash(e) is None
    assert hash_holds(e)
    assert not hash_holds(replace(e, actor="someone else"))


def test_a_value_json_cannot_hold_is_an_edit() -> None:
    e = replace(READ_BACK[1], payload={"helper": object()})
    assert _read_hash(e) is None
    assert not hash_holds(e)


def test_a_lone_surrogate_is_an_edit_not_a_crash() -> None:
    e = replace(READ_BACK[1], payload={"helper": "\ud800"})
    assert _read_hash(e) is None
    assert not hash_holds(e)


@pytest.mark.parametrize(("field", "value"), [("actor", "x"), ("version", 99), ("prev_hash", "0" * 64),
                                              ("payload", {"helper": "Người khác"}), ("derived", {"late": True}),
                                              ("effective_on", date(2020, 1, 1)), ("rule_set", "qd294-2025")])
def test_any_changed_field_breaks_the_hash(field: str, value: Any) -> None:
    e = READ_BACK[1]
    assert hash_holds(e)
    assert not hash_holds(replace(e, **{field: value}))
