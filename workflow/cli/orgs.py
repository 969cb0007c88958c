"""`ketnap org ...`: the organisation tree as a dated history. Add organisations, record the changes a decision
makes (rename, move, merge, split, dissolve, authorise), and read the tree, one organisation or its history as
of any date. Every change is judged against the tree of its date; a refused one writes nothing."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from states.organisations import SINCE_ALWAYS, Organisation, Tree
from workflow.cli import context as cli

if TYPE_CHECKING:
    from rich.console import Console
    from rich.tree import Tree as RichTree

if TYPE_CHECKING:
    from workflow.commands import ChangeOrganisation
    from workflow.organisations import Restructuring

ON = typer.Option("--on", help="Effective date in the decision, YYYY-MM-DD.")
DECISION = typer.Option("--decision", help="The decision's number, e.g. '125-QĐ/TU'.")
ISSUER = typer.Option("--issuer", help="The body that issued the decision, e.g. 'Tỉnh ủy Điện Biên'.")
DRY_RUN = typer.Option("--dry-run", help="Judge and show what would change; record nothing.")
AS_OF = typer.Option("--as-of", help="The tree in force on this date, YYYY-MM-DD (default: as recorded now).")
TYPE_HELP = ("Type of grassroots organisation (loại hình), a code of config.yaml `org_types`, e.g. agency, "
             "state_enterprise (docs/ORG_TYPES.md).")


def _day(value: date) -> str:
    return "—" if value == SINCE_ALWAYS else value.strftime("%d/%m/%Y")


def _status(org: Organisation) -> str:
    if org.ended_on is None:
        return "active"
    into = f" -> {', '.join(org.successors)}" if org.successors else ""
    return f"{org.ended_by} {_day(org.ended_on)}{into}"


def _print_result(con: Console, r: Restructuring) -> None:
    from rich.table import Table

    verb = "would record" if r.dry_run else "recorded"
    con.print(f"{verb} {len(r.changes)} change(s)")
    for e in r.events:
        con.print(f"  {e.stream_id}: {e.type} on {_day(e.effective_on)} ({e.payload.get('decision') or '-'})")
    if r.moved:
        table = Table("candidate", "name", "stage", "branch", "deciding committee", "open deadlines")
        for m in r.moved:
            branch = m.from_org if m.to_org == m.from_org else f"{m.from_org} -> {m.to_org}"
            body = m.from_body if m.to_body == m.from_body else f"{m.from_body or '-'} -> {m.to_body or '-'}"
            table.add_row(m.id, m.full_name, m.stage, branch, body or "-", str(m.open_deadlines))
        con.print(table)
    for a in r.attached:
        con.print(f"  {a.org} keeps as history: {a.plans} plan(s), {a.membership_years} membership year(s), "
                  f"{a.classes} class(es), contacts {', '.join(a.contacts) or '-'}, {a.users} user scope(s)")


def _change(ctx: typer.Context, commands: Callable[[], list[ChangeOrganisation]], dry_run: bool = False) -> None:
    """Validate the commands (inside the refusal handler, so a bad value is a refusal), record them together."""
    from workflow.documents import restructuring_doc
    from workflow.organisations import change_of

    c = cli.get(ctx)
    with cli.refusals(c):
        changes = [change_of(cmd) for cmd in commands()]
        result = c.app().organisations.change(changes, c.actor(), dry_run=dry_run)
    c.emit(restructuring_doc(result), lambda con: _print_result(con, result))


def _parts(items: list[str]) -> dict[str, str]:
    parts = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise typer.BadParameter(f"{item!r} is not PART=SUCCESSOR", param_hint="--part")
        parts[key.strip()] = value.strip()
    return parts


def _on(value: str) -> date:
    found = cli.parse_date(value, "--on")
    assert found is not None
    return found


def register(org_app: typer.Typer) -> None:  # noqa: C901 - one small function per command
    @org_app.command("add")
    def org_add(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help="Short unique code, e.g. CB-01.")],
        name: Annotated[str, typer.Option("--name", help="Full name, e.g. 'Chi bộ Khoa Toán'.")],
        level: Annotated[str, typer.Option("--level", help="province, commune, upper, grassroots or branch.")],
        parent: Annotated[str | None, typer.Option("--parent", help="Code of the organisation above.")] = None,
        admits: Annotated[bool, typer.Option("--admits", help="A grassroots committee authorised to admit "
                                             "members (docs/RULES.md, Votes).")] = False,
        on: Annotated[str | None, typer.Option("--on", help="Founding date, YYYY-MM-DD (default: before "
                                               "anything recorded).")] = None,
        decision: Annotated[str, DECISION] = "",
        issuer: Annotated[str, ISSUER] = "",
        org_type: Annotated[str | None, typer.Option("--type", help=TYPE_HELP)] = None,
    ) -> None:
        """Add an organisation to the tree."""
        from workflow.commands import AddOrganisation
        from workflow.documents import org_doc

        c = cli.get(ctx)
        with cli.refusals(c):
            org = c.app().organisations.add(AddOrganisation(
                code=code, name=name, level=level, parent=parent, admits=admits, on=cli.parse_date(on, "--on"),
                decision=decision, issuer=issuer, org_type=org_type), c.actor())
        c.emit(org_doc(org), lambda con: con.print(f"added {org.code} ({org.level}): {org.name}"))

    @org_app.command("list")
    def org_list(
        ctx: typer.Context,
        as_of: Annotated[str | None, AS_OF] = None,
        tree: Annotated[bool, typer.Option("--tree", help="Draw the tree instead of a table.")] = False,
        ended: Annotated[bool, typer.Option("--ended/--no-ended", help="Show organisations that ended "
                                            "(dissolved, merged, split).")] = True,
    ) -> None:
        """List the organisations as of a date (every one that existed by then, ended ones marked)."""
        from rich.table import Table

        from workflow.documents import org_doc

        c = cli.get(ctx)
        with cli.refusals(c):
            on = cli.parse_date(as_of, "--as-of")
            found = c.app().organisations.tree(on)
        orgs = [o for o in sorted(found.orgs.values(), key=lambda o: o.code) if ended or not o.ended]

        def text(con: Console) -> None:
            if tree:
                con.print(_draw(found))
                return
            table = Table("code", "level", "type", "parent", "admits", "name", "status")
            for o in orgs:
                table.add_row(o.code, o.level, o.org_type or "", o.parent_code or "", "yes" if o.admits else "",
                              o.name, _status(o))
            con.print(table)

        c.emit([org_doc(o) for o in orgs], text)

    @org_app.command("show")
    def org_show(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                 as_of: Annotated[str | None, AS_OF] = None) -> None:
        """One organisation as of a date: name, level, parent, who decides for its branches, what came before
        and after it."""
        from workflow.documents import org_view_doc

        c = cli.get(ctx)
        with cli.refusals(c):
            on = cli.parse_date(as_of, "--as-of")
            tree = c.app().organisations.tree(on)
            org = c.app().organisations.require(code) if tree.get(code) is None else tree.get(code)
        assert org is not None
        exists = tree.get(code) is not None
        doc = org_view_doc(tree, org, on)
        body, vote = doc["deciding_committee"], doc["committee_vote_required"]

        def text(con: Console) -> None:
            con.print(f"{org.code}: {org.name} ({org.level}) - {_status(org) if exists else 'not yet created'}")
            con.print(f"  founded: {_day(org.founded_on)}; above: {' > '.join(doc['chain'][1:]) or '-'}")  # type: ignore[index]
            if body:
                con.print(f"  decides admissions for its branches: {body}"
                          f"{' (after the grassroots committee votes)' if vote else ''}")
            if org.predecessors:
                con.print(f"  predecessors: {', '.join(org.predecessors)}")
            if org.successors:
                con.print(f"  successors: {', '.join(org.successors)}")
            if doc["children"]:
                con.print(f"  under it: {', '.join(tree.children(code))}")

        c.emit(doc, text)

    @org_app.command("history")
    def org_history(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")]) -> None:
        """Every change of an organisation, with its decision, and the merges and splits that made it a
        successor."""
        from rich.table import Table

        from workflow.documents import org_doc, org_event_doc

        c = cli.get(ctx)
        with cli.refusals(c):
            org, events = c.app().organisations.history(code)

        def text(con: Console) -> None:
            con.print(f"{org.code}: {org.name} - {_status(org)}")
            table = Table("effective", "change", "details", "decision", "recorded", "by")
            for e in events:
                details = ", ".join(f"{k}={v}" for k, v in e.payload.items()
                                    if k not in ("decision", "issuer") and v is not None)
                who = " ".join(x for x in (e.payload.get("decision"), e.payload.get("issuer")) if x)
                table.add_row(_day(e.effective_on), e.type if e.stream_id == code else f"{e.type} ({e.stream_id})",
                              details, who or "-", cli.moment(e.recorded_at), e.actor)
            con.print(table)

        c.emit({"organisation": org_doc(org), "changes": [org_event_doc(e) for e in events]}, text)

    @org_app.command("rename")
    def org_rename(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                   name: Annotated[str, typer.Option("--name", help="The new name.")],
                   on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                   issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Rename an organisation from a date on (its history keeps the old name)."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="renamed", code=code, name=name, on=_on(on), decision=decision,
                                        issuer=issuer)], dry_run)

    @org_app.command("move")
    def org_move(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                 parent: Annotated[str, typer.Option("--parent", help="Code of the new organisation above.")],
                 on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                 issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Place an organisation (with everything under it) under a new parent from a date on."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="moved", code=code, parent=parent, on=_on(on), decision=decision,
                                        issuer=issuer)], dry_run)

    @org_app.command("set-level")
    def org_set_level(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                      level: Annotated[str, typer.Option("--level", help="province, commune, upper, grassroots "
                                                         "or branch.")],
                      on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                      issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Change an organisation's level from a date on."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="level_changed", code=code, level=level, on=_on(on),
                                        decision=decision, issuer=issuer)], dry_run)

    @org_app.command("set-type")
    def org_set_type(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                     org_type: Annotated[str, typer.Option("--type", help=TYPE_HELP)],
                     on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                     issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Change an organisation's type (loại hình) from a date on; reports count it under its old type before."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="typed", code=code, org_type=org_type, on=_on(on),
                                                 decision=decision, issuer=issuer)], dry_run)

    @org_app.command("authorise")
    def org_authorise(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                      on: Annotated[str, ON],
                      admits: Annotated[bool, typer.Option("--admits/--no-admits", help="Authorised to admit "
                                                           "members (docs/RULES.md, Votes), or no longer.")] = True,
                      decision: Annotated[str, DECISION] = "", issuer: Annotated[str, ISSUER] = "",
                      dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Authorise a grassroots committee to admit members from a date on, or withdraw it."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="authorised", code=code, admits=admits, on=_on(on),
                                        decision=decision, issuer=issuer)], dry_run)

    @org_app.command("merge")
    def org_merge(ctx: typer.Context,
                  codes: Annotated[list[str], typer.Argument(help="The organisations merged (one or more).")],
                  into: Annotated[str, typer.Option("--into", help="The successor (create it first).")],
                  on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                  issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Merge organisations into a successor from a date on: what was under them goes under it, and the
        candidates of a merged branch follow it. All or nothing."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="merged", code=code, into=into, on=_on(on), decision=decision,
                                                 issuer=issuer) for code in codes], dry_run)

    @org_app.command("split")
    def org_split(ctx: typer.Context, code: Annotated[str, typer.Argument(help="The organisation split.")],
                  part: Annotated[list[str], typer.Option("--part", help="PART=SUCCESSOR: an organisation under "
                                                          "it, or a candidate id of a split branch, and where it "
                                                          "goes. Every one must be named.")],
                  on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                  issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Split an organisation among successors from a date on."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="split", code=code, parts=_parts(part), on=_on(on),
                                                 decision=decision, issuer=issuer)], dry_run)

    @org_app.command("dissolve")
    def org_dissolve(ctx: typer.Context, code: Annotated[str, typer.Argument(help="Organisation code.")],
                     on: Annotated[str, ON], decision: Annotated[str, DECISION] = "",
                     issuer: Annotated[str, ISSUER] = "", dry_run: Annotated[bool, DRY_RUN] = False) -> None:
        """Dissolve an organisation from a date on (it must have nothing under it and no candidate in flight)."""
        from workflow.commands import ChangeOrganisation

        _change(ctx, lambda: [ChangeOrganisation(kind="dissolved", code=code, on=_on(on), decision=decision,
                                        issuer=issuer)], dry_run)


def _draw(tree: Tree) -> RichTree:
    from rich.tree import Tree as RichTree

    title = f"as of {tree.day.strftime('%d/%m/%Y')}" if tree.day and tree.day != date.max else "as recorded"
    root = RichTree(f"organisations {title}")
    living = {c: o for c, o in tree.orgs.items() if not o.ended}
    placed: set[str] = set()

    def add(parent: RichTree, code: str) -> None:
        org = tree.orgs[code]
        node = parent.add(f"{code} ({org.level}{', admits' if org.admits else ''}): {org.name}")
        placed.add(code)
        for child in tree.children(code):
            if child not in placed:
                add(node, child)

    for code in sorted(c for c, o in living.items() if o.parent_code is None or o.parent_code not in living):
        add(root, code)
    ended = sorted(c for c, o in tree.orgs.items() if o.ended)
    if ended:
        gone = root.add("ended")
        for code in ended:
            gone.add(f"{code}: {tree.orgs[code].name} ({_status(tree.orgs[code])})")
    return root

