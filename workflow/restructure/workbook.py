"""`ketnap org restructure PLAN.xlsx`: a whole restructuring, one row per change, recorded in one transaction.

The workbook is read completely before anything is opened in the database; a file that is not a readable
workbook (truncated, not a zip, a zip bomb, broken XML) is refused with its reason. Rows become dated changes
(the rows of one split become one change), put in the order they must be judged: by date, and on one date new
organisations first and ends last, so the order of the rows does not matter. `Organisations.change` then judges
them against the tree of their dates and records them all or none; every refusal is placed by sheet, row and
column like the candidate import's (workflow/reports/importer.py).
"""

import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from states.errors import ProcedureError, Violation
from states.organisations import OrgChange
from workflow.organisations import ChangesRefused, Restructuring
from workflow.reports.import_columns import CellError, Col, fold, parse_cell
from workflow.reports.importer import Problem
from workflow.reports.rules import violation as import_violation
from workflow.restructure import columns as cols
from workflow.restructure.columns import violation
from workflow.service import Ketnap

MAX_UNPACKED = 200 * 1024 * 1024  # a workbook of 100,000 rows unpacks to a few tens of MB; more is a zip bomb
MAX_MEMBERS = 10_000
MAX_ROWS = 100_000
UNREADABLE = (zipfile.BadZipFile, zlib.error, InvalidFileException, ParseError, KeyError, ValueError, TypeError,
              IndexError, AttributeError, EOFError, OSError, RecursionError)


class WorkbookRefused(ProcedureError):
    """Nothing was recorded; `problems` lists every refused cell by sheet, row and column."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        rows = len({(p.sheet, p.row) for p in problems if p.sheet})
        where = f"{len(problems)} problem(s) in {rows} row(s)" if rows else problems[0].violation.message_en.rstrip(".")
        super().__init__(f"{file}: {where}; nothing was recorded")
        self.file, self.problems = file, problems


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


@dataclass
class Planned:
    """One change and the rows it was read from (several for a split written one part per row)."""

    change: OrgChange
    rows: list[Row]


@dataclass
class Applied:
    """What a workbook did (or, in a dry run, would do)."""

    file: str
    sha256: str
    rows: int
    plan: list[Planned]
    result: Restructuring


# --- reading the file ---------------------------------------------------------------------------------------------

def _unreadable(file: str, reason: str) -> WorkbookRefused:
    return WorkbookRefused(file, [Problem("", 0, "", "", violation("restructure_file_unreadable", reason=reason))])


def _check_archive(data: bytes, file: str, max_unpacked: int) -> None:
    """Refuse what would exhaust memory before openpyxl unpacks it: too many parts, or too much unpacked."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise _unreadable(file, f"not a zip archive ({err})") from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > max_unpacked:
        raise _unreadable(file, f"{len(members)} parts unpacking to {unpacked:,} bytes (limit {MAX_MEMBERS} parts, "
                                f"{max_unpacked:,} bytes)")


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
    if value is not None and col is not cols.NOTE:
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
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            sheets, problems = _sheets(book)
            rows = list(_rows(book, sheets, path.name)) if not problems else []
        finally:
            book.close()
    except UNREADABLE as err:
        raise _unreadable(path.name, f"{type(err).__name__}: {err}"[:300]) from None
    return hashlib.sha256(data).hexdigest(), rows, problems


# --- rows into changes ----------------------------------------------------------------------------------------------

def _check_cells(row: Row) -> str | None:
    """The row's kind of change when every cell it needs is there and none it does not use is filled."""
    for col in (cols.CODE, cols.KIND, cols.ON, cols.DECISION):
        if row.get(col) is None and not any(p.header == col.header for p in row.problems):
            row.problem(col, violation("restructure_required_missing", field=col.field, header=col.header))
    kind = row.get(cols.KIND)
    if kind is None:
        return None
    uses, words = cols.USES[kind], cols.change_words(kind)
    for col, value in row.values.items():
        compact = kind == "split" and col is cols.SUCCESSOR and "=" in str(row.get(cols.PART) or "")
        if value is not None and (not uses.allows(col) or compact):
            row.problem(col, violation("restructure_cell_unused", field=col.field, header=col.header, **words))
    for col in uses.required:
        if row.get(col) is None and not any(p.header == col.header for p in row.problems):
            row.problem(col, violation("restructure_cell_missing", field=col.field, header=col.header, **words))
    if kind == "split" and row.get(cols.SUCCESSOR) is None and "=" not in str(row.get(cols.PART) or "="):
        row.problem(cols.SUCCESSOR, violation("restructure_cell_missing", field="successor",
                                              header=cols.SUCCESSOR.header, **words))
    return kind if not row.problems else None


def _parts(row: Row) -> dict[str, str]:
    """A split row's parts: its part and successor cells, or `A=B; C=D` in the part cell."""
    text = str(row.get(cols.PART))
    if "=" not in text:
        return {text: str(row.get(cols.SUCCESSOR))}
    found: dict[str, str] = {}
    for item in (i.strip() for i in re.split(r"[;\n]", text)):
        part, sep, successor = (s.strip() for s in item.partition("="))
        if item and (not sep or not part or not successor):
            row.problem(cols.PART, violation("restructure_part_invalid", field="part", value=item))
        elif item:
            found[part] = successor
    return found


