"""What the Excel import reads before it records anything: who is already on a list, and whether the same
file was imported before (its SHA-256 is stamped on every event it recorded)."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from storage.event_store import EVENTS
from storage.projections import CANDIDATES
from storage.search import fold


def people(conn: Connection) -> Iterator[Any]:
    """Every candidate row's id, full_name, birth_date and org: one query for a whole file, whatever its size."""
    yield from conn.execute(select(CANDIDATES.c.id, CANDIDATES.c.full_name, CANDIDATES.c.birth_date,
                                   CANDIDATES.c.org))


def imported_at(conn: Connection, sha256: str) -> datetime | None:
    """When a file with this SHA-256 was imported (the recorded_at of one of its `identify` events); None when it
    never was."""
    stamp = EVENTS.c.derived[("meta", "imported", "sha256")].as_string()
    found = conn.execute(select(EVENTS.c.recorded_at).where(EVENTS.c.type == "identify", stamp == sha256)
                         .limit(1)).first()
    return None if found is None else found.recorded_at


def people_named(conn: Connection, name: str) -> Iterator[Any]:
    """The candidate rows (id, full_name, birth_date, org) whose name folds as `name` does: a row written by an
    import is checked against what was committed meanwhile, through the index on the folded name."""
    yield from conn.execute(select(CANDIDATES.c.id, CANDIDATES.c.full_name, CANDIDATES.c.birth_date,
                                   CANDIDATES.c.org).where(CANDIDATES.c.search_name == fold(name)))


def imported_rows(conn: Connection, sha256: str) -> set[tuple[str, int]]:
    """The (sheet, row) of every row of the file with this SHA-256 already recorded (its `identify` event): an
    import interrupted between two of its transactions goes on from there when the same file is run again."""
    imported = EVENTS.c.derived[("meta", "imported")]
    found = conn.execute(select(imported["sheet"].as_string(), imported["row"].as_integer()).where(
        EVENTS.c.type == "identify", imported["sha256"].as_string() == sha256))
    return {(sheet, int(row)) for sheet, row in found}
