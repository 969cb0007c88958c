"""`ketnap serve` (the HTTP API, the web interface and the reminder scheduler in one process), and the
accounts behind them: `ketnap user add|list|deactivate|reactivate|password`, `ketnap token create|list|revoke`.

Nobody chooses another person's password here: `user add` and `user password` print a temporary one, once, that
its owner must replace at the first sign-in (issue 11, break 10)."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

import logging
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import context as cli
from workflow.roles import Role

if TYPE_CHECKING:
    from rich.console import Console

user_app = typer.Typer(help="Users of the web interface and the API, with a role and organisations.",
                       no_args_is_help=True)
token_app = typer.Typer(help="API tokens: shown once when created, stored hashed, expiring, revocable.",
                        no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo organisation, candidates and users "
                                       "(once) and print a demo sign-in.")] = False,
    scheduler: Annotated[bool, typer.Option("--scheduler/--no-scheduler", help="Run the reminder scheduler "
                                            "in this process.")] = True,
) -> None:
    """Serve the HTTP API (/api, OpenAPI at /docs), the web interface and the reminder scheduler."""
    import uvicorn
    from rich.console import Console

    from storage import migrate
    from workflow.bootstrap import served_app
    from workflow.demo import DEMO_PASSWORD, DEMO_USERS, load_demo, load_demo_users

    c = cli.get(ctx)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    for noisy in ("transitions", "apscheduler"):  # one line per state change / per job run
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with cli.refusals(c):
        app = c.app(need_schema=False)
        migrate.upgrade(app.engine)
        if demo:
            load_demo(app)
            load_demo_users(app)
        web = served_app(app, scheduler=scheduler)
    out = Console(highlight=False, soft_wrap=True)
    out.print(f"ketnap: http://{host}:{port}/  (API: http://{host}:{port}/docs; database: "
              f"{app.engine.url.render_as_string(hide_password=True)})", markup=False)
    if demo:
        first, *others = DEMO_USERS
        names = ", ".join(f"{u} ({role})" for u, _, role, _ in others)
        out.print(f"demo sign-in: {first[0]} / {DEMO_PASSWORD}  ({first[2]}); also {names}, same password",
                  markup=False)
        due = app.deadline_page(until=app.today() + timedelta(days=30), limit=1).total
        overdue = app.deadline_page(overdue=True, limit=1).total
        out.print(f"due in the next 30 days: {due} deadline(s), {overdue} overdue "
                  "(the dashboard lists them; so does `ketnap deadlines`)", markup=False)
    uvicorn.run(web, host=host, port=port, log_level="info", access_log=False)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name, e.g. bithu.cbgv.")],
    role: Annotated[str, typer.Option("--role", help=", ".join(r.value for r in Role))],
    org: Annotated[list[str], typer.Option("--org", help="Organisation code (repeatable); the user sees it and "
                                           "everything under it.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")] = "",
    no_password: Annotated[bool, typer.Option("--no-password", help="An API-only account (tokens, no "
                                              "sign-in).")] = False,
) -> None:
    """Add a user and print a temporary password once: hand it over; the user must replace it at the first
    sign-in, so nobody else knows the password they use."""
    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        user, temporary = accounts.add_user_with_temporary_password(c.app(), username, role, org, name,
                                                                    sign_in=not no_password)

    def text(con: Console) -> None:
        con.print(f"added user {user.username} ({user.role}) for {', '.join(user.orgs)}", markup=False)
        if temporary:
            con.print(f"temporary password (shown once; to be changed at the first sign-in): {temporary}",
                      markup=False)

    c.emit({"id": user.id, "username": user.username, "role": user.role, "orgs": list(user.orgs),
            "temporary_password": temporary, "must_change_password": user.must_change_password}, text)


@user_app.command("list")
def user_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on standard output (as `ketnap --json user list`); "
                                          "never any password hash.")] = False,
) -> None:
    """Every user with role, organisations, whether active and whether a temporary password awaits a change."""
    from rich.table import Table

    from workflow import accounts
    from workflow.documents import to_json

    c = cli.get(ctx)
    with cli.refusals(c):
        people = accounts.all_users(c.app())

    def text(con: Console) -> None:
        table = Table("id", "username", "role", "organisations", "active", "must change password", "name")
        for u in people:
            table.add_row(str(u.id), u.username, u.role, ", ".join(u.orgs), "yes" if u.active else "no",
                          "yes" if u.must_change_password else "", u.full_name)
        con.print(table)

    docs = [{"id": u.id, "username": u.username, "role": u.role, "orgs": list(u.orgs), "active": u.active,
             "must_change_password": u.must_change_password, "has_password": u.password_hash is not None,
             "full_name": u.full_name} for u in people]
    if as_json:
        sys.stdout.write(to_json(docs) + "\n")
        return
    c.emit(docs, text)


@user_app.command("deactivate")
def user_deactivate(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose account.")]) -> None:
    """Deactivate a user at once: their sessions end, their tokens are revoked, they cannot sign in."""
    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        done = accounts.set_active(c.app(), username, False)
    c.emit({"username": username, "active": False, "sessions_ended": done.sessions, "tokens_revoked": done.tokens},
           lambda con: con.print(f"{username} deactivated: {done.sessions} session(s) ended, {done.tokens} "
                                 "token(s) revoked", markup=False))


@user_app.command("reactivate")
def user_reactivate(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose account.")]) -> None:
    """Let a deactivated user sign in again (with their password; tokens revoked at deactivation stay revoked)."""
    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        accounts.set_active(c.app(), username, True)
    c.emit({"username": username, "active": True}, lambda con: con.print(f"{username} reactivated", markup=False))


@user_app.command("password")
def user_password(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose password.")]) -> None:
    """Replace a forgotten password with a temporary one, printed once; the user must change it at the next
    sign-in, and their open sessions end now."""
    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        temporary = accounts.reset_password(c.app(), username)
    c.emit({"username": username, "temporary_password": temporary, "must_change_password": True},
           lambda con: con.print(f"temporary password for {username} (shown once; to be changed at the next "
                                 f"sign-in): {temporary}", markup=False))


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose token.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "api",
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650, help="Lifetime in days (default: "
                                             "web.token_days in config.yaml).")] = None,
) -> None:
    """Create an API token and print it once; only its hash is stored. It expires after --days."""
    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        issued = accounts.create_token(c.app(), username, label, days)
    c.emit({"id": issued.id, "token": issued.token, "expires_at": issued.expires_at},
           lambda con: con.print(f"token {issued.id} for {username}, expires {cli.moment(issued.expires_at)} "
                                 f"(shown once, keep it now):\n{issued.token}", markup=False))


@token_app.command("list")
def token_list(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose tokens.")]) -> None:
    """A user's tokens (ids, labels, expiry; the tokens themselves are not stored)."""
    from rich.table import Table

    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        app = c.app()
        user = next((u for u in accounts.all_users(app) if u.username == username), None)
        if user is None:
            raise accounts.AccountError(f"no user {username!r}")
        found = accounts.tokens(app, user.id)

    def text(con: Console) -> None:
        table = Table("id", "label", "created", "expires", "revoked")
        for t in found:
            table.add_row(str(t.id), t.label, cli.moment(t.created_at),
                          cli.moment(t.expires_at) if t.expires_at else "",
                          cli.moment(t.revoked_at) if t.revoked_at else "")
        con.print(table)

    c.emit([vars(t) for t in found], text)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token at once; requests with it are refused from now on."""
    from workflow import accounts

    c = cli.get(ctx)
    with cli.refusals(c):
        accounts.revoke_token(c.app(), token_id)
    c.emit({"revoked": token_id}, lambda con: con.print(f"token {token_id} revoked"))


def register(app: typer.Typer) -> None:
    """Called from main.py's `_register_features`."""
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
