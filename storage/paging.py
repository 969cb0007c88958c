"""Paging every list the same way (issue 19): one page of rows, an opaque cursor to the next, and a count.

A page is found by its key, not by an OFFSET: the query asks for the rows after the last key of the page
before (`after`), in an order an index gives, one row more than the page (to know whether another follows).
So the n-th page costs what the first does, and a step recorded between two pages neither repeats nor skips
a row that was there before (a new row lands where its key puts it: before the cursor, on no later page).

The cursor on the wire is the last key, JSON in URL-safe base64: opaque to the caller, checked on the way
back (its length and each value's type), so a forged one is refused and never reaches the SQL as text.
"""

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, tuple_

DEFAULT_LIMIT = 50  # the CLI's page, and the API's when config.yaml does not name one
BATCH = 500  # rows fetched at a time when a whole list is streamed (`--all`, exports)


class BadCursor(ValueError):
    """A cursor that this list did not hand out (or a hand-edited one)."""


@dataclass(frozen=True)
class Page:
    """One page of a list (candidates, deadlines, the outbox, the access log): its rows, and whether more follow.

    `next_cursor` is the cursor of the page after this one (None on the last); `total` is how many rows the
    whole list holds, counted on an index (None where nobody asked)."""

    rows: list[dict[str, Any]]
    has_more: bool
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    next_cursor: str | None = None
    total: int | None = None

    @property
    def more(self) -> int | None:
        """Rows after this page, when the total is known (pages before it included when it was reached by
        `offset`)."""
        if self.total is None:
            return None
        return max(0, self.total - self.offset - len(self.rows))


Key = tuple[Any, ...]


@dataclass(frozen=True)
class KeyOrder:
    """The columns a list is sorted by, the last one unique (an id), each ascending or not; with the Python
    types of their values, to decode a cursor."""

    columns: tuple[ColumnElement[Any], ...]
    types: tuple[type, ...]
    descending: bool = False
    names: tuple[str, ...] = field(default=())

    def after(self, key: Key) -> ColumnElement[bool]:
        """Rows strictly after `key` in this order (a row-value comparison both databases walk in an index)."""
        if self.descending:
            return tuple_(*self.columns) < tuple_(*key)
        return tuple_(*self.columns) > tuple_(*key)

    def order_by(self) -> list[Any]:
        return [c.desc() if self.descending else c.asc() for c in self.columns]

    def key_of(self, row: dict[str, Any]) -> Key:
        names = self.names or tuple(str(c.key) for c in self.columns)
        return tuple(row[n] for n in names)

    def encode(self, key: Key) -> str:
        values = [v.isoformat() if isinstance(v, date) else v for v in key]
        raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> Key:
        """Raises: BadCursor, when it does not hold one value of the right type per key column."""
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError) as err:
            raise BadCursor(f"not a cursor of this list: {cursor[:40]!r}") from err
        if not isinstance(values, list) or len(values) != len(self.types):
            raise BadCursor(f"not a cursor of this list: {cursor[:40]!r}")
        key: list[Any] = []
        for value, kind in zip(values, self.types, strict=True):
            try:
                if kind is date:
                    key.append(date.fromisoformat(value))
                elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                    key.append(value)
                elif kind is str and isinstance(value, str):
                    key.append(value)
                else:
                    raise TypeError(value)
            except (TypeError, ValueError) as err:
                raise BadCursor(f"not a cursor of this list: {cursor[:40]!r}") from err
        return tuple(key)

    def page(self, rows: list[dict[str, Any]], limit: int, offset: int = 0, total: int | None = None) -> Page:
        """`rows` fetched with LIMIT limit + 1: the page, and the cursor of the next when there is one."""
        more = len(rows) > limit
        shown = rows[:limit]
        cursor = self.encode(self.key_of(shown[-1])) if more and shown else None
        return Page(shown, more, offset, limit, cursor, total)


def walk(fetch: Callable[[str | None], Page]) -> Iterator[dict[str, Any]]:
    """Every row of a list, one page (`fetch(cursor)`) at a time: memory holds one page, however long the list."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """`rows` in lists of `size` (the last may be shorter): a streamed table is printed a batch at a time."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


__all__ = ["BATCH", "DEFAULT_LIMIT", "BadCursor", "KeyOrder", "Page", "batches", "walk"]
