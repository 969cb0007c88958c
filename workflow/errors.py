"""The errors a user can cause in the features (accounts, audit, backups, reminders, reports, imports,
restructuring, the scheduler, sign-ins), in a module that imports no feature and no table.

The refusal table (workflow/refusals.py) names every one of them, and every entry point imports that table to
show a refusal; with the classes here, `ketnap show` and `ketnap step` load none of the features they do not use
(issue 14; tests/e2e/test_cli_imports.py). Each feature module re-exports its own, so its callers import it from
there as before.
"""

from __future__ import annotations  # the payloads' types are named for mypy only

from collections.abc import Sequence
from typing import TYPE_CHECKING

from states.errors import ProcedureError

if TYPE_CHECKING:
    from storage.scheduler_lock import Holder
    from workflow.reports.classes import Refusal as BatchRefusal
    from workflow.reports.importer import Problem as ImportProblem


class AccountError(ProcedureError):
    """A user or token could not be added or changed; the message says why."""


class RebuildFailed(Exception):
    """A stream could not be replayed or projected; nothing was changed."""

    def __init__(self, stream_id: str, cause: BaseException) -> None:
        super().__init__(f"rebuild stopped at stream {stream_id}: {cause!r}; the old projections are intact")
        self.stream_id, self.cause = stream_id, cause


class UnknownOrganisation(LookupError):
    """`audit verify --org CODE` names no organisation."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no organisation with code {code!r}")
        self.code = code


class BackupRefused(Exception):
    """A backup or a restore that cannot be made as asked; nothing was written into a database."""


class ReminderError(ProcedureError):
    """A reminders command was refused; the message says why and what to do."""


class BatchRefused(ProcedureError):
    """A batch step was refused for some candidates, so nothing was recorded; every refusal is listed. `written`:
    a candidate changed between judging and writing, and the candidates written before it stay recorded."""

    def __init__(self, step: str, refusals: Sequence[BatchRefusal], written: int = 0) -> None:
        self.step, self.refusals, self.written = step, tuple(refusals), written
        outcome = ("nothing was recorded" if not written else
                   f"it was recorded for the {written} candidate(s) written before it, who stay recorded; the same "
                   f"command again skips them")
        super().__init__(f"{step} refused for {len(refusals)} candidate(s); {outcome}")


class ClassError(ProcedureError):
    """A class could not be added or found; the message names the code."""


class ImportRefused(ProcedureError):
    """Nothing was imported (or, `written` > 0, only the rows written before a row refused in the write pass);
    `problems` lists every refused cell."""

    def __init__(self, file: str, problems: list[ImportProblem], written: int = 0) -> None:
        rows = len({(p.sheet, p.row) for p in problems})
        outcome = ("nothing was imported" if not written else
                   f"the {written} row(s) written before it stay imported; import the same file again to record "
                   f"the rest (the rows it already recorded are skipped)")
        super().__init__(f"{file}: {len(problems)} problem(s) in {rows} row(s); {outcome}")
        self.file, self.problems, self.written = file, problems, written


class PlanError(ProcedureError):
    """A plan or a membership count was refused; the message names what is wrong."""


class WorkbookRefused(ProcedureError):
    """Nothing was recorded; `problems` lists every refused cell by sheet, row and column."""

    def __init__(self, file: str, problems: list[ImportProblem]) -> None:
        rows = len({(p.sheet, p.row) for p in problems if p.sheet})
        where = f"{len(problems)} problem(s) in {rows} row(s)" if rows else problems[0].violation.message_en.rstrip(".")
        super().__init__(f"{file}: {where}; nothing was recorded")
        self.file, self.problems = file, problems


class SchedulerRefused(ProcedureError):
    """Another scheduler runs on this SQLite database."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(
            f"another scheduler is already running on this SQLite database (process {holder.pid} on "
            f"{holder.host}, since {holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC; its lock expires at "
            f"{holder.expires_at:%H:%M:%S} UTC unless renewed). SQLite allows one scheduler: stop the other one, "
            f"or start this one with --standby to take over when it stops. Use PostgreSQL to run several.")
        self.holder = holder


class SignInThrottled(ProcedureError):
    """Too many failed sign-ins for this account or from this address; safe to show."""

    def __init__(self, retry_after: int, locked: bool) -> None:
        what = "locked after too many failed sign-ins" if locked else "delayed after failed sign-ins"
        super().__init__(f"signing in is {what}: try again in {retry_after} seconds")
        vi = "bị khóa do đăng nhập sai quá nhiều lần" if locked else "tạm hoãn do đăng nhập sai"
        self.message_vi = f"Đăng nhập {vi}: hãy thử lại sau {retry_after} giây."
        self.retry_after, self.locked = retry_after, locked
