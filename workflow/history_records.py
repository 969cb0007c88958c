"""Entering historical records (states/history_records.py): one at a time (`ketnap historical add`), a file of
them (`ketnap historical import FILE.csv|xlsx`, all or nothing), and withdrawing one (`ketnap historical
withdraw`). The command is not `ketnap history`: that is a candidate's timeline.

Each is judged in one write transaction against the organisation log and the records in force; a refusal
lists every reason and writes nothing. Whether the user may is decided by workflow/access.py
(`history_denial`), asked here with what the user reads on the day.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from states.errors import RuleViolation, Violation
from states.history_records import RECORDED, STEP, WITHDRAWN, HistoricalRecord, in_force, refusals, violation
from states.labels import Said
from storage import history_records as store
from storage import report_reads
from storage.unit_of_work import Transaction
from workflow import access
from workflow.access import Principal
from workflow.reports import historical
from workflow.reports.periods import PeriodError, parse_period
from workflow.reports.scope import Scope
from workflow.service import Ketnap

Permit = Callable[[str], None]  # raises AccessDenied when the user may not enter a record of this organisation


@dataclass(frozen=True)
class Entry:
    """A record as typed or read from a row: text where the user typed text, so every error is named."""

    org: str
    period: str
    admitted: int
    source: str
    readmitted: int = 0
    categories: Mapping[str, int] | None = None
    note: str = ""


def permit_for(who: Principal) -> Permit:
    """The check of workflow/access.py for this user (ended organisations they read included)."""
    def permit(org: str) -> None:
        denied = access.history_denial(who.role, org, who.scope, bool(who.writable is None or who.writable))
        if denied is not None:
            raise denied
    return permit


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _record(entry: Entry) -> tuple[HistoricalRecord | None, list[Violation]]:
    try:
        period = parse_period(entry.period)
    except PeriodError:
        return None, [violation("history_period_invalid", field="period", value=entry.period)]
    return HistoricalRecord(nfc(entry.org), period.start, period.end, period.label, entry.admitted,
                            nfc(entry.source), entry.readmitted, dict(entry.categories or {}),
                            nfc(entry.note)), []


def _recorded_admissions(tx: Transaction, record: HistoricalRecord, counted_on: str) -> int:
    """Admissions recorded in ketnap for the record's organisation (its subtree) within its period."""
    history = tx.org_history()
    if history.latest().get(record.org) is None:
        return 0
    scope = Scope(history, record.org, predecessors=False)
    column = {"decision": "decided_on", "ceremony": "ceremony_on"}[counted_on]
    rows = report_reads.admissions(tx.conn, column, record.start, record.end,
                                   scope.codes(record.start, record.end))
    return historical.recorded_in(scope, [(r.admitted_org, r.id, r.on) for r in rows])


def _judge(app: Ketnap, tx: Transaction, records: Sequence[HistoricalRecord],
           existing: list[HistoricalRecord]) -> list[Violation]:
    found: list[Violation] = []
    known = historical.headings()
    for index, record in enumerate(records, start=1):
        reasons = refusals(record, tx.org_history(), existing, app.today(), known)
        if not reasons and (n := _recorded_admissions(tx, record, app.settings.reports.count_admissions_on)):
            reasons.append(violation("history_overlaps_recorded", field="period", org=record.org, count=n,
                                     start=Said(record.start.strftime("%d/%m/%Y"), record.start.isoformat()),
                                     end=Said(record.end.strftime("%d/%m/%Y"), record.end.isoformat())))
        found += [_numbered(v, index) for v in reasons] if len(records) > 1 else reasons
        existing.append(replace(record, version=None))  # the file's own rows may not overlap either
    return found


def _numbered(v: Violation, row: int) -> Violation:
    return Violation(v.rule, v.ref, v.source, f"Dòng {row}: {v.message_vi}", f"Row {row}: {v.message_en}",
                     v.field)


def add(app: Ketnap, entries: Sequence[Entry], actor: str, *, permit: Permit | None = None,
        dry_run: bool = False, meta: Mapping[str, Any] | None = None) -> list[HistoricalRecord]:
    """Judge and record every entry, or none: each organisation's record is an event of its historical stream.

    Raises:
        RuleViolation: every reason, row by row for several entries; nothing is written.
        AccessDenied: the user may not enter a record of one of the organisations.
        ConcurrencyConflictError: someone entered a record of the same organisation meanwhile.
    """
    built = [_record(e) for e in entries]
    problems = [(_numbered(v, i) if len(entries) > 1 else v)
                for i, (_, vs) in enumerate(built, start=1) for v in vs]
    if problems:
        raise RuleViolation(STEP, problems)
    records = [r for r, _ in built if r is not None]
    if permit is not None:
        for org in sorted({r.org for r in records}):
            permit(org)
    written: list[HistoricalRecord] = []
    with app.uow.transaction() as tx:
        existing = in_force(store.load_events(tx.conn))  # a record may overlap its upper or lower organisation's
        found = _judge(app, tx, records, existing)
        if found:
            raise RuleViolation(STEP, found)
        if dry_run:
            return records
        now = app.clock.now()
        for record in records:
            event = store.append(tx.conn, record.org, RECORDED, record.end, record.payload(), actor, now, meta)
            written.append(HistoricalRecord.from_event(event))
    return written


