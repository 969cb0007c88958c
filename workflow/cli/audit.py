"""`ketnap audit ...` and `ketnap export dossier`: what an inspection commission runs.

Exit status: 0 everything holds; 2 the input was refused (unknown candidate or organisation); 4 the audit
found a problem (a broken chain, a step that breaks the rules of its day, a projection that differs from
the replay, a checkpoint that does not hold) or a rebuild stopped (nothing was changed).
"""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workflow.audit.late_entries import DEFAULT_MIN_DAYS, late_entries
from workflow.cli import context as cli

if TYPE_CHECKING:
    from rich.console import Console

if TYPE_CHECKING:
    from states.candidate import Candidate
    from workflow.audit.findings import Report
    from workflow.audit.timeline import Correction, Entry

audit_app = typer.Typer(help="Audit the log: verify chains and rules, checkpoints, late entries, rebuild "
                        "projections. Exit 4 when something does not hold.", no_args_is_help=True)
export_app = typer.Typer(help="Export documents: a candidate's dossier.", no_args_is_help=True)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, --json to a file)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True)
    if not err.is_terminal:
        yield lambda _n: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("events"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@audit_app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    candidate: Annotated[str | None, typer.Option("--candidate", help="Only this candidate's stream.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only candidates who belonged to this organisation "
                                            "or one under it.")] = None,
    since_checkpoint: Annotated[str | None, typer.Option("--since-checkpoint", metavar="DIGEST", help="Prove that "
                                "nothing recorded before this checkpoint was deleted or rewritten.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Processes checking ranges of streams "
                                                "in parallel. Default: one per CPU once the log has 200,000 "
                                                "events per process, else 1.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Findings shown (the first, by "
                                       "candidate and version); the counts take in every one.")] = 50,
    every: Annotated[bool, typer.Option("--all", help="Show every finding (held in memory: they grow with the "
                                        "problems found, not with the log).")] = False,
) -> None:
    """Recompute every hash chain, re-check every step under the rules of its date, compare projections."""
    from workflow.audit.verify import Scope, Verifier, snapshot
    from workflow.refusals import EXIT_VERIFY_FAILED

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        with snapshot(app.engine) as conn:
            verifier = Verifier(conn, app.rulebook, app.calendar, Scope(candidate, org), since_checkpoint)
            with _progress(verifier.total(), "verifying") as advance:
                report = verifier.run(advance, workers, keep=None if every else limit)
    c.emit(report.as_dict(), lambda con: _print_report(con, report))
    if not report.ok:
        raise typer.Exit(EXIT_VERIFY_FAILED)


def _print_report(con: Console, report: Report) -> None:
    from rich.table import Table

    if report.checkpoint is not None:
        con.print(f"checkpoint {report.checkpoint['digest']}: "
                  + ("found" if report.checkpoint["found"] else "[red]not found[/]"))
    if report.findings:
        table = Table("kind", "candidate", "v", "what")
        for f in report.findings:
            table.add_row(f.kind, f.stream_id, "" if f.version is None else str(f.version), f.detail)
        con.print(table)
    if report.judged_under:  # the regulation and the guidance each in force on the events' dates
        con.print("judged under rule set + guidance: " + "; ".join(
            f"{k}: {n} event(s)" for k, n in sorted(report.judged_under.items())), markup=False)
    if report.more:
        con.print(f"… và {report.more} mục nữa (dùng --all hoặc --limit {report.found})", markup=False)
    counts = ", ".join(f"{k} {n}" for k, n in report.counts().items())
    verdict = "[green]everything holds[/]" if report.ok else f"[red]{report.found} problem(s)[/]: {counts}"
    con.print(f"{report.streams} candidate(s), {report.events} event(s): {verdict}")


@audit_app.command("checkpoint")
def checkpoint_cmd(
    ctx: typer.Context,
    list_: Annotated[bool, typer.Option("--list", help="List the checkpoints recorded so far.")] = False,
) -> None:
    """Record one digest over every stream head and print it, to be written in the minutes."""
    from workflow.audit import checkpoint as checkpoints
    from workflow.audit.verify import snapshot

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        if list_:
            with snapshot(app.engine) as conn:
                rows = [cp.as_dict() for cp in checkpoints.list_all(conn)]
            c.emit(rows, lambda con: _print_checkpoints(con, rows))
            return
        with app.engine.begin() as conn:
            made = checkpoints.create(conn, app.clock.now(), c.actor())

    def text(con: Console) -> None:
        con.print(made.digest)
        con.print(f"over {made.streams} stream(s), {made.events} event(s), up to position {made.last_position}; "
                  f"verify later with: ketnap audit verify --since-checkpoint {made.digest}", markup=False)

    c.emit(made.as_dict(), text)


