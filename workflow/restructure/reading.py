"""Reading a restructuring workbook safely: the whole file is read before anything is opened in the database, and
a file that is not a readable workbook (truncated, not a zip, a zip bomb, broken XML, an entity bomb) is refused
with its reason; cells are read by the candidate import's `parse_cell` (Excel dates and DD/MM/YYYY text, NFC)."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from states.catalogue import violation as text_violation
from states.errors import Violation
from states.text import text_problem
from workflow.errors import (
    WorkbookRefused as WorkbookRefused,  # re-exported: its home is workflow/errors.py (no tables)
)
from workflow.reports.import_columns import CellError, Col, fold, parse_cell
from workflow.reports.importer import Problem
from workflow.reports.rules import violation as import_violation
from workflow.reports.workbooks import MAX_UNPACKED, archive_problem, unreadable
from workflow.restructure import columns as cols
from workflow.restructure.columns import violation

TYPED_TEXT = (cols.NAME, cols.DECISION, cols.ISSUER)  # the text an organisation change records
MAX_ROWS = 100_000


@dataclass
class Row:
    """One row of a data sheet, its cells read in the engine's terms."""

    sheet: str
    number: int
    where: dict[Col, str]  # the column letter of every column the sheet has
    values: dict[Col, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, col: Col, found: Violation) -> None:
        self.problems.append(Problem(self.sheet, self.number, self.where.get(col, ""), col.header, found))

    def get(self, col: Col) -> Any:
        return self.values.get(col)


def _unreadable(file: str, reason: str) -> WorkbookRefused:
    return WorkbookRefused(file, [Problem("", 0, "", "", violation("restructure_file_unreadable", reason=reason))])


def _check_archive(data: bytes, file: str, max_unpacked: int) -> None:
    """Refuse what would exhaust memory before openpyxl unpacks it: too many parts, or too much unpacked."""
    reason = archive_problem(data, max_unpacked)
    if reason is not None:
        raise _unreadable(file, reason)


def _sheets(book: Any) -> tuple[list[tuple[str, dict[int, Col]]], list[Problem]]:
    """The data sheets (a header row with the code and change columns) and the columns each one has."""
    found, problems = [], []
    for ws in book.worksheets:
        header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        known = {i: fold(str(v)) for i, v in enumerate(header) if v is not None}
        columns = {i: cols.BY_HEADER[name] for i, name in known.items() if name in cols.BY_HEADER}
        if not {cols.CODE, cols.KIND} <= set(columns.values()):
            continue
        found.append((ws.title, columns))
        for col in (c for c in cols.COLUMNS if c.required and c not in columns.values()):
            problems.append(Problem(ws.title, 1, "", col.header,
                                    violation("restructure_header_missing", sheet=ws.title, header=col.header)))
    if not found:
        problems.append(Problem("", 1, "", cols.CODE.header, violation(
            "restructure_no_sheet", header=cols.CODE.header, header2=cols.KIND.header)))
    return found, problems


def _read_cell(row: Row, col: Col, raw: Any) -> None:
    try:
        value = parse_cell(raw, col) if col.kind not in ("change", "level") else _word(raw, col)
    except CellError as err:
        row.problem(col, err.violation)
        return
    typed = text_problem(value, is_name=col is cols.NAME) if col in TYPED_TEXT and isinstance(value, str) else None
    if typed:  # the rules of states/text.py, as `ketnap org rename` applies them
        row.problem(col, text_violation(typed[0], None, field=col.field, **typed[1]))
    elif value is not None and col is not cols.NOTE:
        row.values[col] = value


def _word(raw: Any, col: Col) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    words = cols.CHANGES if col is cols.KIND else cols.LEVELS
    found = words.get(raw)
    if found is None:
        raise CellError(import_violation("import_value_invalid", field=col.field, header=col.header, value=raw,
                                         allowed=words.shown))
    return found


def _rows(book: Any, sheets: list[tuple[str, dict[int, Col]]], file: str) -> Iterator[Row]:
    count = 0
    from openpyxl.utils import get_column_letter  # openpyxl loads for a workbook only (issue 14)

    for title, columns in sheets:
        where = {col: get_column_letter(i + 1) for i, col in columns.items()}
        width = max(columns) + 1
        for number, values in enumerate(book[title].iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            cells = {col: values[i] for i, col in columns.items() if i < len(values) and col is not cols.NOTE}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise _unreadable(file, f"more than {MAX_ROWS:,} rows")
            row = Row(title, number, where)
            for col, raw in cells.items():
                _read_cell(row, col, raw)
            yield row


def read_rows(path: Path, max_unpacked: int = MAX_UNPACKED) -> tuple[str, list[Row], list[Problem]]:
    """(SHA-256 of the file, every non-empty data row, the problems of the file's shape).

    Raises:
        WorkbookRefused: the file is not a workbook that can be read safely.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _unreadable(path.name, err.strerror or str(err)) from None
    _check_archive(data, path.name, max_unpacked)
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            sheets, problems = _sheets(book)
            rows = list(_rows(book, sheets, path.name)) if not problems else []
        finally:
            book.close()
    except unreadable() as err:
        raise _unreadable(path.name, f"{type(err).__name__}: {err}"[:300]) from None
    return hashlib.sha256(data).hexdigest(), rows, problems
