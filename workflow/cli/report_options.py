"""What the report commands share: their options."""

from pathlib import Path
from typing import Annotated

import typer

Org = Annotated[str, typer.Option("--org", help="Organisation code; reports cover it and everything under it.")]
PeriodOpt = Annotated[str, typer.Option("--period", help="2024, 2022-2025, 2024-H1, 2024-Q1, 2024-03 or "
                                        "2024-01..2024-10.")]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel workbook here.")]
