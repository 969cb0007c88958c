"""What every command shares: the global options, the app, the output mode, the actor, and showing refusals
with the codes and exit statuses of workflow/refusals.py (0 done, 2 input refused with the reasons, 3
concurrency conflict).

The actor (`--actor`, else KETNAP_ACTOR, else the operating-system user) is written on every event. When it
names a user of ketnap, a step is recorded as that user: through the same checks as the API (role and
organisations, on the validated command; workflow/access.py) and refused with the same codes. Any other name is
the server's operator, who may record anything, as before."""

from __future__ import annotations  # the service's types are named in signatures, imported for commands only

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from workflow.clock import VIETNAM

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from workflow.access_log import Viewer
    from workflow.commands import RecordStep
    from workflow.scoped import ScopedKetnap
    from workflow.service import Ketnap, StepPermit, StepResult
    from workflow.web.templating import Labels

# This module is imported by every command, `ketnap --help` included, so it imports only typer and the standard
# library at the top; rich loads when a command prints, and the service, the refusal table and the settings when
# a command first needs them (issue 14: a CLI that starts at once; tests/e2e/test_cli_imports.py keeps it so).


@cache
def _vi() -> Labels:
    from workflow.web.templating import Labels

    return Labels("vi")


def __getattr__(name: str) -> Labels:
    """`cli.VI`: the web's formatter of values and dates for people, shared by the CLI's text output, made on
    first use."""
    if name == "VI":
        return _vi()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ZONE = "ICT"  # every time the CLI prints is Vietnam time (Indochina Time, UTC+7), the zone named after it


