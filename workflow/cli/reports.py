"""CLI of plans, membership counts, training classes, reports and the Excel import and export (issue 6)."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import context as cli
from workflow.cli import report_types, training_classes
from workflow.cli.report_options import Org, PeriodOpt, XlsxOpt
from workflow.cli.report_text import print_import, print_report

if TYPE_CHECKING:
    from rich.console import Console

    from workflow.reports import plans
    from workflow.reports.periods import Period

plan_app = typer.Typer(help="Plans (kế hoạch, chỉ tiêu) of admissions per organisation and period.",
                       no_args_is_help=True)
membership_app = typer.Typer(help="Members at the start of each year, the base of the admission rate.",
                             no_args_is_help=True)
report_app = typer.Typer(help="Reports computed from the event log.", no_args_is_help=True)
import_app = typer.Typer(help="Bring candidates and their history in from Excel.", no_args_is_help=True)


def register(app: typer.Typer, candidate_app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
    app.add_typer(membership_app, name="membership")
    app.add_typer(training_classes.class_app, name="class")
    app.add_typer(report_app, name="report")
    report_types.register(report_app)
    app.add_typer(import_app, name="import")
    candidate_app.command("export")(candidate_export)


def _years(text: str) -> Period:
    from workflow.reports.periods import PeriodError, parse_period

    period = parse_period(text)
    if period.start.month != 1 or period.start.day != 1 or (period.end.month, period.end.day) != (12, 31):
        raise PeriodError(text)
    return period


# --- plans and membership ------------------------------------------------------------------------------------

def _targets(pairs: list[str]) -> dict[str, int]:
    found = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not value.strip().isdigit():
            raise typer.BadParameter(f"{pair!r} is not CATEGORY=NUMBER", param_hint="--target")
        found[key.strip()] = int(value)
    return found


@plan_app.command("set")
def plan_set(
    ctx: typer.Context, org: Org,
    period: Annotated[str, typer.Option("--period", help="A year (2024) or years (2022-2025).")],
    total: Annotated[int | None, typer.Option("--total", help="Admissions to reach.")] = None,
    rate: Annotated[str | None, typer.Option("--rate", help="Or a minimum % of the membership at the start "
                                             "of each year, e.g. 3.5.")] = None,
    source: Annotated[str, typer.Option("--source", help="resolution (own) or assigned (by the upper "
                                        "level).")] = "resolution",
    name: Annotated[str, typer.Option("--name", help="e.g. 'Nghị quyết Đại hội 2020-2025'.")] = "",
    document: Annotated[str | None, typer.Option("--document", help="The document's number.")] = None,
    target: Annotated[list[str] | None, typer.Option("--target", help="Repeatable sub-target CATEGORY=N or "
                      "GROUP=N (config.yaml reports.groups), e.g. student=15, enterprise=110.")] = None,
    starts_on: Annotated[str | None, typer.Option("--from", help="A term's first day, the congress's date "
                         "(YYYY-MM-DD, in the period's first year); then --total/--rate may be left out.")] = None,
    ends_on: Annotated[str | None, typer.Option("--to", help="A term's last day (YYYY-MM-DD, in the period's "
                       "last year; default 31 December).")] = None,
) -> None:
    """Set a plan; the same organisation, period, source and name replaces the earlier one."""
    from workflow.reports import plans

    c = cli.get(ctx)
    try:
        rate_value = Decimal(rate) if rate is not None else None
    except InvalidOperation:
        raise typer.BadParameter(f"{rate!r} is not a number", param_hint="--rate") from None
    with cli.refusals(c):
        span = _years(period)
        plan = plans.set_plan(c.app(), plans.SetPlan(
            org=org, first_year=span.start.year, last_year=span.end.year, source=source, name=name,
            document=document, total=total, rate_percent=rate_value, targets=_targets(target or []),
            starts_on=cli.parse_date(starts_on, "--from"), ends_on=cli.parse_date(ends_on, "--to")), c.actor())
    c.emit(plan.as_dict(), lambda con: con.print(f"plan {plan.id}: {plan.org} {plan.period_label} "
                                                 f"{plan.source} {_target_text(plan)}"))


def _target_text(plan: plans.Plan) -> str:
    return (str(plan.total) if plan.total is not None else f"{plan.rate_percent}%" if plan.rate_percent is not None
            else f"term from {plan.start.strftime('%d/%m/%Y')}")


@plan_app.command("list")
def plan_list(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's plans.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Only plans overlapping this period.")] = None,
) -> None:
    """List plans with their sub-targets."""
    from rich.table import Table

    from workflow.reports import plans
    from workflow.reports.periods import parse_period

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        with app.uow.reading() as tx:
            found = plans.plans(tx.conn, orgs=[org] if org else None,
                                period=parse_period(period) if period else None)

    def text(con: Console) -> None:
        table = Table("id", "org", "period", "source", "name", "document", "target", "sub-targets")
        for p in found:
            table.add_row(str(p.id), p.org, p.period_label, p.source, p.name, p.document or "",
                          _target_text(p),
                          ", ".join(f"{k}={v}" for k, v in p.targets.items()))
        con.print(table)

    c.emit([p.as_dict() for p in found], text)


@plan_app.command("remove")
def plan_remove(ctx: typer.Context,
                plan_id: Annotated[int, typer.Argument(metavar="ID", help="The plan's id (plan list).")]) -> None:
    """Remove a plan and its sub-targets."""
    from workflow.reports import plans

    c = cli.get(ctx)
    with cli.refusals(c):
        plans.remove_plan(c.app(), plan_id)
    c.emit({"removed": plan_id}, lambda con: con.print(f"removed plan {plan_id}"))


@membership_app.command("set")
def membership_set(
    ctx: typer.Context, org: Org,
    year: Annotated[int, typer.Option("--year", help="The year whose 1 January the count is for.")],
    members: Annotated[int, typer.Option("--members", help="Official and probationary members.")],
) -> None:
    """Record the membership of an organisation at the start of a year."""
    from workflow.reports import plans

    c = cli.get(ctx)
    with cli.refusals(c):
        plans.set_membership(c.app(), org, year, members, c.actor())
    c.emit({"org": org, "year": year, "members": members},
           lambda con: con.print(f"{org}: {members} members on 1 January {year}"))


@membership_app.command("list")
def membership_list(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
) -> None:
    """List membership counts."""
    from rich.table import Table

    from workflow.reports import plans

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        with app.uow.reading() as tx:
            rows = plans.membership_rows(tx.conn, org)

    def text(con: Console) -> None:
        table = Table("org", "year", "members")
        for r in rows:
            table.add_row(r["org"], str(r["year"]), f"{r['members']:,}")
        con.print(table)

    c.emit(rows, text)


# --- reports -------------------------------------------------------------------------------------------------

@report_app.command("admissions")
def report_admissions(
    ctx: typer.Context, org: Org, period: PeriodOpt,
    count_on: Annotated[str | None, typer.Option("--count-on", help="decision or ceremony (default: "
                                                 "config.yaml reports.count_admissions_on).")] = None,
    xlsx_file: XlsxOpt = None,
    predecessors: Annotated[bool, typer.Option(
        "--predecessors/--no-predecessors",
        help="For an organisation founded during the period (a commune of 1 July 2025): count what its branches "
             "did before, under their predecessors (the default), or leave it out.")] = True,
) -> None:
    """Admissions against plans, rate, categories, sub-units, previous year, pipeline and forecast, each counted
    with the organisation tree of its date."""
    from workflow.reports import admissions
    from workflow.reports.periods import parse_period

    c = cli.get(ctx)
    if count_on not in (None, "decision", "ceremony"):
        raise typer.BadParameter("use decision or ceremony", param_hint="--count-on")
    with cli.refusals(c):
        doc = admissions.admissions_report(c.app(), org, parse_period(period), count_on, predecessors=predecessors)
    if xlsx_file:
        from workflow.reports import xlsx  # openpyxl only when a workbook is written

        xlsx.write_workbook(xlsx_file, xlsx.report_sheets(doc))
    c.emit(doc, lambda con: print_report(con, doc, xlsx_file))


@report_app.command("rebuild")
def report_rebuild(ctx: typer.Context) -> None:
    """Fold the whole event log into the report read model again."""
    from storage import report_model

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        with app.uow.transaction() as tx:
            count = report_model.rebuild(tx.conn, app.clock.now())
    c.emit({"candidates": count}, lambda con: con.print(f"report read model rebuilt: {count} candidate(s)"))


# --- Excel in and out ----------------------------------------------------------------------------------------

def candidate_export(
    ctx: typer.Context,
    xlsx_file: Annotated[Path, typer.Option("--xlsx", help="The workbook to write.")],
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation and those under it.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Only candidates in this stage.")] = None,
) -> None:
    """Export the candidate list to Excel (Vietnamese headers, real dates)."""
    from workflow import access_log
    from workflow.reports import xlsx

    c = cli.get(ctx)
    with cli.refusals(c):
        rows = list(c.app().every_candidate(org=org, stage=stage))  # an openpyxl workbook holds every cell anyway
        access_log.viewed(c.app(), cli.viewer(), "export_xlsx", org=org, count=len(rows),
                          scope=f"org={org or '*'} stage={stage or '*'} file={xlsx_file.name}")
    xlsx.write_workbook(xlsx_file, [xlsx.candidate_sheet(rows)])
    c.emit({"file": str(xlsx_file), "rows": len(rows)},
           lambda con: con.print(f"wrote {len(rows)} candidate(s) to {xlsx_file}"))


@import_app.command("xlsx")
def import_xlsx(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The workbook (see `import template`).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row, record nothing.")] = False,
) -> None:
    """Import candidates and the steps already done, one row each: every row is judged first, and one refused row
    imports nothing. Running a file again finishes an interrupted import (the rows it recorded are skipped)."""
    from workflow.reports import importer

    c = cli.get(ctx)
    with cli.refusals(c):
        result = importer.import_workbook(c.app(), file, dry_run=dry_run, actor=c.actor(), permit=c.permit())
    c.emit(vars(result), lambda con: print_import(con, result))


@import_app.command("template")
def import_template(ctx: typer.Context, file: Annotated[Path, typer.Argument(
        dir_okay=False, help="The workbook to write.")]) -> None:
    """Write the import workbook with Vietnamese headers and a sheet explaining every column."""
    from workflow.reports.template import write_template

    c = cli.get(ctx)
    write_template(file)
    c.emit({"file": str(file)}, lambda con: con.print(f"wrote the import template to {file}"))
