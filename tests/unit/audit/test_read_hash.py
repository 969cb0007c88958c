"""The audit's verdict on one event's own hash: intact events hold, any edit breaks it, and a value the
canonical form cannot hold is an edit, never a crash of the audit (the hash itself: tests/unit/states/
test_hash_text.py)."""

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from states.events import Event
from states.hashing import event_hash
from tests.builders import history_until
from workflow.audit.chain import hash_holds

READ_BACK = [e._replace(recorded_at=e.recorded_at.astimezone(UTC), position=i)
             for i, e in enumerate(history_until(), start=1)]  # as the store hands them back: UTC, positioned


def with_hash(e: Event) -> Event:
    return e._replace(hash=event_hash(e, e.prev_hash))


@pytest.mark.parametrize("event", READ_BACK, ids=lambda e: e.type)
def test_every_intact_step_holds(event: Event) -> None:
    assert hash_holds(event)


UNUSUAL: list[tuple[str, dict[str, Any]]] = [
    ("text that is not NFC", {"payload": {"helper": unicodedata.normalize("NFD", "Phạm Văn Bình")}}),
    ("a date inside the payload", {"payload": {"on": date(2025, 1, 1)}}),
    ("a time in another zone", {"recorded_at": datetime(2026, 1, 2, 10, tzinfo=timezone(timedelta(hours=7)))}),
    ("a naive time", {"recorded_at": datetime(2026, 1, 2, 3)}),
    ("a year before 1000", {"recorded_at": datetime(999, 1, 2, 3, tzinfo=UTC)}),
]


@pytest.mark.parametrize(("name", "change"), UNUSUAL, ids=[n for n, _ in UNUSUAL])
def test_unusual_values_are_judged_right(name: str, change: dict[str, Any]) -> None:
    e = with_hash(READ_BACK[1]._replace(**change))
    assert hash_holds(e)
    assert not hash_holds(e._replace(actor="someone else"))


def test_a_value_json_cannot_hold_is_an_edit() -> None:
    assert not hash_holds(READ_BACK[1]._replace(payload={"helper": object()}))


def test_a_lone_surrogate_is_an_edit_not_a_crash() -> None:
    assert not hash_holds(READ_BACK[1]._replace(payload={"helper": "\ud800"}))


@pytest.mark.parametrize(("field", "value"), [("actor", "x"), ("version", 99), ("prev_hash", "0" * 64),
                                              ("payload", {"helper": "Người khác"}), ("derived", {"late": True}),
                                              ("effective_on", date(2020, 1, 1)), ("rule_set", "qd294-2025")])
def test_any_changed_field_breaks_the_hash(field: str, value: Any) -> None:
    e = READ_BACK[1]
    assert hash_holds(e)
    assert not hash_holds(e._replace(**{field: value}))
