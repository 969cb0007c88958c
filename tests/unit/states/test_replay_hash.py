"""Replay and the hash chain (ARCHITECTURE.md decisions 1, 3, 4); NFC storage of Vietnamese text."""

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from states.candidate import replay
from states.events import Event
from states.hashing import canonical_json, event_hash
from states.stages import Stage
from tests.builders import PERSON, introducers
from tests.unit.states.helpers import STANDARD, decide_on, run, state


@pytest.fixture(scope="module")
def history() -> list[Event]:
    return run(STANDARD)


def test_replay_is_deterministic(history: list[Event]) -> None:
    first, second = replay(history), replay(iter(list(history)))
    assert first == second
    assert first.stage is Stage.OFFICIAL
    assert (first.version, first.last_hash) == (len(history), history[-1].hash)


def test_deciding_the_same_step_twice_gives_the_same_event(history: list[Event]) -> None:
    before = history[:-1]
    name, on, fields = STANDARD[-1]
    assert decide_on(before, name, on, fields)[-1] == decide_on(before, name, on, fields)[-1] == history[-1]


def test_replay_of_a_prefix_is_the_state_at_that_point(history: list[Event]) -> None:
    stages = [replay(history[:n]).stage for n in range(1, len(history) + 1)]
    assert stages[0] is Stage.IDENTIFIED
    assert stages[-1] is Stage.OFFICIAL
    assert stages.index(Stage.PROBATIONARY) == [e.type for e in history].index("hold_ceremony")


def test_versions_are_gapless_and_the_hash_chain_links(history: list[Event]) -> None:
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    assert history[0].prev_hash == ""
    for previous, event in zip(history, history[1:], strict=False):
        assert event.prev_hash == previous.hash
    assert all(len(e.hash) == 64 and int(e.hash, 16) >= 0 for e in history)
    assert len({e.hash for e in history}) == len(history)
    assert all(event_hash(e, e.prev_hash) == e.hash for e in history)


@pytest.mark.parametrize(("change", "value"), [
    ("payload", {"helper": "Phạm Văn Bính"}),
    ("derived", {"late": True}),
    ("effective_on", date(2024, 1, 21)),
    ("recorded_at", datetime(2026, 11, 20, 3, 0, 1, tzinfo=UTC)),
    ("actor", "someone-else"),
    ("rule_set", "qd29-2016"),
    ("version", 3),
    ("stream_id", "c-2"),
    ("type", "enrol_training"),
])
def test_changing_any_recorded_field_changes_the_hash(history: list[Event], change: str, value: Any) -> None:
    event = history[1]  # assign_helper
    assert event_hash(event._replace(**{change: value}), event.prev_hash) != event.hash


def test_the_previous_hash_is_part_of_the_hash(history: list[Event]) -> None:
    event = history[1]
    assert event_hash(event, history[0].hash) == event.hash
    assert event_hash(event, "0" * 64) != event.hash


def test_canonical_json_ignores_key_order_unicode_form_and_time_zone() -> None:
    nfc = "Nguyễn Thị Hoà"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    moment = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    hanoi = moment.astimezone(timezone(timedelta(hours=7)))
    assert canonical_json({"b": nfd, "a": [moment]}) == canonical_json({"a": [hanoi], "b": nfc})
    assert canonical_json({"at": moment}) == canonical_json({"at": moment.replace(tzinfo=None)})  # naive is UTC
    assert canonical_json({"on": date(2024, 2, 29)}) == '{"on":"2024-02-29"}'
    assert canonical_json({"name": nfc}) == '{"name":"Nguyễn Thị Hoà"}'


def test_names_entered_in_nfd_are_stored_in_nfc() -> None:
    nfd = {key: unicodedata.normalize("NFD", value) if isinstance(value, str) else value
           for key, value in PERSON.items()}
    assert nfd["full_name"] != PERSON["full_name"]
    ethnicity = unicodedata.normalize("NFD", "Kinh Tày")
    events = decide_on([], "identify", date(2024, 1, 10), {**nfd, "ethnicity": ethnicity})
    payload = events[0].payload
    assert payload["full_name"] == PERSON["full_name"] == unicodedata.normalize("NFC", payload["full_name"])
    assert payload["ethnicity"] == "Kinh Tày"
    assert state(events).full_name == "Nguyễn Thị Hoà"


def test_nested_names_are_stored_in_nfc() -> None:
    events = run(STANDARD, stop="introduce")
    people = introducers()
    for person in people["introducers"]:
        person["name"] = unicodedata.normalize("NFD", person["name"])
    after = decide_on(events, "introduce", date(2024, 6, 10), people)
    names = [p["name"] for p in after[-1].payload["introducers"]]
    assert names == ["Lê Văn Cường", "Trần Minh Đức"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
