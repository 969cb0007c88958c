"""How the CLI prints a list (issue 19): one page by default, with how many rows there are and how to see more;
`--all` streams every row, a batch at a time, as a table (or a JSON document) written while it is read.

Every list command takes `--limit`, `--page`, `--cursor` and `--all` (help text on each command) and hands
this module a `fetch(limit, cursor, offset, count) -> Page` of its own; nothing here knows what it lists.
"""

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from storage.paging import BATCH, Page
from workflow.documents import json_default
from workflow.refusals import InvalidInput

Fetch = Callable[[int, str | None, int, bool], Page]  # limit, cursor, offset, count


@dataclass(frozen=True)
class Paging:
    """What the options asked for: a page of `limit` rows (the `page`-th, or the one after `cursor`), or all."""

    limit: int
    page: int = 1
    cursor: str | None = None
    every: bool = False

    def __post_init__(self) -> None:
        if self.cursor and self.page > 1:
            raise InvalidInput("--cursor and --page choose the page two ways: give one of them",
                               [{"field": "--cursor", "message": "not with --page"}])

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def more_line(page: Paging, shown: Page, noun: str) -> str:
    """"50 of 15554 open deadline(s)" and, when more follow, how to see them (in Vietnamese, as people read it)."""
    total = shown.total
    if not shown.has_more:
        count = total if total is not None else shown.offset + len(shown.rows)
        return f"{count} {noun}" if shown.offset == 0 else f"{len(shown.rows)} {noun} (of {count})"
    first = shown.offset + 1
    head = f"{first}–{shown.offset + len(shown.rows)} of {total} {noun}" if total is not None \
        else f"{len(shown.rows)} {noun}"
    more = f"{shown.more} mục nữa" if shown.more is not None else "còn mục nữa"
    how = f"--page {page.page + 1}" if page.cursor is None else f"--cursor {shown.next_cursor}"
    return f"{head}\n… và {more} (dùng --all hoặc {how})"


def page_doc(shown: Page, rows: list[Any]) -> dict[str, Any]:
    """The --json form of a page: its rows in `items`, `total`, `more`, and `next_cursor` for the next page."""
    return {"items": rows, "total": shown.total, "more": shown.more, "limit": shown.limit, "offset": shown.offset,
            "has_more": shown.has_more, "next_cursor": shown.next_cursor}


def _every_row(fetch: Fetch) -> Iterator[list[dict[str, Any]]]:
    """Every row, a batch (one query) at a time, each after the cursor of the one before."""
    cursor: str | None = None
    while True:
        batch = fetch(BATCH, cursor, 0, False)
        if batch.rows:
            yield batch.rows
        if batch.next_cursor is None:
            return
        cursor = batch.next_cursor


def print_list(json_out: bool, paging: Paging, fetch: Fetch, table: Callable[[list[dict[str, Any]]], Table],
               noun: str, doc: Callable[[dict[str, Any]], Any] = lambda r: r) -> None:
    """One page (table, count and "N more" line; or `page_doc`), or with `paging.every` every row streamed."""
    if paging.every:
        _stream(json_out, fetch, table, noun, doc)
        return
    shown = fetch(paging.limit, paging.cursor, paging.offset, True)
    if json_out:
        sys.stdout.write(json.dumps(page_doc(shown, [doc(r) for r in shown.rows]), ensure_ascii=False, indent=2,
                                    default=json_default) + "\n")
        return
    con = Console(highlight=False, soft_wrap=True)
    if shown.rows:
        con.print(table(shown.rows))
    con.print(more_line(paging, shown, noun), markup=False)


def _stream(json_out: bool, fetch: Fetch, table: Callable[[list[dict[str, Any]]], Table], noun: str,
            doc: Callable[[dict[str, Any]], Any]) -> None:
    """--all: a batch is read, printed and dropped before the next is read. The text form is one table whose
    header is printed once and whose columns keep the widths the first batch needed (or more, as later ones
    need); the JSON form is the page document with every row in `items` and no `next_cursor`."""
    out, count = sys.stdout, 0
    con = Console(highlight=False, soft_wrap=True)
    widths: list[int] = []
    if json_out:
        out.write('{\n  "items": [')
    for batch in _every_row(fetch):
        if json_out:
            for row in batch:
                text = json.dumps(doc(row), ensure_ascii=False, default=json_default)
                out.write(("\n    " if count == 0 else ",\n    ") + text)
                count += 1
        else:
            shown = table(batch)
            shown.show_header = count == 0
            for column, width in zip(shown.columns, widths, strict=False):
                column.min_width = width
            con.print(shown)
            widths = [max(w, m) for w, m in zip(_measured(shown), widths or [0] * len(shown.columns), strict=True)]
            count += len(batch)
        out.flush()
    if json_out:
        out.write(f'\n  ],\n  "total": {count},\n  "more": 0,\n  "has_more": false,\n  "next_cursor": null\n}}\n')
    else:
        con.print(f"{count} {noun}", markup=False)


def _measured(table: Table) -> list[int]:
    """The width of each column's widest cell and header, so that the next batch's columns line up."""
    def width(cell: Any) -> int:
        if not isinstance(cell, str):
            return 0
        return max((cell_len(line) for line in Text.from_markup(cell).plain.splitlines()), default=0)

    return [max([width(c.header), *(width(cell) for cell in c.cells)]) for c in table.columns]
