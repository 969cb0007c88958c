"""Long batches written in short transactions (issue 11, item 6): an Excel import or a class certification is
judged whole first, in a read transaction that takes no write lock (storage/unit_of_work.py `judging`), and only
then written, `database.write_slice_rows` rows per transaction with a pause of `database.write_slice_pause_ms`
between two. SQLite's busy handler polls a held lock about every 100 ms, so a web step waiting for the lock takes
it in the pause; no writer waits longer than one slice, far below the busy timeout."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from storage.unit_of_work import Transaction
from workflow.service import Ketnap

T = TypeVar("T")
R = TypeVar("R")


def write_in_slices(app: Ketnap, items: Sequence[T], write: Callable[[Transaction, T], R], written: list[R],
                    what: str) -> None:
    """Call `write(tx, item)` for every item, a slice of items per transaction, and add to `written` what each
    item's call returned once its slice is committed. A slice that meets a busy database is tried again as a
    whole (it rolled back); an error stops at its slice, which rolls back, and the slices before it stay written
    (`written` holds them: the caller says so).

    Raises:
        whatever `write` raises; DatabaseBusy, StorageFull.
    """
    size = app.settings.database.write_slice_rows
    pause = app.settings.database.write_slice_pause_ms / 1000

    def one_slice(chunk: Sequence[T]) -> list[R]:
        with app.uow.transaction() as tx:
            return [write(tx, item) for item in chunk]

    for start in range(0, len(items), size):
        if start and pause:
            app.on_busy.sleep(pause)
        chunk = items[start:start + size]
        written += app.on_busy.run(lambda: one_slice(chunk), f"{what}: rows {start + 1}-{start + len(chunk)}")  # noqa: B023
