"""`ketnap backup|restore` and `ketnap audit access`: the records Decree 13/2023/NĐ-CP asks for (issue 11, items
7 and 8): a copy of the personal data against loss, and who saw it.

Exit status: 0 done; 2 refused (the reason is printed; nothing was written into a database); 4 a restored copy
does not verify clean or does not give the checkpoint digest of its manifest.
"""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import context as cli
from workflow.cli.audit import audit_app

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_LIMIT = 100


@contextmanager
def _bar(label: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal, fed (done, total); silent otherwise (cron, pipes)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True)
    if not err.is_terminal:
        yield lambda _done, _total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn(unit), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@contextmanager
def _counting(label: str, unit: str, total: int) -> Iterator[Callable[[int], None]]:
    """The same bar fed increments (the audit's verifier reports events as it checks them)."""
    with _bar(label, unit) as show:
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            show(done[0], total)

        yield advance


def backup_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False, help="The backup to write (never "
                                         "overwritten); its manifest is written beside it as FILE.json.")],
) -> None:
    """Copy the whole database into FILE (SQLite: the online backup API, safe while steps are being recorded;
    PostgreSQL: pg_dump -Fc), with a manifest: checkpoint digest, counts, schema, version. Both files are 0600."""
    from workflow import backup as backups

    c = cli.get(ctx)
    with cli.refusals(c), _bar("backing up", "pages") as progress:
        made = backups.backup(c.app(), file, progress)
    c.emit({"file": str(file), "manifest": str(backups.manifest_path(file)), **made.as_dict()}, lambda con: con.print(
        f"wrote {file} ({made.file_bytes} bytes) and {backups.manifest_path(file)}: {made.counts['candidates']} "
        f"candidate(s), {made.counts['events']} event(s); checkpoint {made.digest}", markup=False))


def restore_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", dir_okay=False, help="A file written by `ketnap "
                                         "backup`, with its FILE.json beside it.")],
) -> None:
    """Restore FILE into an empty database (--db), then verify the restored copy (`audit verify`) and compare its
    checkpoint digest with the one in the backup's manifest. Exit 4 if either does not hold."""
    from workflow import backup as backups
    from workflow.refusals import EXIT_VERIFY_FAILED

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app(need_schema=False)
        with _bar("restoring", "pages") as progress:
            manifest = backups.restore(app, file, progress)
        check = backups.check_restored(app, manifest, lambda total: _counting("verifying", "events", total))
    doc = {"file": str(file), "manifest": manifest.as_dict(), **check.as_dict()}

    def text(con: Console) -> None:
        report = check.report
        con.print(f"restored {file}: {report.streams} candidate(s), {report.events} event(s)", markup=False)
        for f in report.findings[:20]:
            con.print(f"  {f.kind} {f.stream_id} v{f.version}: {f.detail}", markup=False)
        con.print("audit verify: " + ("everything holds" if report.ok else f"{report.found} problem(s)"))
        same = check.digest == check.expected
        con.print(f"checkpoint {check.digest}: " + ("matches the backup's manifest" if same else
                                                    f"DIFFERS from the manifest's {check.expected}"), markup=False)

    c.emit(doc, text)
    if not check.ok:
        raise typer.Exit(EXIT_VERIFY_FAILED)


def access_cmd(
    ctx: typer.Context,
    candidate: Annotated[str | None, typer.Option("--candidate", metavar="ID", help="Views of this candidate's "
                                                  "file.")] = None,
    user: Annotated[str | None, typer.Option("--user", metavar="NAME", help="Views by this user (a username, "
                                             "or the actor of a CLI command).")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="From this day on, Vietnam time "
                                              "(dd/mm/yyyy or YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most this many rows, newest "
                                       "first.")] = DEFAULT_LIMIT,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many of the newest rows.")] = 0,
) -> None:
    """Who saw a candidate's file (or what a user saw): every view of the web, the API and the CLI, newest first.
    Times in Vietnam time; ISO UTC with --json."""
    from rich.table import Table

    from workflow import access_log

    c = cli.get(ctx)
    with cli.refusals(c):
        if not candidate and not user:
            raise typer.BadParameter("name a candidate (--candidate ID) or a user (--user NAME)")
        moment = access_log.since(since) if since else None
        if since and moment is None:
            raise typer.BadParameter(f"{since!r} is not a date (dd/mm/yyyy)", param_hint="--since")
        page = access_log.read(c.app(), None, candidate_id=candidate, actor=user, since=moment, limit=limit,
                               offset=offset)

    def text(con: Console) -> None:
        con.print(f"times: {access_log.ZONE_NOTE}", markup=False)
        table = Table("time", "who", "role", "view", "file / scope", "from")
        for r in page.rows:
            what = r["candidate_id"] or f"{r['scope'] or ''} ({r['count']})"
            table.add_row(cli.moment(r["at"]), r["actor"], r["role"] or "-", r["view"],
                          what + (f" · {r['org']}" if r["org"] else ""), r["origin"])
        con.print(table)
        more = f" (more exist: --offset {offset + limit})" if page.has_more else ""
        con.print(f"{len(page.rows)} view(s){more}")

    c.emit({"items": page.rows, "offset": page.offset, "limit": page.limit, "has_more": page.has_more}, text)


def register(app: typer.Typer) -> None:
    """Add `backup`, `restore` and `audit access`."""
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    audit_app.command("access")(access_cmd)
