"""CLI for reminders: contacts, one sweep and dispatch, the preview, the outbox and the scheduler."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

import logging
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workflow.cli import context as cli

if TYPE_CHECKING:
    from rich.console import Console

if TYPE_CHECKING:
    from notifications.outbox import DispatchReport
    from workflow.reminders import Reminders, SweepReport

reminders_app = typer.Typer(help="Due-date reminders: run a sweep and dispatch once, preview what will be sent.",
                            no_args_is_help=True)
outbox_app = typer.Typer(help="The outbox of reminders: list them, retry a failed one.", no_args_is_help=True)


def _reminders(c: cli.Context) -> Reminders:
    from workflow.bootstrap import reminders_for

    return reminders_for(c.app())


def _local(moment: datetime | None) -> str:
    return cli.moment(moment) if moment else ""


def org_contact(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Organisation code, e.g. CB-01.")],
    role: Annotated[str, typer.Option("--role", help="secretary (of a branch) or office (of a committee).")],
    email: Annotated[str | None, typer.Option("--email", help="E-mail address.")] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="URL that receives signed JSON.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Who it is, e.g. 'Đ/c Lê Văn Cường'.")] = None,
    language: Annotated[str, typer.Option("--language", help="vi (default) or en.")] = "vi",
) -> None:
    """Set how to reach a role of an organisation; reminders that waited for it are sent again."""
    from workflow.reminders import SetContact

    c = cli.get(ctx)
    with cli.refusals(c):
        cmd = SetContact(org=code, role=role, email=email, webhook=webhook, name=name, language=language)
        requeued = _reminders(c).set_contact(cmd, c.app().clock.now())
    doc = {**cmd.model_dump(), "requeued": requeued}
    c.emit(doc, lambda con: con.print(f"contact for the {role} of {code} set; {requeued} waiting reminder(s) "
                                      "re-queued", markup=False))


def org_contacts(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(help="Only this organisation.")] = None,
) -> None:
    """List contacts."""
    from rich.table import Table

    c = cli.get(ctx)
    with cli.refusals(c):
        found = _reminders(c).contacts(code)

    def text(con: Console) -> None:
        table = Table("org", "role", "name", "email", "webhook", "language")
        for x in found:
            table.add_row(x.org, x.role, x.name or "", x.email or "", x.webhook_url or "", x.language)
        con.print(table)

    c.emit([vars(x) for x in found], text)


def _reports_doc(sweep: SweepReport, dispatch: DispatchReport) -> dict[str, Any]:
    return {"sweep": vars(sweep), "dispatch": vars(dispatch)}


@reminders_app.command("run-once")
def run_once(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option("--now", help="Act as if it were this moment (ISO timestamp; "
                                            "Vietnam's local time if no zone). Default: now.")] = None,
) -> None:
    """Run one sweep (deadlines -> outbox) and one dispatch (outbox -> channels)."""
    c = cli.get(ctx)
    moment = cli.parse_timestamp(now, "--now")
    with cli.refusals(c):
        app = c.app()
        sweep, dispatch = _reminders(c).run_once(moment or app.clock.now())

    def text(con: Console) -> None:
        con.print(f"sweep: {sweep.deadlines} open deadline(s) looked at, {sweep.created} reminder(s) written "
                  f"({sweep.late} late), {sweep.digests} digest(s), {sweep.cancelled} cancelled, "
                  f"{sweep.reports} report(s) to the upper level")
        con.print(f"dispatch: {dispatch.sent} sent, {dispatch.retried} to retry, {dispatch.failed} failed, "
                  f"{dispatch.incidents} incident(s), {dispatch.cancelled} cancelled")
        if dispatch.failed or dispatch.incidents:
            con.print("see `ketnap outbox list --failed`", style="red")

    c.emit(_reports_doc(sweep, dispatch), text)


@reminders_app.command("preview")
def preview(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="How far ahead to look.")] = 30,
    org: Annotated[str | None, typer.Option("--org", help="Only candidates of this organisation and those "
                                            "under it.")] = None,
    now: Annotated[str | None, typer.Option("--now", help="Look ahead from this moment instead of now (ISO "
                                            "timestamp; Vietnam's local time if no zone).")] = None,
) -> None:
    """What would be sent and when, to whom; reminders without a contact are flagged."""
    from rich.table import Table

    c = cli.get(ctx)
    moment = cli.parse_timestamp(now, "--now")
    with cli.refusals(c):
        app = c.app()
        rows = _reminders(c).preview(moment or app.clock.now(), days, org)

    def text(con: Console) -> None:
        table = Table("when (local)", "moment", "deadline", "due on", "candidate", "to", "contact")
        for r in rows:
            when = "now" if r["when"] == "owed now" else _local(r["at"])
            reach = r["contact"] or f"[red]{r['problem']}[/]"
            table.add_row(when, r["slot"], r["kind"], str(r["due_on"]), f"{r['candidate']} ({r['candidate_id']})",
                          f"{r['role']} of {r['org'] or '?'}", reach)
        con.print(table)
        missing = sum(1 for r in rows if r["problem"])
        con.print(f"{len(rows)} reminder(s) in the next {days} day(s); {missing} without a contact")

    c.emit(rows, text)


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only failed rows (incidents to act on).")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows per page, newest first.")] = 50,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of --limit rows (1: the first).")] = 1,
    cursor: Annotated[str | None, typer.Option("--cursor", help="The page after this one: `next_cursor` of the "
                                               "page before (--json); costs the same on every page.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every row, printed while it is read (a batch at a time).")]
    = False,
) -> None:
    """List outbox rows, newest first: one page, how many in all, how to see more."""
    from rich.table import Table

    from workflow.cli.paging import Paging, print_list

    c = cli.get(ctx)

    def table(rows: list[dict[str, Any]]) -> Table:
        shown = Table("id", "status", "type", "moment", "role", "org", "late", "tries", "sent / next try", "key",
                      "problem")
        for r in rows:
            when = _local(r["sent_at"] if r["status"] == "sent" else r["available_at"])
            problem = f"{r['problem']}: {r['last_error']}" if r["problem"] else (r["last_error"] or "")
            shown.add_row(str(r["id"]), r["status"], r["kind"], r["slot"], r["role"], r["org"] or "",
                          "late" if r["late"] else "", str(r["attempts"]), when, r["key"], problem)
        return shown

    with cli.refusals(c):
        reminders = _reminders(c)
        print_list(c.json, Paging(limit, page, cursor, every), lambda n, after, skip, count: reminders.outbox(
            failed, n, after, skip, count), table, "row(s)")


@outbox_app.command("retry")
def outbox_retry(
    ctx: typer.Context,
    row_id: Annotated[int, typer.Argument(metavar="ID", help="Outbox row id (see `ketnap outbox list`).")],
) -> None:
    """Put a failed row back in the queue with a fresh retry budget."""
    c = cli.get(ctx)
    with cli.refusals(c):
        row = _reminders(c).retry(row_id, c.app().clock.now())
    c.emit(row, lambda con: con.print(f"outbox row {row_id} queued again ({row['key']})", markup=False))


def scheduler(
    ctx: typer.Context,
    standby: Annotated[bool, typer.Option("--standby", help="SQLite: wait for the running scheduler to stop "
                                          "instead of refusing to start.")] = False,
) -> None:
    """Run the reminder scheduler in the foreground until SIGTERM or Ctrl-C."""
    from workflow.scheduler import SchedulerService

    c = cli.get(ctx)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per job run

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    with cli.refusals(c):
        app = c.app()
        service = SchedulerService(_reminders(c), app.clock, say=say)
        code = service.run(standby=standby)
    raise typer.Exit(code)


def register(app: typer.Typer, org_app: typer.Typer) -> None:
    """Called from main.py's `_register_features`."""
    org_app.command("contact")(org_contact)
    org_app.command("contacts")(org_contacts)
    app.add_typer(reminders_app, name="reminders")
    app.add_typer(outbox_app, name="outbox")
    app.command("scheduler")(scheduler)