def withdraw(app: Ketnap, org: str, version: int, reason: str, actor: str, *,
             permit: Permit | None = None) -> HistoricalRecord:
    """Take back a record in force (it stays in the log, withdrawn); a corrected one is entered again after.

    Raises: RuleViolation (no such record in force, no reason), AccessDenied, ConcurrencyConflictError.
    """
    if permit is not None:
        permit(org)
    with app.uow.transaction() as tx:
        found = {r.version: r for r in in_force(store.load_events(tx.conn, [org]))}
        record = found.get(version)
        reasons = [] if record else [violation("history_record_not_found", field="version", org=org,
                                               version=version)]
        if not nfc(reason):
            reasons.append(violation("history_reason_missing", field="reason"))
        if reasons or record is None:
            raise RuleViolation("history_withdraw", reasons)
        store.append(tx.conn, org, WITHDRAWN, record.end, {"record": version, "reason": nfc(reason)}, actor,
                     app.clock.now())
    return record


def records(app: Ketnap, orgs: Iterable[str] | None = None) -> list[HistoricalRecord]:
    """The records in force (of `orgs`, if given), by organisation and period."""
    with app.uow.reading() as tx:
        found = in_force(store.load_events(tx.conn, orgs))
    return sorted(found, key=lambda r: (r.org, r.start, r.end))


# --- files -------------------------------------------------------------------------------------------------

# The columns of a file: (key, Vietnamese heading); a category column is headed by its key or its heading.
COLUMNS = (("org", "Mã tổ chức"), ("period", "Kỳ"), ("admitted", "Số kết nạp"), ("readmitted", "Kết nạp lại"),
           ("source", "Nguồn số liệu"), ("note", "Ghi chú"))
REQUIRED = ("org", "period", "admitted", "source")


def column_keys() -> dict[str, str]:
    keys = {}
    for key, heading in [*COLUMNS, *historical.headings().items()]:
        keys[nfc(key).casefold()] = key
        keys[nfc(heading).casefold()] = key
    return keys


def read_file(path: Path) -> list[Entry]:
    """The entries of a CSV (UTF-8, comma) or XLSX file (first sheet), one per row under a header row.

    Raises: RuleViolation naming every unknown header, missing column and unreadable cell by row.
    """
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    if not rows:
        raise RuleViolation("history_import", [violation("history_file_empty", field="file", file=path.name)])
    keys, problems = column_keys(), []
    header = [nfc(str(h or "")) for h in rows[0]]
    known = historical.headings()
    columns: list[str | None] = []
    for name in header:
        key = keys.get(name.casefold())
        if key is None and name:
            problems.append(violation("history_column_unknown", field="file", column=name))
        columns.append(key)
    for key in REQUIRED:
        if key not in columns:
            problems.append(violation("history_column_missing", field="file", column=dict(COLUMNS)[key]))
    if problems:
        raise RuleViolation("history_import", problems)
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {k: v for k, v in zip(columns, row, strict=False) if k is not None and v not in (None, "")}
        if not cells:
            continue
        values: dict[str, Any] = {"categories": {}}
        for key, value in cells.items():
            if key in ("org", "period", "source", "note"):
                values[key] = nfc(str(value))
                continue
            count = _count(value)
            if count is None:
                problems.append(_numbered(violation("history_count_invalid", field=key, value=str(value)), number))
            elif key in known:
                values["categories"][key] = count
            else:
                values[key] = count
        missing = [k for k in REQUIRED if k not in cells]  # an unreadable cell is named once, above
        problems += [_numbered(violation("history_cell_missing", field=k, column=dict(COLUMNS)[k]), number)
                     for k in missing]
        if all(k in values for k in REQUIRED):
            entries.append(Entry(**values))
    if problems:
        raise RuleViolation("history_import", problems)
    return entries


_THOUSANDS = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if _THOUSANDS.match(text):  # 3.672 and 3,672 are thousands, as reports write them
        text = text.replace(".", "").replace(",", "")
    try:
        return int(text)
    except ValueError:
        return None


def _csv_rows(path: Path) -> list[list[Any]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # only a workbook import needs it

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()

