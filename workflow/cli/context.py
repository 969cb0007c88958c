"""What every command shares: the global options, the app, the output mode and the mapping of errors
to exit codes (0 done, 2 input refused with the reasons, 3 concurrency conflict)."""

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

from states.errors import ProcedureError, RuleViolation
from storage import migrate
from storage.errors import ConcurrencyConflictError
from workflow.bootstrap import bootstrap
from workflow.clock import VIETNAM
from workflow.config import ConfigError, load_settings
from workflow.documents import to_json, violation_doc
from workflow.service import Ketnap

EXIT_REFUSED = 2
EXIT_CONFLICT = 3


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
            fail(self, "database_not_ready", "the database schema is missing or old: run `ketnap init` first")
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


def fail(c: Context, code: str, message: str, *, details: list[dict[str, Any]] | None = None,
         exit_code: int = EXIT_REFUSED) -> NoReturn:
    if c.json:
        sys.stdout.write(to_json({"error": code, "message": message, "violations": details or []}) + "\n")
    else:
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        err.print(f"[bold red]refused[/] ({code}): {message}", markup=True)
        for d in details or []:
            where = f" [{d['field']}]" if d.get("field") else ""
            err.print(f"  - {d['rule']}{where}: {d['message_vi']}", markup=False)
            err.print(f"    {d['message_en']} ({d['ref']}; {d['source']})", markup=False)
    raise typer.Exit(exit_code)


@contextmanager
def refusals(c: Context) -> Iterator[None]:
    """Map the errors a user can cause to exit codes, with every reason shown."""
    try:
        yield
    except RuleViolation as err:
        fail(c, "rule_violation", f"{err.step} was refused", details=[violation_doc(v) for v in err.violations])
    except ConcurrencyConflictError as err:
        fail(c, "conflict", str(err), exit_code=EXIT_CONFLICT)
    except (ProcedureError, ConfigError) as err:
        fail(c, type(err).__name__, str(err))
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        fail(c, "invalid_input", problems)
    except typer.BadParameter as err:  # a malformed option: with --json the reason is still one document
        fail(c, "invalid_input", err.format_message())


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
