"""The step path binds dates and times on SQLite with `isoformat` instead of SQLAlchemy's own processors
(storage/driver_sql.py); what it stores must be the very text SQLAlchemy would store, or reads, sorts and
comparisons in SQL would differ between rows written by the two paths."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Date, DateTime
from sqlalchemy.dialects import sqlite

from storage.driver_sql import _bind_processor

DIALECT = sqlite.dialect()
MOMENTS = [datetime(2026, 11, 22, 10, 0), datetime(2026, 11, 22, 10, 0, 0, 7, tzinfo=UTC),
           datetime(2026, 11, 22, 17, 30, 5, 123456, tzinfo=timezone(timedelta(hours=7))),
           datetime(1, 1, 1), datetime(999, 12, 31, 23, 59, 59), datetime(9999, 12, 31, 23, 59, 59, 999999),
           date(2024, 2, 29), None]
DAYS = [date(2024, 2, 29), date(1, 1, 1), date(999, 1, 9), date(9999, 12, 31),
        datetime(2026, 11, 22, 10, 0, tzinfo=UTC), None]


def _own(type_: Any) -> Any:
    impl = type_.dialect_impl(DIALECT)
    return impl.bind_processor(DIALECT)


@pytest.mark.parametrize("value", MOMENTS, ids=repr)
def test_times_are_stored_as_sqlalchemy_stores_them(value: Any) -> None:
    impl = DateTime(timezone=True).dialect_impl(DIALECT)
    assert _bind_processor(impl, DIALECT)(value) == _own(DateTime(timezone=True))(value)  # type: ignore[misc]


@pytest.mark.parametrize("value", DAYS, ids=repr)
def test_dates_are_stored_as_sqlalchemy_stores_them(value: Any) -> None:
    impl = Date().dialect_impl(DIALECT)
    assert _bind_processor(impl, DIALECT)(value) == _own(Date())(value)  # type: ignore[misc]


def test_a_custom_storage_format_keeps_sqlalchemy_s_processor() -> None:
    custom = sqlite.DATETIME(storage_format="%(year)04d%(month)02d%(day)02d")
    assert _bind_processor(custom, DIALECT)(datetime(2026, 1, 2)) == "20260102"  # type: ignore[misc]


def test_values_sqlite_cannot_hold_are_refused_as_before() -> None:
    impl = Date().dialect_impl(DIALECT)
    with pytest.raises(TypeError):
        _bind_processor(impl, DIALECT)("2024-02-29")  # type: ignore[misc]
