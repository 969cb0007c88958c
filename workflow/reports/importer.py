"""`ketnap import xlsx FILE`: bring existing candidates and their history in from a workbook.

One row per candidate with the dates of the steps already done. Each row becomes the PROCEDURE.md events of
those steps, judged by the same guards through `Ketnap.record_in`, in the order of their dates. Every row is
judged before any is written: one refused row and nothing is imported, and every problem is listed by sheet, row
and column with its rule in Vietnamese and English. The rows are then written in short transactions
(workflow/slices.py), so that the web is never kept waiting for the whole file. Imported events carry the file's
name and SHA-256, and each its sheet and row.
"""

import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from states.catalogue import violation as rule_violation
from states.errors import RuleViolation, StepNotAllowed, Violation
from storage import import_reads
from storage.unit_of_work import StepTransaction, Transaction
from workflow.commands import RecordStep
from workflow.errors import ImportRefused as ImportRefused  # re-exported: its home is workflow/errors.py (no tables)
from workflow.reports.import_columns import COLUMNS, CONSTANTS, COPIED, STEP_ORDER, CellError, Col, fold, parse_cell
from workflow.reports.rules import not_allowed, violation
from workflow.reports.workbooks import archive_problem, unreadable
from workflow.service import Ketnap, StepPermit
from workflow.slices import write_in_slices

BY_HEADER: dict[str, Col] = {fold(c.header): c for c in COLUMNS} | {fold(f"{c.step}.{c.field}"): c for c in COLUMNS}
KEY_COLUMN = COLUMNS[1]  # "Họ và tên": a sheet with this header is a data sheet


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str  # the Excel column letter
    header: str
    violation: Violation

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                **self.violation.as_dict()}


@dataclass
class ImportResult:
    file: str
    sha256: str
    dry_run: bool
    rows: int = 0
    events: int = 0
    candidates: list[str] = field(default_factory=list)
    skipped: int = 0  # rows this file recorded in an earlier, interrupted run


