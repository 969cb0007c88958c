"""CLI of training classes (lớp bồi dưỡng nhận thức về Đảng): add, enrol, certify, list, show, stats."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

from typing import TYPE_CHECKING, Annotated, Any

import typer

from workflow.cli import context as cli
from workflow.cli.report_options import Org, PeriodOpt, XlsxOpt
from workflow.cli.report_text import print_class_stats

if TYPE_CHECKING:
    from rich.console import Console

if TYPE_CHECKING:
    from workflow.reports import classes

class_app = typer.Typer(help="Party-awareness classes (lớp bồi dưỡng nhận thức về Đảng).", no_args_is_help=True)


@class_app.command("add")
def class_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. BD-2024-03.")],
    name: Annotated[str, typer.Option("--name", help="The class's name, recorded in each enrolment.")],
    organiser: Annotated[str, typer.Option("--organiser", help="Code of the organising organisation.")],
    starts: Annotated[str, typer.Option("--starts", help="First day (YYYY-MM-DD).")],
    ends: Annotated[str, typer.Option("--ends", help="Last day (YYYY-MM-DD).")],
    place: Annotated[str | None, typer.Option("--place", help="Where the class is held.")] = None,
) -> None:
    """Add a training class."""
    from workflow.reports import classes

    c = cli.get(ctx)
    with cli.refusals(c):
        klass = classes.add_class(c.app(), classes.AddClass(
            code=code, name=name, organiser=organiser, starts_on=cli.parse_date(starts, "--starts"),
            ends_on=cli.parse_date(ends, "--ends"), place=place), c.actor())
    c.emit(klass.as_dict(), lambda con: con.print(f"added class {klass.code}: {klass.name}"))


def _batch_doc(result: classes.BatchResult) -> dict[str, Any]:
    return {"recorded": result.recorded, "skipped": [{"id": i, "why": w} for i, w in result.skipped]}


def _print_batch(con: Console, step: str, result: classes.BatchResult) -> None:
    con.print(f"{step}: recorded for {len(result.recorded)} candidate(s)")
    for candidate_id, why in result.skipped:
        con.print(f"  skipped {candidate_id}: {why}")


@class_app.command("enrol")
def class_enrol(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The class's code.")],
    ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Candidates to enrol.")] = None,
    from_org: Annotated[list[str] | None, typer.Option("--from-org", help="Repeatable: also every candidate "
                        "waiting for a class (stage mentored) in this organisation and under it.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Enrolment date (default: the class's first day).")] = None,
) -> None:
    """Enrol candidates of one or several branches, one `enrol_training` each, all or none."""
    from workflow.reports import classes

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        chosen = list(ids or [])
        for org in from_org or []:
            chosen += [r["id"] for r in app.every_candidate(org=org, stage="mentored")]
        result = classes.enrol(app, code, chosen, cli.parse_date(on, "--on"), c.actor(), c.permit())
    c.emit(_batch_doc(result), lambda con: _print_batch(con, "enrol_training", result))


@class_app.command("certify")
def class_certify(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The class's code.")],
    issued_on: Annotated[str, typer.Option("--issued-on", help="The certificates' date (YYYY-MM-DD).")],
    on: Annotated[str | None, typer.Option("--on", help="Date recorded (default: --issued-on).")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Certificate numbers: prefix + running number.")] = "",
    first_number: Annotated[int, typer.Option("--first-number", help="The first running number.")] = 1,
    number: Annotated[list[str] | None, typer.Option("--number", help="Repeatable ID=CERTIFICATE_NO.")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Repeatable: a candidate who did not "
                       "pass.")] = None,
) -> None:
    """Record the certificates of the whole class: one `certify_training` per candidate, all or none."""
    from workflow.reports import classes

    c = cli.get(ctx)
    numbers = dict(pair.partition("=")[::2] for pair in number or [])
    with cli.refusals(c):
        issued = cli.parse_date(issued_on, "--issued-on")
        assert issued is not None
        result = classes.certify(c.app(), code, issued, numbers, prefix=prefix, first_number=first_number,
                                 exclude=exclude or [], on=cli.parse_date(on, "--on"), actor=c.actor(),
                                 permit=c.permit())
    c.emit(_batch_doc(result), lambda con: _print_batch(con, "certify_training", result))


@class_app.command("list")
def class_list(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Organised by this organisation or under it.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Starting in this period.")] = None,
) -> None:
    """List training classes."""
    from rich.table import Table

    from workflow.organisations import subtree_now
    from workflow.reports import classes
    from workflow.reports.periods import parse_period

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        with app.uow.reading() as tx:
            scope = subtree_now(tx.org_history(), org) if org else None
            found = classes.list_classes(tx.conn, scope, parse_period(period) if period else None)

    def text(con: Console) -> None:
        table = Table("code", "name", "organiser", "starts", "ends", "place")
        for k in found:
            table.add_row(k.code, k.name, k.organiser, str(k.starts_on), str(k.ends_on), k.place or "")
        con.print(table)

    c.emit([k.as_dict() for k in found], text)


@class_app.command("show")
def class_show(
    ctx: typer.Context, code: Annotated[str, typer.Argument(help="The class's code.")], xlsx_file: XlsxOpt = None,
) -> None:
    """A class and its roster (from the log)."""
    from rich.table import Table

    from workflow.reports import classes

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        with app.uow.reading() as tx:
            klass = classes.get_class(tx.conn, code)
            members = classes.roster(tx.conn, klass)
    if xlsx_file:
        from workflow.reports import xlsx  # openpyxl only when a workbook is written

        xlsx.write_workbook(xlsx_file, [xlsx.candidate_sheet(members)])

    def text(con: Console) -> None:
        con.print(f"{klass.code}: {klass.name} ({klass.organiser}, {klass.starts_on} to {klass.ends_on})")
        table = Table("id", "org", "name", "stage", "enrolled", "certificate issued")
        for m in members:
            table.add_row(m["id"], m["org"], m["full_name"], m["stage"], str(m["enrolled_on"] or ""),
                          str(m["certified_on"] or ""))
        con.print(table)

    c.emit({**klass.as_dict(), "roster": members}, text)


@class_app.command("stats")
def class_stats(ctx: typer.Context, org: Org, period: PeriodOpt, xlsx_file: XlsxOpt = None) -> None:
    """Classes held, trainees, certificates and trainees from enterprises."""
    from workflow.reports import classes
    from workflow.reports.periods import parse_period

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        stats = classes.class_stats(app, org, parse_period(period))
        if xlsx_file:
            from workflow.reports import xlsx  # openpyxl only when a workbook is written

            with app.uow.reading() as tx:
                rosters = {k["code"]: classes.roster(tx.conn, classes.get_class(tx.conn, k["code"]))
                           for k in stats["classes"]}
            xlsx.write_workbook(xlsx_file, xlsx.class_sheets(stats, rosters))
    c.emit(stats, lambda con: print_class_stats(con, stats))


