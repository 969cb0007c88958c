"""`ketnap historical add|import|withdraw|list`: historical records, an organisation's admissions of past periods as
totals (issue 13, item 5; states/history_records.py says why and what they are)."""

from __future__ import annotations  # types named for mypy only

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import context as cli

if TYPE_CHECKING:  # a command loads the feature it uses (issue 14, item 4)
    from rich.console import Console

    from states.history_records import HistoricalRecord
    from workflow import history_records as history

history_app = typer.Typer(help="Historical records (số liệu lịch sử): admissions of past periods as totals, "
                               "counted by reports, proven unaltered by the audit, never re-judged.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="historical")  # `history` is a candidate's timeline


def _permit(c: cli.Context) -> history.Permit | None:
    """None for the server's operator; a user's check (workflow/access.py) when the actor names a user."""
    from workflow import history_records as history

    scoped = c.as_user(c.actor())
    return None if scoped is None else history.permit_for(scoped.who)


def _categories(pairs: list[str]) -> dict[str, int]:
    """CATEGORY=N pairs; a category by its key (women) or its heading (Nữ), as in a file's header."""
    from workflow import history_records as history

    keys, found = history.column_keys(), {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            found[keys.get(history.nfc(key).casefold(), key.strip())] = int(value.strip())
        except ValueError:
            raise typer.BadParameter(f"{pair!r} is not CATEGORY=NUMBER", param_hint="--category") from None
    return found


def _print(con: Console, records: list[HistoricalRecord], title: str) -> None:
    from rich.table import Table

    table = Table("org", "#", "kỳ", "kết nạp", "kết nạp lại", "đối tượng", "nguồn", title=title)
    for r in records:
        table.add_row(r.org, str(r.version or "-"), r.label, f"{r.admitted:,}", f"{r.readmitted:,}",
                      ", ".join(f"{k}={v:,}" for k, v in sorted(r.categories.items())), r.source)
    con.print(table)


@history_app.command("add")
def history_add(
    ctx: typer.Context,
    org: Annotated[str, typer.Option("--org", help="The organisation's code (as in `ketnap org list`).")],
    period: Annotated[str, typer.Option("--period", help="The past period: 2015, 2008-2015, 2015-H1, 2015-Q1, "
                                        "2015-03 or 2015-01..2015-10; it must lie within the organisation's "
                                        "existence and be over.")],
    admitted: Annotated[int, typer.Option("--admitted", help="New members admitted in the period (the total).")],
    source: Annotated[str, typer.Option("--source", help="Where the figures come from: the report's number and "
                                        "date, e.g. 'Báo cáo 45-BC/ĐUK ngày 10/01/2016'.")],
    readmitted: Annotated[int, typer.Option("--readmitted", help="Of them, re-admitted (kết nạp lại).")] = 0,
    category: Annotated[list[str] | None, typer.Option(
        "--category", help="Repeatable CATEGORY=N, a part of the total, e.g. women=120: a category by its "
        "key or by its heading in the admissions report (Nữ=120).")] = None,
    note: Annotated[str, typer.Option("--note", help="Anything the report adds.")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Judge the record, write nothing.")] = False,
) -> None:
    """Enter one historical record; refused with every reason, nothing written, if it does not hold."""
    from workflow import history_records as history

    c = cli.get(ctx)
    with cli.refusals(c):
        entry = history.Entry(org, period, admitted, source, readmitted, _categories(category or []), note)
        done = history.add(c.app(), [entry], c.actor(), permit=_permit(c), dry_run=dry_run,
                           meta={"via": "cli"})
    c.emit({"dry_run": dry_run, "records": [r.as_dict() for r in done]},
           lambda con: _print(con, done, "thử (không ghi)" if dry_run else "đã ghi số liệu lịch sử"))


@history_app.command("import")
def history_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8) or .xlsx file: a header row (Mã tổ chức, Kỳ, Số "
                                         "kết nạp, Nguồn số liệu; optional Kết nạp lại, Ghi chú and one column "
                                         "per report category, by key or heading), then one record per row.",
                                         exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Judge every row, write nothing.")] = False,
) -> None:
    """Enter every record of a file, or none: each wrong cell or record is named by its row."""
    from workflow import history_records as history

    c = cli.get(ctx)
    with cli.refusals(c):
        entries = history.read_file(file)
        done = history.add(c.app(), entries, c.actor(), permit=_permit(c), dry_run=dry_run,
                           meta={"via": "cli", "file": file.name})
    c.emit({"dry_run": dry_run, "records": [r.as_dict() for r in done]},
           lambda con: _print(con, done, "thử (không ghi)" if dry_run else f"đã nhập {len(done)} bản ghi"))


@history_app.command("withdraw")
def history_withdraw(
    ctx: typer.Context,
    org: Annotated[str, typer.Option("--org", help="The organisation's code.")],
    version: Annotated[int, typer.Option("--entry", help="The record's entry number (# in `historical list`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (kept in the log).")],
) -> None:
    """Withdraw a record in force: it stays in the log, marked withdrawn; enter the right one again after."""
    from workflow import history_records as history

    c = cli.get(ctx)
    with cli.refusals(c):
        record = history.withdraw(c.app(), org, version, reason, c.actor(), permit=_permit(c))
    c.emit({"withdrawn": record.as_dict()},
           lambda con: con.print(f"đã rút số liệu lịch sử {record.org} {record.label} (#{record.version})"))


@history_app.command("list")
def history_list(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's records.")] = None,
) -> None:
    """List the historical records in force."""
    from workflow import history_records as history

    c = cli.get(ctx)
    with cli.refusals(c):
        scoped = c.as_user(c.actor())
        found = history.records(c.app(), [org] if org else None)
        if scoped is not None:
            found = [r for r in found if scoped.who.sees(r.org)]
    c.emit([r.as_dict() for r in found], lambda con: _print(con, found, "số liệu lịch sử (không xét lại)"))