class JsonAnywhere(TyperGroup):
    """The root command: `--json` may come before or after the command (`ketnap show ID --json`), for every
    command at once, by moving it in front before the arguments are parsed."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer.Context: typer vendors its click
        if ctx.parent is None:
            args = hoist_json(args)
        return super().parse_args(ctx, args)


def hoist_json(args: list[str]) -> list[str]:
    """`--json` anywhere before a `--` becomes the first argument (once)."""
    end = args.index("--") if "--" in args else len(args)
    if "--json" not in args[:end]:
        return args
    return ["--json", *(a for a in args[:end] if a != "--json"), *args[end:]]


@dataclass
class Context:
    db: str | None
    config: Path | None
    json: bool
    actor_name: str | None = None  # --actor
    _app: Ketnap | None = field(default=None, repr=False)
    _schema_current: bool = field(default=False, repr=False)  # checked once: a command asks for the app often

    def actor(self) -> str:
        """`--actor`, else KETNAP_ACTOR, else the operating-system user."""
        return self.actor_name or actor()

    def record(self, cmd: RecordStep) -> StepResult:
        """Record a step as `cmd.actor`: as that user, behind the API's checks (workflow/scoped.py), when
        it names one; else as the server's operator.

        Raises: AccessDenied (user_inactive, read_only, wrong_role, out_of_scope, org_ended), and whatever
        `Ketnap.record_step` raises.
        """
        from states.steps import known_step

        scoped = self.as_user(cmd.actor)
        if scoped is None:
            return self.app().record_step(cmd)
        return scoped.record(cmd.candidate_id, known_step(cmd.step), cmd.on, cmd.fields, cmd.expected_version,
                             via="cli")

    def permit(self) -> StepPermit | None:
        """For the commands that record a batch of steps (an import, a class): None for the server's operator,
        else the user's check of each step (`ScopedKetnap.permit_in`).

        Raises: AccessDenied (user_inactive).
        """
        scoped = self.as_user(self.actor())
        return None if scoped is None else scoped.permit_in

    def as_user(self, actor: str) -> ScopedKetnap | None:
        """The service as the user named `actor`; None when no user has that name.

        Raises: AccessDenied (user_inactive) for a deactivated user.
        """
        from storage import users
        from workflow.access import AccessDenied

        app = self.app()
        with app.uow.reading() as tx:
            user = users.by_username(tx.conn, actor)
        if user is None:
            return None
        from workflow.scoped import ScopedKetnap, principal_for  # accounts and their hashing: for a user only

        if not user.active:
            raise AccessDenied("user_inactive", f"user {user.username!r} is deactivated: steps are not recorded "
                                                "in their name")
        return ScopedKetnap(app, principal_for(app, user, "cli"))

    def app(self, *, need_schema: bool = True) -> Ketnap:
        from storage import migrate
        from storage.engine import missing_sqlite_file
        from workflow.bootstrap import bootstrap
        from workflow.config import load_settings
        from workflow.refusals import DatabaseNotReady

        if self._app is None:
            settings = load_settings(self.config, os.environ)
            if self.db:
                settings = settings.model_copy(update={"database_url": self.db})
            missing = missing_sqlite_file(settings.database_url)
            if need_schema and missing is not None:  # connecting would leave an empty file behind
                fail(self, DatabaseNotReady(f"no database at {missing}"))
            self._app = bootstrap(settings)
        if need_schema and not self._schema_current:
            if migrate.current_revision(self._app.engine) != migrate.head_revision():
                fail(self, DatabaseNotReady())
            self._schema_current = True
        return self._app

    def emit(self, document: Any, text: Callable[[Console], None]) -> None:
        from rich.console import Console

        from workflow.documents import to_json

        if self.json:
            sys.stdout.write(to_json(document) + "\n")
        else:
            text(Console(highlight=False, soft_wrap=True))


def get(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context), "the root callback sets the context"
    return obj


def actor() -> str:
    """KETNAP_ACTOR, else the operating-system user (`Context.actor` puts `--actor` first)."""
    return os.environ.get("KETNAP_ACTOR") or getpass.getuser()


def viewer() -> Viewer:
    """Who reads personal data on the command line, for the read-access log: the actor, from the OS account."""
    from workflow.access_log import operator_viewer

    return operator_viewer(actor(), getpass.getuser())


def fail(c: Context, err: Exception) -> NoReturn:
    """Show a refusal as its row in workflow/refusals.py says, and exit with the row's status.

    Raises:
        err itself, when it is not a refusal the CLI meets (a bug, shown with its traceback).
    """
    from rich.console import Console

    from workflow.documents import cli_refusal_doc, to_json
    from workflow.refusals import refusal_for

    refusal = refusal_for(err)
    if refusal is None or refusal.exit_status is None:
        raise err
    if c.json:
        sys.stdout.write(to_json(cli_refusal_doc(refusal)) + "\n")
    else:
        out = Console(stderr=True, highlight=False, soft_wrap=True)
        out.print(f"[bold red]refused[/] ({refusal.code}): {refusal.message}", markup=True)
        judged = dict.fromkeys(f"{d['rule_set']} + {d['guidance']}" for d in refusal.violations if d.get("rule_set"))
        if judged:  # the regulation and the guidance in force on the step's date (DOMAIN.md section 7 caveat)
            out.print(f"  judged under rule set + guidance: {', '.join(judged)}", markup=False)
        for d in refusal.violations:
            where = f" [{d['field']}]" if d.get("field") else ""
            out.print(f"  - {d['rule']}{where}: {d['message_vi']}", markup=False)
            out.print(f"    {d['message_en']} ({d['ref']}; {d['source']})", markup=False)
    raise typer.Exit(refusal.exit_status)


@contextmanager
def refusals(c: Context) -> Iterator[None]:
    """Show every error a user can cause with every reason; the parsers' own errors become InvalidInput."""
    from pydantic import ValidationError

    from storage import failures
    from workflow.refusals import REFUSABLE, InvalidInput, rule_problem

    try:
        yield
    except ValidationError as err:  # a command built from what was typed
        problems = [rule_problem(e, ".".join(str(p) for p in e["loc"])) for e in err.errors()]
        fail(c, InvalidInput("; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()),
                             [p for p in problems if p]))
    except typer.BadParameter as err:  # a malformed option: with --json the reason is still one document
        fail(c, InvalidInput(err.format_message()))
    except REFUSABLE as err:
        fail(c, err)
    except OSError as err:  # a full disk met outside the database (an export, a report file)
        full = failures.classify(err)
        if full is None:
            raise
        fail(c, full)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def parse_timestamp(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a timestamp (ISO 8601)", param_hint=option) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=VIETNAM)  # a bare timestamp is Vietnam's local time
    return stamp


def id_table(*headers: str, ids: tuple[str, ...]) -> Table:
    """A table whose `ids` columns (what one types next: step names, candidate ids, dates) are never cut or
    wrapped, whatever the terminal's width; the other columns wrap, folding a long word rather than cutting it."""
    from rich.table import Table

    table = Table(*headers)
    for column in table.columns:
        column.no_wrap = column.header in ids
        column.overflow = "ellipsis" if column.no_wrap else "fold"
    return table


def moment(value: datetime | None) -> str:
    """A timestamp for people: dd/mm/yyyy HH:MM in Vietnam time, the zone named (stored times are UTC)."""
    if value is None:
        return "—"
    return f"{_vi().moment(value if value.tzinfo else value.replace(tzinfo=UTC))} {ZONE}"


def day(value: date | str | None) -> str:
    """A business date for people: dd/mm/yyyy."""
    return _vi().date(value)


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """key=value pairs; a value that parses as JSON (list, object, number, boolean) is taken as JSON."""
    fields: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{pair!r} is not key=value", param_hint="FIELDS")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        fields[key.strip()] = value if isinstance(value, list | dict | int | float | bool) else raw
    return fields
