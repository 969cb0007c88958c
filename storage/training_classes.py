"""Training classes (lớp bồi dưỡng nhận thức về Đảng, DOMAIN.md S2) as records: code, name, organiser, dates
and place (the table is in storage/report_tables.py). A class's roster is not stored with it: it is read from
the report read model (storage/report_reads.py), folded from the `enrol_training` events.
"""

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from storage.errors import DuplicateRowError
from storage.report_tables import TrainingClassRow

CLASSES = TrainingClassRow.__table__  # type: ignore[attr-defined]


def add(conn: Connection, values: Mapping[str, Any]) -> None:
    """Store a class (every column of the table).

    Raises:
        DuplicateRowError: a class with the same code or name is stored (or the organiser is unknown).
    """
    try:
        conn.execute(CLASSES.insert().values(**values))
    except IntegrityError as err:
        raise DuplicateRowError(f"training class {values.get('code')!r} or {values.get('name')!r}") from err


def find(conn: Connection, code: str) -> Any | None:
    """The class row with `code` (every column); None when there is none."""
    return conn.execute(select(CLASSES).where(CLASSES.c.code == code)).first()


def class_rows(conn: Connection, organisers: Collection[str] | None = None,
               starting: tuple[date, date] | None = None) -> list[Any]:
    """Classes held by `organisers` and starting between the two dates of `starting` (both included), by first
    day and code: rows of every column."""
    query = select(CLASSES).order_by(CLASSES.c.starts_on, CLASSES.c.code)
    if organisers is not None:
        query = query.where(CLASSES.c.organiser.in_(sorted(organisers)))
    if starting is not None:
        query = query.where(CLASSES.c.starts_on >= starting[0], CLASSES.c.starts_on <= starting[1])
    return list(conn.execute(query).all())
