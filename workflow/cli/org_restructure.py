"""`ketnap org restructure PLAN.xlsx [--dry-run]`: a whole restructuring from one workbook, in one transaction,
all or nothing, with a preview of every candidate carried and what stays with the organisations that end;
`--template FILE` writes the workbook to fill (workflow/restructure/)."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import context as cli

if TYPE_CHECKING:
    from rich.console import Console

if TYPE_CHECKING:
    from workflow.organisations import Moved
    from workflow.restructure.workbook import Applied


def print_applied(con: Console, applied: Applied) -> None:
    r = applied.result
    verb = "would record" if r.dry_run else "recorded"
    con.print(f"{applied.file}: {verb} {len(applied.plan)} change(s) from {applied.rows} row(s) in one transaction"
              f"{' (dry run: nothing was written)' if r.dry_run else ''}", markup=False)
    con.out("\n".join(_change_lines(applied)), highlight=False)  # one write: hundreds of lines
    con.print(f"{len(r.moved)} candidate(s) carried or with a new deciding committee", markup=False)
    if r.moved:
        con.out(_moved_lines(r.moved), highlight=False)  # plain aligned lines: a restructuring moves thousands
    for a in r.attached:
        con.print(f"  {a.org} ends and keeps as history: {a.plans} plan(s), {a.membership_years} membership "
                  f"year(s), {a.classes} class(es), contacts {', '.join(a.contacts) or '-'}, {a.users} user "
                  f"scope(s)", markup=False)


def _change_lines(applied: Applied) -> list[str]:
    from workflow.restructure.columns import CHANGE_VI

    lines = []
    for p in applied.plan:
        rows = ", ".join(str(row.number) for row in p.rows)
        details = ", ".join(f"{k}={v}" for k, v in p.change.payload().items() if k not in ("decision", "issuer"))
        lines.append(f"  row {rows}: {CHANGE_VI[p.change.kind]} {p.change.code} on {p.change.on:%d/%m/%Y}"
                     f" {details} ({p.change.decision})")
    return lines


def _moved_lines(moved: Sequence[Moved]) -> str:
    rows = [("candidate", "name", "stage", "branch", "deciding committee", "open deadlines")]
    for m in moved:
        branch = m.from_org if m.to_org == m.from_org else f"{m.from_org} -> {m.to_org}"
        body = m.from_body if m.to_body == m.from_body else f"{m.from_body or '-'} -> {m.to_body or '-'}"
        rows.append((m.id, m.full_name, m.stage, branch, body or "-", str(m.open_deadlines)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)) + "  " + row[5]
                     for row in rows)


def register(org_app: typer.Typer) -> None:
    @org_app.command("restructure")
    def org_restructure(
        ctx: typer.Context,
        plan: Annotated[Path | None, typer.Argument(
            metavar="[PLAN.xlsx]", dir_okay=False, help="The restructuring workbook, one row per change (write an "
            "empty one with --template).")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Judge every row and show what would change; "
                                              "record nothing.")] = False,
        template: Annotated[Path | None, typer.Option("--template", dir_okay=False, help="Write the empty "
                            "workbook (Vietnamese headers, a note on each, a guide sheet with an example) to "
                            "this file and stop.")] = None,
        preview: Annotated[Path | None, typer.Option("--preview", dir_okay=False, help="Also write the preview "
                           "(changes, candidates carried, what stays with the organisations that end) to this "
                           ".xlsx file.")] = None,
    ) -> None:
        """Apply a restructuring workbook in one transaction, all or nothing; every problem is listed by sheet,
        row and column."""
        from workflow.restructure.template import write_preview, write_template
        from workflow.restructure.workbook import applied_doc, apply_workbook

        c = cli.get(ctx)
        with cli.refusals(c):  # a refused workbook: workflow/refusals.py, every cell listed
            if template is not None:
                if plan is not None:
                    raise typer.BadParameter("give a PLAN.xlsx to apply or --template to write, not both",
                                             param_hint="--template")
                write_template(template)
                c.emit({"template": str(template)}, lambda con: con.print(f"wrote the template to {template}"))
                return
            if plan is None:
                raise typer.BadParameter("name the workbook to apply, or --template FILE", param_hint="PLAN.xlsx")
            applied = apply_workbook(c.app(), plan, dry_run=dry_run, actor=c.actor())
        if preview is not None:
            write_preview(preview, applied)
        c.emit(applied_doc(applied), lambda con: print_applied(con, applied))
