"""`ketnap`: record the steps of admission into the Party, see what is due, replay any history."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

import typer

from states.organisations import placements
from states.vocabulary import Category, Education
from workflow.cli import context as cli
from workflow.cli.audit import history_details, history_event_doc, print_open_deadlines

if TYPE_CHECKING:
    from rich.console import Console

if TYPE_CHECKING:
    from workflow.service import StepResult

app = typer.Typer(cls=cli.JsonAnywhere, help=__doc__, no_args_is_help=True, add_completion=False,
                  rich_markup_mode=None)
org_app = typer.Typer(help="Party organisations: the tree of province, commune, grassroots and branches, as a "
                      "dated history.",
                      no_args_is_help=True)
candidate_app = typer.Typer(help="Candidates: add one, list them by organisation and stage.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(candidate_app, name="candidate")


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: config.yaml's, "
                                           "or KETNAP_DATABASE_URL).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Path of config.yaml.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout (times in UTC, ISO "
                                       "8601); before or after the command.")] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Who records (default: KETNAP_ACTOR, else the "
                                              "system user). A ketnap user records as that user: their role "
                                              "and organisations are checked as on the API; any other name is "
                                              "the server's operator.")] = None,
) -> None:
    ctx.obj = cli.Context(db=db, config=config, json=json, actor_name=actor)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade it to the newest version."""
    from storage import migrate

    c = cli.get(ctx)
    with cli.refusals(c):
        ketnap = c.app(need_schema=False)
        migrate.upgrade(ketnap.engine)
        revision = migrate.current_revision(ketnap.engine)
    url = ketnap.engine.url.render_as_string(hide_password=True)
    c.emit({"database": url, "revision": revision}, lambda con: con.print(f"schema at {revision} in {url}"))


@app.command()
def demo(ctx: typer.Context) -> None:
    """Create the database if needed, load a demo organisation with candidates at every stage (once), and
    print what is due."""
    from storage import migrate
    from workflow.demo import load_demo

    c = cli.get(ctx)
    with cli.refusals(c):
        ketnap = c.app(need_schema=False)
        migrate.upgrade(ketnap.engine)
        ids = load_demo(ketnap)
        rows = list(ketnap.deadlines())  # the demo's few
    url = ketnap.engine.url.render_as_string(hide_password=True)

    def text(con: Console) -> None:
        con.print(f"database: {url}; demo candidates loaded: {len(ids) or 'already there'}")
        _deadline_table(con, rows)

    c.emit({"database": url, "loaded": ids, "deadlines": rows}, text)


def _deadline_table(con: Console, rows: list[dict[str, Any]]) -> None:
    con.print(_deadline_rows(rows))
    con.print(f"{len(rows)} open deadline(s)")


def _deadline_rows(rows: list[dict[str, Any]]) -> Any:
    table = cli.id_table("due on", "working days", "kind", "candidate", "org", "id",
                         ids=("due on", "kind", "org", "id"))
    for r in rows:
        left = r["working_days_left"]
        table.add_row(cli.day(r["due_on"]), f"[red]{left}[/]" if r["overdue"] else str(left), r["kind"],
                      r["full_name"], r["org"], r["stream_id"])
    return table


# --- organisations ---------------------------------------------------------------------------------------

# `org add|list|show|history|rename|move|set-level|authorise|merge|split|dissolve`: workflow/cli/orgs.py


# --- candidates ------------------------------------------------------------------------------------------

@candidate_app.command("add")
def candidate_add(
    ctx: typer.Context,
    org: Annotated[str, typer.Option("--org", help="Branch code.")],
    name: Annotated[str, typer.Option("--name", help="Full name, in Vietnamese with diacritics.")],
    birth_date: Annotated[str, typer.Option("--birth-date", help="YYYY-MM-DD.")],
    sex: Annotated[str, typer.Option("--sex", help="F or M.")],
    education: Annotated[str, typer.Option("--education", help=", ".join(e.value for e in Education))],
    on: Annotated[str, typer.Option("--on", help="Date of the branch resolution putting the person on the "
                                    "list (YYYY-MM-DD).")],
    youth_union: Annotated[bool, typer.Option("--youth-union", help="A Youth Union member.")] = False,
    trade_union: Annotated[bool, typer.Option("--trade-union", help="A Trade Union member.")] = False,
    category: Annotated[list[str] | None, typer.Option("--category", help="Repeatable: "
                        + ", ".join(x.value for x in Category))] = None,
    ethnicity: Annotated[str | None, typer.Option("--ethnicity", help="e.g. Kinh, Tày, Ê Đê.")] = None,
    religion: Annotated[str | None, typer.Option("--religion", help="Religion, if any, e.g. Phật giáo.")] = None,
    remote_area: Annotated[bool, typer.Option("--remote-area", help="Lives in a mountain, border, island or "
                                              "ethnic-minority area (G3a).")] = False,
    village_elder: Annotated[bool, typer.Option("--village-elder", help="Village elder or prestigious "
                                                "person (G3b).")] = False,
) -> None:
    """Identify an outstanding person (step `identify`) and print the new candidate's id."""
    from workflow.commands import RecordStep

    c = cli.get(ctx)
    fields = {"org": org, "full_name": name, "birth_date": birth_date, "sex": sex, "education": education,
              "youth_union": youth_union, "trade_union": trade_union, "categories": category or [],
              "ethnicity": ethnicity, "religion": religion, "remote_area": remote_area,
              "village_elder": village_elder}
    with cli.refusals(c):
        on_date = cli.parse_date(on, "--on")
        result = c.record(RecordStep(candidate_id=None, step="identify", on=on_date,
                                     fields={k: v for k, v in fields.items() if v is not None}, actor=c.actor()))
    c.emit({"id": result.candidate.id, "stage": result.candidate.stage, "version": result.candidate.version},
           lambda con: con.print(result.candidate.id))


