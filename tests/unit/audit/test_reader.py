"""The audit reads SQLite's stored times itself: each must come back as the value Core's result processor
gives, made UTC-aware as the event store does."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import sqlite

from storage.event_store import EVENTS
from workflow.audit.reader import _sqlite_utc

DIALECT = sqlite.dialect()
CORE = EVENTS.c.recorded_at.type.dialect_impl(DIALECT).result_processor(DIALECT, None)


def core_utc(text: str) -> datetime:
    moment: datetime = CORE(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@pytest.mark.parametrize("text", [
    "2026-11-20 03:00:00.000000",  # what SQLAlchemy writes
    "2026-11-20 03:00:00.123456",
    "2026-11-20 03:00:00",
    "2026-11-20T03:00:00.5",
    "2026-11-20",  # a bare date: "+00:00" would be read as the time
    "2026-11-20 03:00:00+07:00",  # already carries an offset
    "2026-11-20 03:00:00.123+07",
    "2026-11-20 03:00:00Z",
    "0999-01-01 00:00:00.000000",
])
def test_stored_times_read_as_core_reads_them(text: str) -> None:
    got, want = _sqlite_utc(text), core_utc(text)
    assert (got, got.tzinfo) == (want, UTC)
    assert got.isoformat() == want.isoformat()


def test_text_core_cannot_read_is_refused_the_same_way() -> None:
    with pytest.raises(ValueError):
        CORE("yesterday")
    with pytest.raises(ValueError):
        _sqlite_utc("yesterday")
