"""The store reads SQLite's stored rows itself (storage/event_store.py): each time must come back as the value
Core's result processor gives, made UTC-aware, however unusual the text, and each JSON column as Core's
decoder gives it."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import sqlite

from storage.event_store import EVENTS, _sqlite_events, _utc_text

DIALECT = sqlite.dialect()
CORE = EVENTS.c.recorded_at.type.dialect_impl(DIALECT).result_processor(DIALECT, None)
TIMES = [
    "2026-11-20 03:00:00.000000",  # what SQLAlchemy writes
    "2026-11-20 03:00:00.123456",
    "2026-11-20 03:00:00",
    "2026-11-20T03:00:00.5",
    "2026-11-20",  # a bare date: "+00:00" would be read as the time
    "2026-11-20 03:00:00+07:00",  # already carries an offset
    "2026-11-20 03:00:00.123+07",
    "2026-11-20 03:00:00Z",
    "0999-01-01 00:00:00.000000",
]


def core_utc(text: str) -> datetime:
    moment: datetime = CORE(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@pytest.mark.parametrize("text", TIMES)
def test_stored_times_read_as_core_reads_them(text: str) -> None:
    got, want = _utc_text(text), core_utc(text)
    assert (got, got.tzinfo) == (want, UTC)
    assert got.isoformat() == want.isoformat()


@pytest.mark.parametrize("text", TIMES)
def test_a_batch_with_an_unusual_row_reads_every_row_as_core_does(text: str) -> None:
    usual = (1, "s", 1, "identify", "2026-11-20", "2026-11-20 03:00:00.000000", "a", "qd24-2021", '{"x": 1}',
             "{}", "", "h1")
    unusual = (2, "s", 2, "assign_helper", "2026-11-21", text, "a", "qd24-2021", '{"n": NaN}', '{"big": 1e400}',
               "h1", "h2")
    first, second = _sqlite_events([usual, unusual])
    assert first.recorded_at == core_utc(usual[5]) and first.recorded_at.tzinfo is UTC
    assert second.recorded_at == core_utc(text) and second.recorded_at.tzinfo is UTC
    assert str(second.payload["n"]) == "nan" and second.derived == {"big": float("inf")}


def test_text_core_cannot_read_is_refused_the_same_way() -> None:
    with pytest.raises(ValueError):
        CORE("yesterday")
    with pytest.raises(ValueError):
        _utc_text("yesterday")