def _print_checkpoints(con: Console, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table("id", "created at", "actor", "streams", "events", "position", "digest")
    for r in rows:
        table.add_row(str(r["id"]), cli.moment(r["created_at"]), r["actor"], str(r["streams"]), str(r["events"]),
                      str(r["last_position"]), r["digest"])
    con.print(table)


@audit_app.command("late-entries")
def late_entries_cmd(
    ctx: typer.Context,
    min_days: Annotated[int, typer.Option("--min-days", min=0, help="Report steps entered more than this many "
                                          "days after their effective date.")] = DEFAULT_MIN_DAYS,
) -> None:
    """Steps entered long after the date on their document, grouped by organisation and actor."""
    from rich.table import Table

    c = cli.get(ctx)
    with cli.refusals(c):
        groups = late_entries(c.app().engine, min_days)
    docs = [g.as_dict() for g in groups]

    def text(con: Console) -> None:
        table = Table("org", "actor", "steps", "most days late", "examples")
        for g in docs:
            examples = ", ".join(f"{e['stream_id']}#{e['version']} {e['step']} +{e['days']}d" for e in g["entries"][:3])
            table.add_row(g["org"], g["actor"], str(g["count"]), str(g["max_days"]), examples)
        con.print(table)
        con.print(f"{sum(g['count'] for g in docs)} step(s) entered more than {min_days} day(s) late")

    c.emit({"min_days": min_days, "groups": docs}, text)


@audit_app.command("rebuild")
def rebuild_cmd(ctx: typer.Context) -> None:
    """Rebuild the candidate and deadline tables from the log in one transaction (all or nothing)."""
    from workflow.audit.rebuild import rebuild

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        done = rebuild(app.engine, app.clock.now())
    c.emit(vars(done), lambda con: con.print(
        f"rebuilt {done.streams} candidate(s) from {done.events} event(s); removed {done.removed_candidates} "
        f"candidate and {done.removed_deadlines} deadline row(s) with no stream"))


@export_app.command("dossier")
def dossier_cmd(
    ctx: typer.Context,
    candidate_id: Annotated[str, typer.Argument(metavar="ID")],
    fmt: Annotated[str, typer.Option("--format", help="json, csv or html (printable on A4).")] = "json",
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """A candidate's full timeline: steps, dates, form codes, rule sets, actors, late marks, corrections."""
    from rich.console import Console

    from workflow import access_log
    from workflow.audit import dossier as dossiers
    from workflow.documents import to_json

    c = cli.get(ctx)
    if fmt not in dossiers.FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(dossiers.FORMATS)}", param_hint="--format")
    with cli.refusals(c):
        app = c.app()
        document = dossiers.build(app.events(candidate_id), app.clock.now(), app.organisations.history_log(),
                                  app.rulebook)
        access_log.viewed(app, cli.viewer(), f"dossier_{fmt}", candidate_id)
    text = dossiers.render(document, fmt, to_json)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text, encoding="utf-8")
    if not c.json:
        Console(stderr=True).print(f"wrote {output} ({fmt})", markup=False)

# --- `ketnap history`: corrections next to the values they correct ------------------------------

def history_event_doc(entry: Entry, guidance: str | None = None) -> dict[str, Any]:
    """An event with the guidance it was judged under next to its rule set, the corrections made to it (value
    before and after, reason, actor) and, for a correction, what it corrects."""
    from workflow.documents import event_doc

    return {**event_doc(entry.event), "guidance": guidance, "corrected_on": entry.corrected_on,
            "corrections": [c.as_dict() for c in entry.corrections],
            "corrects": entry.correction.as_dict() if entry.correction else None}


def history_details(entry: Entry, place: str = "", guidance: str | None = None) -> str:
    """An event's details for people: where and under which rules it was recorded (the rule set and the
    guidance, each in force on its date), when and by whom, then its values as the web shows them (labels,
    dd/mm/yyyy, yes/no), then the corrections made to it."""
    e = entry.event
    where = f"{place}; " if place else ""
    rules = f"rule set {e.rule_set}" + (f" + guidance {guidance}" if guidance else "")
    lines = [f"{where}{rules};", f"recorded {cli.moment(e.recorded_at)} by {e.actor}"]
    if entry.correction is not None:
        lines.append(f"corrects v{entry.correction.corrects}: reason: {entry.correction.reason}")
    else:
        lines += [f"{cli.VI.field(k)}: {cli.VI.value(k, v)}" for k, v in _in_form_order(e.type, e.payload)]
    lines += [f"↳ {_correction_text(c)}" for c in entry.corrections]
    return "\n".join(lines)


def _in_form_order(step: str, payload: dict[str, Any]) -> list[tuple[str, Any]]:
    """A step's values in the order of its fields (the form's order), not the stored keys' alphabetical one."""
    from states.steps import STEPS

    spec = STEPS.get(step)
    order = list(spec.fields.model_fields) if spec is not None else []
    return sorted(payload.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def _correction_text(c: Correction) -> str:
    changes = ", ".join(f"{cli.VI.field(ch.field)}: {cli.VI.value(ch.field, ch.before)} → "
                        f"{cli.VI.value(ch.field, ch.after)}" for ch in c.changes)
    return f"corrected by v{c.version} ({c.actor}, {cli.moment(c.recorded_at)}): {changes}; reason: {c.reason}"


def print_open_deadlines(con: Console, c: Candidate, as_of: date | None, known_at: datetime | None = None) -> None:
    """The deadlines open in this view: on `as_of` they are the ones that stood open that day."""
    when = f"on {cli.day(as_of)}" if as_of else f"as known at {cli.moment(known_at)}" if known_at else "now"
    open_ones = c.open_deadlines()
    if not open_ones:
        con.print(f"no open deadline {when}")
    for d in open_ones:
        late = " [red](overdue)[/]" if as_of is not None and d.due_on < as_of else ""
        con.print(f"  open {when}: {d.kind} due {cli.day(d.due_on)} ({d.rule_set}){late}")


def register(app: typer.Typer) -> None:
    """Add `audit` and `export dossier`; joins an `export` group another feature may have added."""
    app.add_typer(audit_app, name="audit")
    for group in app.registered_groups:
        if group.name == "export" and group.typer_instance is not None:
            group.typer_instance.command("dossier")(dossier_cmd)
            return
    app.add_typer(export_app, name="export")


__all__ = ["register"]
