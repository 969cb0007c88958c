"""What every command shares: the global options, the app, the output mode, and showing refusals with the
codes and exit statuses of workflow/refusals.py (0 done, 2 input refused with the reasons, 3 concurrency
conflict)."""

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from storage import migrate
from workflow.access_log import Viewer, operator_viewer
from workflow.bootstrap import bootstrap
from workflow.clock import VIETNAM
from workflow.config import load_settings
from workflow.documents import cli_refusal_doc, to_json
from workflow.refusals import REFUSABLE, DatabaseNotReady, InvalidInput, refusal_for, rule_problem
from workflow.service import Ketnap


@dataclass
class Context:
    db: str | None
    config: Path | None
    json: bool
    _app: Ketnap | None = field(default=None, repr=False)

    def app(self, *, need_schema: bool = True) -> Ketnap:
        if self._app is None:
            settings = load_settings(self.config, os.environ)
            if self.db:
                settings = settings.model_copy(update={"database_url": self.db})
            self._app = bootstrap(settings)
        if need_schema and migrate.current_revision(self._app.engine) != migrate.head_revision():
            fail(self, DatabaseNotReady())
        return self._app

    def emit(self, document: Any, text: Callable[[Console], None]) -> None:
        if self.json:
            sys.stdout.write(to_json(document) + "\n")
        else:
            text(Console(highlight=False, soft_wrap=True))


def get(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context), "the root callback sets the context"
    return obj


def actor() -> str:
    return os.environ.get("KETNAP_ACTOR") or getpass.getuser()


def viewer() -> Viewer:
    """Who reads personal data on the command line, for the read-access log: the actor, from the OS account."""
    return operator_viewer(actor(), getpass.getuser())


def fail(c: Context, err: Exception) -> NoReturn:
    """Show a refusal as its row in workflow/refusals.py says, and exit with the row's status.

    Raises:
        err itself, when it is not a refusal the CLI meets (a bug, shown with its traceback).
    """
    refusal = refusal_for(err)
    if refusal is None or refusal.exit_status is None:
        raise err
    if c.json:
        sys.stdout.write(to_json(cli_refusal_doc(refusal)) + "\n")
    else:
        out = Console(stderr=True, highlight=False, soft_wrap=True)
        out.print(f"[bold red]refused[/] ({refusal.code}): {refusal.message}", markup=True)
        for d in refusal.violations:
            where = f" [{d['field']}]" if d.get("field") else ""
            out.print(f"  - {d['rule']}{where}: {d['message_vi']}", markup=False)
            out.print(f"    {d['message_en']} ({d['ref']}; {d['source']})", markup=False)
    raise typer.Exit(refusal.exit_status)


@contextmanager
def refusals(c: Context) -> Iterator[None]:
    """Show every error a user can cause with every reason; the parsers' own errors become InvalidInput."""
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
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a timestamp (ISO 8601)", param_hint=option) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)  # a bare timestamp is Vietnam's local time
    return moment


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