@candidate_app.command("list")
def candidate_list(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation and those under it.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Only candidates in this stage.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows per page.")] = 50,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of --limit rows (1: the first).")] = 1,
    cursor: Annotated[str | None, typer.Option("--cursor", help="The page after this one: `next_cursor` of the "
                                               "page before (--json); costs the same on every page.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every row, printed while it is read (a batch at a time).")]
    = False,
    incoming: Annotated[bool, typer.Option("--incoming", help="Instead: probationary members transferred to --org's "
                                           "branches (every branch without it) and not yet received there.")]
    = False,
) -> None:
    """List candidates with their stage, by organisation then name: one page, how many in all, how to see more."""
    from workflow.cli.paging import Paging, print_list

    c = cli.get(ctx)
    if incoming:
        _incoming_list(c, org, limit)
        return

    def table(rows: list[dict[str, Any]]) -> Any:
        shown = cli.id_table("id", "org", "stage", "name", "born", "probation\nends",
                             ids=("id", "org", "stage", "born", "probation\nends"))
        for r in rows:
            shown.add_row(r["id"], r["org"], r["stage"], r["full_name"], cli.day(r["birth_date"]),
                          cli.day(r["probation_ends_on"]))
        return shown

    with cli.refusals(c):
        app = c.app()
        print_list(c.json, Paging(limit, page, cursor, every), lambda n, after, skip, count: app.candidate_page(
            org, stage, limit=n, cursor=after, offset=skip, count=count), table, "candidate(s)")


def _incoming_list(c: cli.Context, org: str | None, limit: int) -> None:
    """`candidate list --incoming`: the transfers waiting to be received, soonest deadline first (at most --limit)."""
    with cli.refusals(c):
        rows = c.app().incoming_transfers(org, limit)
    shown = cli.id_table("id", "name", "from", "to", "transferred", "present by", ids=("id", "from", "to"))
    for r in rows:
        shown.add_row(r["id"], r["full_name"], r["org"], r["incoming_org"], cli.day(r["transferred_on"]),
                      cli.day(r["present_by"]))
    c.emit(rows, lambda con: con.print(shown if rows else "no transfer waits to be received"))


# --- steps ---------------------------------------------------------------------------------------------

def _print_result(con: Console, result: StepResult, title: str) -> None:
    cand = result.candidate
    con.print(f"{title}: {cand.full_name} ({cand.id}) stage [bold]{cand.stage}[/] version {cand.version}")
    for w in result.warnings:
        con.print(f"  warning ({w.rule}): {w.message_vi}", markup=False)
        con.print(f"    {w.message_en}", markup=False)
    for label, value in (("probation ends", cand.probation_ends_on), ("official on", cand.official_on),
                         ("party age from", cand.party_age_from)):
        if value:
            con.print(f"  {label}: {cli.day(value)}")
    for d in cand.open_deadlines():
        con.print(f"  due: {d.kind} on {cli.day(d.due_on)} ({d.rule_set})")
    for a in result.allowed:
        state = "ready" if a.ready else "missing: " + "; ".join(v.message_en for v in a.missing)
        con.print(f"  next: {a.step} -> {a.moves_to or '(records)'}: {state}", markup=False)