def _change(kind: str, row: Row) -> OrgChange:
    base = {"kind": kind, "code": row.get(cols.CODE), "on": row.get(cols.ON),
            "decision": row.get(cols.DECISION), "issuer": row.get(cols.ISSUER) or ""}
    if kind == "created":
        return OrgChange(**base, name=row.get(cols.NAME), level=row.get(cols.LEVEL),
                         parent=row.get(cols.PARENT), admits=bool(row.get(cols.ADMITS)))
    extra = {"renamed": {"name": row.get(cols.NAME)}, "moved": {"parent": row.get(cols.PARENT)},
             "level_changed": {"level": row.get(cols.LEVEL)}, "authorised": {"admits": row.get(cols.ADMITS)},
             "merged": {"into": row.get(cols.SUCCESSOR)}}.get(kind, {})
    return OrgChange(**base, **extra)


def _plan(rows: Sequence[Row]) -> list[Planned]:
    """One change per row, except the rows of one split (same organisation and date), which make one."""
    plan: list[Planned] = []
    splits: dict[tuple[str, date], tuple[int, dict[str, Row], dict[str, str]]] = {}
    for row in rows:
        kind = _check_cells(row)
        if kind is None:
            continue
        if kind != "split":
            plan.append(Planned(_change(kind, row), [row]))
            continue
        key = (row.get(cols.CODE), row.get(cols.ON))
        if key not in splits:
            splits[key] = (len(plan), {}, {})
            plan.append(Planned(_change(kind, row), []))
        index, seen, parts = splits[key]
        plan[index].rows.append(row)
        for part, successor in _parts(row).items():
            if part in seen:
                row.problem(cols.PART, violation("restructure_part_twice", field="part", part=part, code=key[0],
                                            row=seen[part].number))
            seen[part], parts[part] = row, successor
    for index, _, parts in splits.values():
        plan[index].change = replace(plan[index].change, parts=parts)
    return plan


def _ordered(plan: list[Planned]) -> list[Planned]:
    """By date; on one date by RANK, parents created before their children, otherwise in the rows' order."""
    created = {(p.change.on, p.change.code): p.change.parent for p in plan if p.change.kind == "created"}

    def depth(on: date, code: str | None) -> int:
        seen: set[str] = set()
        while code is not None and (on, code) in created and code not in seen:
            seen.add(code)
            code = created[(on, code)]
        return len(seen)

    return sorted(plan, key=lambda p: (p.change.on, cols.RANK[p.change.kind], depth(p.change.on, p.change.code)))


# --- placing the engine's refusals ----------------------------------------------------------------------------------

def _naming(rows: list[Row], found: Violation) -> Row:
    """The row of a multi-row split that the reason names (by its part or successor), else its first row."""
    for row in rows:
        for code in (row.get(cols.PART), row.get(cols.SUCCESSOR)):
            if code and re.search(rf"(?<![\w-]){re.escape(str(code))}(?![\w-])", found.message_en):
                return row
    return rows[0]


def _placed(planned: Planned, found: Violation) -> Problem:
    row = _naming(planned.rows, found) if len(planned.rows) > 1 else planned.rows[0]
    name = {"into": "successor", "parts": "part"}.get(found.field or "", found.field or "code")
    col = cols.BY_FIELD.get(name, cols.CODE)
    if col is cols.PART and found.rule == "org_successor_not_living" and row.get(cols.SUCCESSOR) is not None:
        col = cols.SUCCESSOR
    return Problem(row.sheet, row.number, row.where.get(col, ""), col.header, found)


# --- applying -------------------------------------------------------------------------------------------------------

def read_plan(path: Path, max_unpacked: int = MAX_UNPACKED) -> tuple[str, int, list[Planned]]:
    """(SHA-256, rows read, the changes in the order they are judged).

    Raises:
        WorkbookRefused: the file cannot be read, or a row is incomplete or holds a cell it should not.
    """
    sha256, rows, problems = read_rows(path, max_unpacked)
    plan = _plan(rows)
    problems += [p for row in rows for p in row.problems]
    if not rows and not problems:
        problems.append(Problem("", 2, "", cols.CODE.header, violation("restructure_no_rows")))
    if problems:
        raise WorkbookRefused(path.name, problems)
    return sha256, len(rows), _ordered(plan)


def apply_workbook(app: Ketnap, path: Path, *, dry_run: bool = False, actor: str = "org restructure") -> Applied:
    """Record every change of the workbook in one transaction, or none.

    Raises:
        WorkbookRefused: every problem, each placed by sheet, row and column.
    """
    sha256, count, plan = read_plan(path)
    try:
        result = app.organisations.change([p.change for p in plan], actor, dry_run=dry_run)
    except ChangesRefused as err:
        problems = [_placed(plan[index], found) for index, found in err.by_change]
        raise WorkbookRefused(path.name, sorted(problems, key=lambda p: (p.sheet, p.row, p.column))) from None
    return Applied(path.name, sha256, count, plan, result)
