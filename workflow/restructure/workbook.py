"""`ketnap org restructure PLAN.xlsx`: a whole restructuring, one row per change, recorded in one transaction.

Rows (workflow/restructure/reading.py) become dated changes (the rows of one split become one change), put in
the order they must be judged: by date, and on one date new organisations first and ends last, so the order of
the rows does not matter. `Organisations.change` then judges them against the tree of their dates and records
them all or none; every refusal is placed by sheet, row and column like the candidate import's
(workflow/reports/importer.py).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from states.errors import Violation
from states.organisations import OrgChange
from workflow.documents import restructuring_doc
from workflow.organisations import ChangesRefused, Restructuring
from workflow.reports.importer import Problem
from workflow.reports.workbooks import MAX_UNPACKED
from workflow.restructure import columns as cols
from workflow.restructure.columns import violation
from workflow.restructure.reading import Row, WorkbookRefused, read_rows
from workflow.service import Ketnap

__all__ = ["Applied", "Planned", "WorkbookRefused", "applied_doc", "apply_workbook", "read_plan"]


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
                         parent=row.get(cols.PARENT), admits=bool(row.get(cols.ADMITS)),
                         org_type=row.get(cols.ORG_TYPE))
    extra = {"renamed": {"name": row.get(cols.NAME)}, "moved": {"parent": row.get(cols.PARENT)},
             "level_changed": {"level": row.get(cols.LEVEL)}, "authorised": {"admits": row.get(cols.ADMITS)},
             "merged": {"into": row.get(cols.SUCCESSOR)}, "typed": {"org_type": row.get(cols.ORG_TYPE)}}.get(kind, {})
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
        meta = [{"imported": {"file": path.name, "sha256": sha256,
                              "rows": [{"sheet": r.sheet, "row": r.number} for r in p.rows]}} for p in plan]
        result = app.organisations.change([p.change for p in plan], actor, dry_run=dry_run, meta=meta)
    except ChangesRefused as err:
        problems = [_placed(plan[index], found) for index, found in err.by_change]
        raise WorkbookRefused(path.name, sorted(problems, key=lambda p: (p.sheet, p.row, p.column))) from None
    return Applied(path.name, sha256, count, plan, result)


def applied_doc(applied: Applied) -> dict[str, Any]:
    """The JSON form: the file, each change with the rows it came from, then what `Organisations.change` did."""
    plan = [{"rows": [{"sheet": r.sheet, "row": r.number} for r in p.rows], "change": p.change.kind,
             "code": p.change.code, "effective_on": p.change.on.isoformat(), "decision": p.change.decision,
             "issuer": p.change.issuer, "details": {k: v for k, v in p.change.payload().items()
                                                    if k not in ("decision", "issuer")}} for p in applied.plan]
    return {"file": applied.file, "sha256": applied.sha256, "rows": applied.rows, "plan": plan,
            **restructuring_doc(applied.result)}