@app.command()
def step(
    ctx: typer.Context,
    candidate_id: Annotated[str, typer.Argument(metavar="ID", help="Candidate id.")],
    name: Annotated[str, typer.Argument(metavar="STEP", help="A step of `ketnap steps`.")],
    fields: Annotated[list[str] | None, typer.Argument(metavar="[FIELD=VALUE]...", help="The step's fields; a "
                      "value that parses as JSON is taken as JSON.")] = None,
    on: Annotated[str, typer.Option("--on", help="The business date on the document (YYYY-MM-DD).")] = "",
    expected_version: Annotated[int | None, typer.Option("--expected-version", help="The version you saw; "
                                "refused with exit 3 if someone recorded a step since.")] = None,
) -> None:
    """Record one step for a candidate; a refused step lists every unmet rule with its citation."""
    from workflow.commands import RecordStep
    from workflow.documents import result_doc

    c = cli.get(ctx)
    with cli.refusals(c):
        if not on:
            raise typer.BadParameter("the document's date is required", param_hint="--on")
        on_date = cli.parse_date(on, "--on")
        values = cli.parse_assignments(fields or [])
        result = c.record(RecordStep(candidate_id=candidate_id, step=name, on=on_date, fields=values,
                                     actor=c.actor(), expected_version=expected_version))
    c.emit(result_doc(result), lambda con: _print_result(con, result, f"recorded {name}"))


@app.command()
def show(
    ctx: typer.Context,
    candidate_id: Annotated[str, typer.Argument(metavar="ID", help="Candidate id.")],
) -> None:
    """Show a candidate: stage, key dates, open deadlines and the allowed next steps with what is missing."""
    from workflow import access_log
    from workflow.documents import allowed_doc, candidate_doc

    c = cli.get(ctx)
    with cli.refusals(c):
        result = c.app().show(candidate_id)
        tree = c.app().organisations.tree()
        access_log.viewed(c.app(), cli.viewer(), "cli_show", candidate_id)
    cand = result.candidate
    home = tree.current(cand.org, cand.id) if cand.org else cand.org

    def text(con: Console) -> None:
        _print_result(con, result, "candidate")
        carried = f" (recorded under {cand.org}, carried by a restructuring)" if home != cand.org else ""
        con.print(f"  branch now: {home} {tree.name(home)}{carried}", markup=False)

    c.emit({**candidate_doc(cand), "org_now": home, "org_now_name": tree.name(home) if home else None,
            "allowed_steps": [allowed_doc(a) for a in result.allowed]}, text)


KNOWN_AT_HELP = ("Replay what the system had recorded by this moment: ISO 8601, read as Vietnam time (ICT, UTC+7) "
                 "unless a zone is given, e.g. 2024-07-01T09:00 or 2024-07-01T02:00Z.")


@app.command()
def history(
    ctx: typer.Context,
    candidate_id: Annotated[str, typer.Argument(metavar="ID", help="Candidate id.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Replay the steps that had happened by this "
                                              "business date (YYYY-MM-DD).")] = None,
    known_at: Annotated[str | None, typer.Option("--known-at", help=KNOWN_AT_HELP)] = None,
) -> None:
    """The candidate's events, each with its rule set; optionally as of a date or as known at a moment. Times
    are shown in Vietnam time (ICT, UTC+7); with --json they are UTC."""
    from workflow import access_log
    from workflow.audit.timeline import timeline
    from workflow.documents import candidate_doc, deadline_doc

    c = cli.get(ctx)
    with cli.refusals(c):
        as_of_date = cli.parse_date(as_of, "--as-of")
        known = cli.parse_timestamp(known_at, "--known-at")
        candidate, events = c.app().history(candidate_id, as_of_date, known)
        places = placements(c.app().organisations.history_log(), events)
        access_log.viewed(c.app(), cli.viewer(), "cli_history", candidate_id)

    entries = timeline(events)  # corrections sit next to the values they correct (issue 4)
    book = c.app().rulebook  # each event's guidance: its stamp, or the one in force on its date

    def branch(version: int) -> str:
        where = places.get(version)
        return f"branch then {where.org}: {where.name}" if where else ""

    def text(con: Console) -> None:
        if not entries:
            by = f"by {cli.moment(known)}" if known else f"on or before {cli.day(as_of_date)}" if as_of_date else "yet"
            con.print(f"nothing recorded for candidate {candidate_id} {by}", markup=False)
            return
        con.print(f"{candidate.full_name} ({candidate_id}): stage [bold]{candidate.stage}[/]")
        table = cli.id_table("v", "on", "step", "details (times in Vietnam time, ICT)", ids=("v", "on", "step"))
        for entry in entries:
            e = entry.event
            table.add_row(str(e.version), cli.day(e.effective_on), e.type,
                          history_details(entry, branch(e.version), book.guidance_of(e)))
        con.print(table)
        print_open_deadlines(con, candidate, as_of_date, known)

    c.emit({"id": candidate_id, "as_of": as_of_date, "known_at": known,
            "stage": candidate.stage.value if candidate.stage else None, "candidate": candidate_doc(candidate),
            "open_deadlines": [deadline_doc(d) for d in candidate.open_deadlines()],
            "events": [{**history_event_doc(entry, book.guidance_of(entry.event)),
                        "org": places[entry.event.version].org
                        if entry.event.version in places else None,
                        "org_name": places[entry.event.version].name if entry.event.version in places else None}
                       for entry in entries]}, text)