@dataclass
class Row:
    sheet: str
    number: int
    where: dict[Col, str]  # column letter of every column present in the sheet
    steps: list[tuple[str, date, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, col: Col | None, found: Violation) -> None:
        col = col or COLUMNS[0]
        self.problems.append(Problem(self.sheet, self.number, self.where.get(col, ""), col.header, found))


# --- reading cells into steps -------------------------------------------------------------------------------------

def _put(fields: dict[str, Any], path: str, value: Any) -> None:
    """Set "introducers.0.name" in nested dicts and lists."""
    parts = path.split(".")
    node: Any = fields
    for part, following in zip(parts, parts[1:], strict=False):
        empty: Any = [] if following.isdigit() else {}
        if part.isdigit():
            while len(node) <= int(part):
                node.append(None)
            node[int(part)] = node[int(part)] or empty
            node = node[int(part)]
        else:
            node = node.setdefault(part, empty)
    node[parts[-1]] = value


def _date_col(step: str) -> Col:
    return next(c for c in COLUMNS if c.step == step and c.is_date_of_step)


def _steps(row: Row, values: dict[Col, Any]) -> None:
    for step in STEP_ORDER:
        cols = [c for c in COLUMNS if c.step == step]
        on = values.get(_date_col(step))
        filled = [c for c in cols if values.get(c) is not None and not c.is_date_of_step]
        if on is None:
            for col in filled if step != "identify" else []:
                row.problem(col, violation("import_fields_without_date", field=col.field, header=col.header,
                                           date_header=_date_col(step).header))
            continue
        fields: dict[str, Any] = dict(CONSTANTS.get(step, {}))
        for col in [c for c in cols if values.get(c) is not None and c.field != "on"]:
            _put(fields, col.field, values[col].isoformat() if isinstance(values[col], date) else values[col])
        if "introducers" in fields:
            fields["introducers"] = [i for i in fields["introducers"] if i]
        for (target, name), (source, source_name) in COPIED.items():
            given = next((f for s, _, f in row.steps if s == source), {})
            if target == step and source_name in given:
                fields.setdefault(name, given[source_name])
        row.steps.append((step, on, fields))
    first, rest = row.steps[:1], row.steps[1:]
    row.steps = first + sorted(rest, key=lambda s: (s[1], STEP_ORDER.index(s[0])))


def _row(sheet: str, number: int, cells: dict[Col, Any], where: dict[Col, str]) -> Row:
    row, values = Row(sheet, number, where), {}
    for col, raw in cells.items():
        try:
            values[col] = parse_cell(raw, col)
        except CellError as err:
            row.problem(col, err.violation)
    unreadable = {p.header for p in row.problems}
    for col in COLUMNS:
        if col.required and col in where and values.get(col) is None and col.header not in unreadable:
            row.problem(col, rule_violation("field_missing", None, field=col.field))
    if not row.problems:
        _steps(row, values)
    return row


def _sheets(book: Any) -> tuple[list[tuple[str, dict[int, Col]]], list[Problem]]:
    """The data sheets (those with the template's header row) and the columns each one has."""
    found, problems = [], []
    for ws in book.worksheets:
        header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        columns = {i: BY_HEADER[fold(str(v))] for i, v in enumerate(header) if v and fold(str(v)) in BY_HEADER}
        if KEY_COLUMN not in columns.values():
            continue
        found.append((ws.title, columns))
        for col in (c for c in COLUMNS if c.required and c not in columns.values()):
            problems.append(Problem(ws.title, 1, "", col.header,
                                    violation("import_header_missing", sheet=ws.title, header=col.header)))
    if not found:
        problems.append(Problem("", 1, "", KEY_COLUMN.header, violation("import_no_sheet", header=KEY_COLUMN.header)))
    return found, problems


def _rows(book: Any, sheets: list[tuple[str, dict[int, Col]]]) -> Iterator[Row]:
    from openpyxl.utils import get_column_letter  # openpyxl loads for a workbook only (issue 14)

    for title, columns in sheets:
        where = {col: get_column_letter(i + 1) for i, col in columns.items()}
        for number, values in enumerate(book[title].iter_rows(min_row=2, values_only=True), start=2):
            cells = {col: values[i] for i, col in columns.items() if i < len(values)}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            yield _row(title, number, cells, where)


# --- recording ------------------------------------------------------------------------------------------------------

def _column_for(step: str, path: str | None) -> Col:
    """The column a violation points at: the step's own field, a field of the person, or the step's date."""
    clean = (path or "").replace("[", ".").replace("]", "")
    for candidate in (clean, clean.rsplit(".", 1)[0]):
        for owner in (step, "identify"):
            match = next((c for c in COLUMNS if c.step == owner and c.field == candidate), None)
            if match:
                return match
    if clean == "certificate":
        return _date_col("certify_training")
    return _date_col(step)


Key = tuple[str, str, str]  # (name case-folded, birth date, branch)


def _key(name: str, birth_date: str, org: str) -> Key:
    return unicodedata.normalize("NFC", name).casefold(), birth_date, org


def _recorded_people(conn: Connection) -> dict[Key, str]:
    """Everyone already on a list, by name, birth date and branch (read once: one query for the whole file)."""
    return {_key(r.full_name, r.birth_date.isoformat() if r.birth_date else "", r.org): r.id
            for r in import_reads.people(conn)}


def _duplicate(row: Row, seen: dict[Key, int], recorded: dict[Key, str]) -> Violation | None:
    """The same person (name, birth date, branch) twice in the file, or already recorded: nothing twice."""
    person = row.steps[0][2]
    key = _key(person["full_name"], person["birth_date"], person["org"])
    params = {"name": person["full_name"], "birth_date": person["birth_date"], "org": person["org"]}
    if key in recorded:
        return violation("import_duplicate_candidate", field="full_name", where=f"trong hệ thống (mã {recorded[key]})",
                         where_en=f"recorded (id {recorded[key]})", **params)
    earlier = seen.setdefault(key, row.number)
    if earlier != row.number:
        return violation("import_duplicate_candidate", field="full_name", where=f"ở dòng {earlier} của tệp",
                         where_en=f"in row {earlier} of this file", **params)
    return None


def _record(app: Ketnap, tx: StepTransaction, row: Row, meta: dict[str, Any], now: datetime,
            permit: StepPermit | None) -> tuple[str, int]:
    """Record the row's steps in `tx`; returns the candidate's id and the number of events. A refused step is
    added to the row's problems (then the id is "" and the caller refuses the file). `permit`: the actor is a
    user, who may import only the steps the API would let them record (an AccessDenied refuses the file)."""
    candidate_id: str | None = None
    events = 0
    for name, on, fields in row.steps:
        cmd = RecordStep(candidate_id=candidate_id, step=name, on=on, fields=fields, actor=meta["actor"],
                         meta={"imported": {**meta["imported"], "sheet": row.sheet, "row": row.number}})
        try:
            if permit is not None:
                permit(tx, cmd)
            recorded = app.record_in(tx, cmd, now)
        except RuleViolation as err:
            for v in err.violations:
                row.problem(_column_for(name, v.field), v)
            return "", events
        except StepNotAllowed as err:
            row.problem(_date_col(name), not_allowed(err))
            return "", events
        candidate_id = recorded.candidate.id
        events += len(recorded.events)
    assert candidate_id is not None
    return candidate_id, events


def _write_row(app: Ketnap, tx: Transaction, row: Row, meta: dict[str, Any], now: datetime,
               permit: StepPermit | None) -> tuple[str, int]:
    """The write pass: the row judged again on what is committed now, the same person included (another import
    of the same file, or a step on the web, may have come between the passes).

    Raises:
        ImportRefused: the row is refused now; its slice rolls back.
    """
    person = row.steps[0][2]
    recorded = {_key(r.full_name, r.birth_date.isoformat() if r.birth_date else "", r.org): r.id
                for r in import_reads.people_named(tx.conn, person["full_name"])}
    duplicate = _duplicate(row, {}, recorded)
    if duplicate:
        row.problem(_column_for("identify", "full_name"), duplicate)
    written = ("", 0) if row.problems else _record(app, tx, row, meta, now, permit)
    if row.problems:
        raise ImportRefused(meta["imported"]["file"], row.problems)
    return written


def _already_imported(conn: Connection, sha256: str) -> Problem | None:
    recorded_at = import_reads.imported_at(conn, sha256)
    if recorded_at is None:
        return None
    return Problem("", 0, "", "", violation("import_already_imported", sha256=sha256, recorded_at=recorded_at))


def _unreadable(file: str, reason: str) -> ImportRefused:
    return ImportRefused(file, [Problem("", 0, "", "", violation("import_file_unreadable", reason=reason))])


def _read(path: Path) -> tuple[bytes, list[Row], list[Problem]]:
    """The file's bytes, its data rows and the problems of its shape, all read before the database is opened:
    a truncated or hostile file is refused with its reason (issue 11, item 7), never half-read in a transaction.

    Raises:
        ImportRefused: the file cannot be read safely as a workbook.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _unreadable(path.name, err.strerror or str(err)) from None
    reason = archive_problem(data)
    if reason is not None:
        raise _unreadable(path.name, reason)
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            sheets, problems = _sheets(book)
            rows = list(_rows(book, sheets)) if not problems else []
        finally:
            book.close()
    except unreadable() as err:
        raise _unreadable(path.name, f"{type(err).__name__}: {err}"[:300]) from None
    return data, rows, problems


def import_workbook(app: Ketnap, path: Path, *, dry_run: bool = False, actor: str = "import",
                    permit: StepPermit | None = None) -> ImportResult:
    """Judge every row of every data sheet, then record them all, or nothing if any row is refused. `permit`:
    the actor is a user, who may import only the steps the API would let them record.

    Judging takes no write lock (a read transaction, appends kept in memory); the rows are then written
    `database.write_slice_rows` at a time (workflow/slices.py), so a web step never waits for the whole file. A
    row refused only when written (what is committed changed between the passes) stops the import there: the
    rows before it stay, and the refusal says how many. Running the same file again skips the rows it already
    recorded (by the file's SHA-256 and the row's sheet and number), so an interrupted import can be finished.

    Raises:
        ImportRefused: listing every problem by sheet, row and column, or why the file cannot be read.
    """
    data, rows, problems = _read(path)
    result = ImportResult(path.name, hashlib.sha256(data).hexdigest(), dry_run)
    meta = {"actor": actor, "imported": {"file": path.name, "sha256": result.sha256}}
    now, seen = app.clock.now(), dict[Key, int]()
    with app.uow.judging() as dry:
        done = import_reads.imported_rows(dry.conn, result.sha256)
        todo = [row for row in rows if (row.sheet, row.number) not in done]
        stamped = _already_imported(dry.conn, result.sha256) if done and not todo else None
        problems += [stamped] if stamped else []
        recorded = _recorded_people(dry.conn)
        for row in todo if not problems else []:
            result.rows += 1
            duplicate = None if row.problems else _duplicate(row, seen, recorded)
            if duplicate:
                row.problem(_column_for("identify", "full_name"), duplicate)
            if not row.problems:
                result.events += _record(app, dry, row, meta, now, permit)[1]
            problems += row.problems
    if problems:
        raise ImportRefused(path.name, problems)
    result.skipped = len(rows) - len(todo)
    if dry_run:
        return result
    written: list[tuple[str, int]] = []
    try:
        write_in_slices(app, todo, lambda tx, row: _write_row(app, tx, row, meta, now, permit), written, "import")
    except ImportRefused as err:
        raise ImportRefused(path.name, err.problems, written=len(written)) from None
    result.candidates = [candidate for candidate, _ in written]
    result.events = sum(events for _, events in written)
    return result
