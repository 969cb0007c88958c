"""What the report commands share: their options and the listing of batch and import refusals."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from workflow.cli import context as cli
from workflow.reports import classes, importer

Org = Annotated[str, typer.Option("--org", help="Organisation code; reports cover it and everything under it.")]
PeriodOpt = Annotated[str, typer.Option("--period", help="2024, 2022-2025, 2024-H1, 2024-Q1, 2024-03 or "
                                        "2024-01..2024-10.")]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel workbook here.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@contextmanager
def refusals(c: cli.Context) -> Iterator[None]:
    """The shared error mapping, plus batch and import refusals listed item by item."""
    with cli.refusals(c):
        try:
            yield
        except classes.BatchRefused as err:
            details = [{**v.as_dict(), "candidate": r.candidate_id, "field": f"{r.candidate_id} {r.full_name}: "
                        f"{v.field or ''}".strip()} for r in err.refusals for v in r.violations]
            cli.fail(c, "batch_refused", str(err), details=details)
        except importer.ImportRefused as err:
            details = [{**p.as_dict(), "field": f"{p.sheet}!{p.column}{p.row} {p.header}"} for p in err.problems]
            cli.fail(c, "import_refused", str(err), details=details)


def as_json(c: cli.Context, local: bool) -> cli.Context:
    """A `--json` given after the sub-command counts like the global one."""
    if local:
        c.json = True
    return c