@app.command()
def deadlines(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation and those under it.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only those due by this date.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those already overdue.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows per page.")] = 50,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of --limit rows (1: the first).")] = 1,
    cursor: Annotated[str | None, typer.Option("--cursor", help="The page after this one: `next_cursor` of the "
                                               "page before (--json); costs the same on every page.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every row, printed while it is read (a batch at a time).")]
    = False,
) -> None:
    """Open deadlines, soonest first, with working days left: one page, how many in all, how to see more."""
    from workflow.cli.paging import Paging, print_list

    c = cli.get(ctx)
    with cli.refusals(c):
        until_date = cli.parse_date(until, "--until")
        app = c.app()
        paging = Paging(limit, page, cursor, every)
        print_list(c.json, paging, lambda n, after, skip, count: app.deadline_page(
            org, until_date, overdue, limit=n, cursor=after, offset=skip, count=count),
            _deadline_rows, "open deadline(s)")


@app.command("steps")
def list_steps(ctx: typer.Context) -> None:
    """Every step with its fields, where it is allowed and where it moves; with --json each field's type
    (string, integer, boolean, date, enum with its values, object, list[...])."""
    from states.steps import STEPS
    from workflow.documents import step_doc

    c = cli.get(ctx)
    docs = [step_doc(spec) for spec in STEPS.values()]

    def text(con: Console) -> None:
        table = cli.id_table("step (→ moves to)", "allowed in", "form", "fields (* required)",
                             ids=("step (→ moves to)", "form", "fields (* required)"))  # one id per line
        for d in docs:
            moves = f"\n→ {d['moves_to']}" if d["moves_to"] else ""
            names = "\n".join(f"{n}{'*' if f['required'] else ''}" for n, f in d["fields"].items())
            table.add_row(d["step"] + moves, ", ".join(d["allowed_in"]), d["form"] or "", names or "-")
        con.print(table)

    c.emit(docs, text)


def _register_features() -> None:
    """Feature modules (reminders, audit, reports...) add their sub-commands here, one line each."""
    from workflow.cli import orgs  # issue 10: the organisation tree as a dated history
    orgs.register(org_app)
    from workflow.cli import org_restructure  # issue 10: `org restructure PLAN.xlsx`, `--template FILE`
    org_restructure.register(org_app)
    from workflow.cli import audit  # issue 4: `audit verify|checkpoint|late-entries|rebuild`, `export dossier`
    audit.register(app)
    from workflow.cli import records  # issue 11: `backup`, `restore`, `audit access`
    records.register(app)
    from workflow.cli import reminders  # issue 3: `org contact`, `reminders`, `outbox`, `scheduler`
    reminders.register(app, org_app)
    from workflow.cli import web  # issue 5: `serve`, `user add|list`, `token create|list|revoke`
    web.register(app)
    from workflow.cli import reports  # issue 6: `plan`, `membership`, `class`, `report`, `import`, `candidate export`
    reports.register(app, candidate_app)
    from workflow.cli import documents  # issue 12: `document STEP_OR_FORM CANDIDATE_ID --format docx|pdf|html`
    documents.register(app)
    from workflow.cli import historical  # issue 13: `historical add|import|withdraw|list` (past periods)
    historical.register(app)


def _resolve_annotations(group: typer.Typer) -> None:
    """Evaluate every command's annotations once, now. The commands' modules postpone them (`from __future__
    import annotations`, to name the service's types without importing it), and typer evaluates each command's
    four times, for every command, to run any one of them: resolved here, building the commands costs a
    third of what it did, `--help` included (issue 14)."""
    infos: list[typer.models.CommandInfo | typer.models.TyperInfo] = [*group.registered_commands,
                                                                     *group.registered_groups]
    if group.registered_callback is not None:
        infos.append(group.registered_callback)
    for info in infos:
        if inspect.isfunction(info.callback):
            info.callback.__annotations__ = get_type_hints(info.callback, include_extras=True)
        if isinstance(info, typer.models.TyperInfo) and isinstance(info.typer_instance, typer.Typer):
            _resolve_annotations(info.typer_instance)


_register_features()
_resolve_annotations(app)


def run() -> None:
    app()


if __name__ == "__main__":  # `python -m workflow.cli.main ...`, as the `ketnap` script
    run()
