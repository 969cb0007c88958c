"""`ketnap report types`: the report by type of grassroots organisation and by group (issue 20)."""

from __future__ import annotations  # types named for mypy only: a command loads what it uses (issue 14)

from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import context as cli
from workflow.cli.report_options import Org, XlsxOpt

if TYPE_CHECKING:
    from rich.console import Console


def register(report_app: typer.Typer) -> None:
    report_app.command("types")(report_types)


def report_types(
    ctx: typer.Context, org: Org,
    period: Annotated[str | None, typer.Option("--period", help="2024, 2022-2025, 2024-H1, 2024-Q1, 2024-03 or "
                                               "2024-01..2024-10 (or --term).")] = None,
    term: Annotated[str | None, typer.Option("--term", help="The name of a plan of --org whose dates are the "
                                             "period, e.g. 'Nghị quyết Đại hội 2020-2025' (from its congress's "
                                             "date, `plan set --from`).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Figures so far: the period cut at this date, "
                                              "YYYY-MM-DD.")] = None,
    count_on: Annotated[str | None, typer.Option("--count-on", help="decision or ceremony (default: "
                                                 "config.yaml reports.count_admissions_on).")] = None,
    xlsx_file: XlsxOpt = None,
) -> None:
    """Grassroots organisations, members at the start of the year, admissions and class trainees by type of
    grassroots organisation (config.yaml org_types) and by group (reports.groups)."""
    from workflow.reports import by_type, xlsx
    from workflow.reports.periods import parse_period

    c = cli.get(ctx)
    if (period is None) == (term is None):
        raise typer.BadParameter("give --period or --term (one of them)", param_hint="--period/--term")
    if count_on not in (None, "decision", "ceremony"):
        raise typer.BadParameter("use decision or ceremony", param_hint="--count-on")
    with cli.refusals(c):
        app = c.app()
        span = parse_period(period) if period is not None else by_type.term_period(app, org, term or "")
        doc = by_type.type_report(app, org, span, as_of=cli.parse_date(as_of, "--as-of"), count_on=count_on)
    if xlsx_file:
        xlsx.write_workbook(xlsx_file, by_type.type_sheets(doc))
    c.emit(doc, lambda con: _print(con, doc, xlsx_file))


def _print(con: Console, doc: dict, xlsx_file: object) -> None:  # type: ignore[type-arg]
    from rich.table import Table

    from workflow.reports import by_type

    period = doc["period"]
    con.print(f"{doc['org']['name']} ({doc['org']['code']}): {period['label']}, "
              f"{period['start'].strftime('%d/%m/%Y')} - {period['end'].strftime('%d/%m/%Y')}")
    table = Table("type", f"organisations on {doc['organisations_on'].strftime('%d/%m/%Y')}",
                  f"members 1/1/{doc['members_year']}", "admissions", "trainees")
    for r in [*doc["rows"], {**doc["total"], "heading": "Tổng số"},
              *({**g, "heading": by_type.of_which(g["heading"])} for g in doc["groups"])]:
        table.add_row(r["heading"], *(f"{r[k]:,}" for k in by_type.MEASURES))
    con.print(table)
    con.print(f"classes held: {doc['classes_held']}")
    if xlsx_file:
        con.print(f"wrote {xlsx_file}")
