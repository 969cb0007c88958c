"""The one table of refusals: for each error a user can cause, its code, HTTP status, exit status and message.

The CLI (`--json` and text), the HTTP API and the web pages all look errors up here, so one refusal has one
code wherever it is met, and README.md lists the table (tests/web/test_refusal_codes.py keeps the two equal).
Where the CLI and the API used to say different things, the API's code won: API clients already depend on it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from states.catalogue import RULES, violation
from states.errors import (
    CandidateNotFound,
    NoRuleSetInForce,
    ProcedureError,
    RuleViolation,
    StepNotAllowed,
    UnknownStep,
)
from storage.errors import ConcurrencyConflictError, CopyFailed, DatabaseBusy, IdempotencyKeyReused, StorageFull
from storage.paging import BadCursor
from workflow.access import AccessDenied, NotSignedIn, OutOfScope
from workflow.config import ConfigError, SessionSecretMissing
from workflow.errors import (
    AccountError,
    BackupRefused,
    BatchRefused,
    ClassError,
    ImportRefused,
    PlanError,
    RebuildFailed,
    ReminderError,
    SchedulerRefused,
    SignInThrottled,
    UnknownOrganisation,
    WorkbookRefused,
)
from workflow.organisations import OrganisationError
from workflow.paperwork.forms import DocumentNotRecorded, UnknownDocument
from workflow.passwords import WeakPassword

EXIT_REFUSED = 2  # the input was refused; every reason is shown
EXIT_CONFLICT = 3  # someone recorded a step since the version the user saw; nothing was written
EXIT_VERIFY_FAILED = 4  # the log or the projections do not hold (`audit verify`, `audit rebuild`)

Doc = dict[str, Any]


def rule_problem(error: Mapping[str, Any], field: str | None) -> Doc | None:
    """A parser's error raised by a rule of the field types themselves (states/text.py), as that rule's
    violation with its id and both sentences; None for any other parser error."""
    if error.get("type") not in RULES:
        return None
    params = {k: v for k, v in (error.get("ctx") or {}).items() if k != "field"}
    return violation(str(error["type"]), None, field=field, **params).as_dict()


class InvalidInput(ValueError):
    """What was typed does not parse (an option, a value, a request body).

    Each entry point's parser (typer and pydantic in the CLI, FastAPI in the API) raises its own error; the entry
    point turns it into this one, so a malformed date has the same code on the command line and over HTTP.
    """

    def __init__(self, message: str, problems: Sequence[Doc] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class DatabaseNotReady(Exception):
    """The schema is missing or older than the code, so nothing can be read or recorded yet."""

    def __init__(self, reason: str = "the database schema is missing or old") -> None:
        super().__init__(f"{reason}: run `ketnap init` first")


@dataclass(frozen=True)
class Refusal:
    """One refusal as every entry point shows it; `extra` is what the API adds to its document for programs."""

    code: str
    http_status: int | None  # None: the HTTP API never answers with it (only the CLI meets it)
    exit_status: int | None  # None: the CLI never meets it
    message: str
    violations: list[Doc] = field(default_factory=list)
    extra: Doc = field(default_factory=dict)


def _none(_: Any) -> list[Doc]:
    return []


def _no_extra(_: Any) -> Doc:
    return {}


@dataclass(frozen=True)
class Row:
    """One line of the table. `own_code`: the error carries its code (AccessDenied, NotSignedIn), one row each."""

    error: type[Exception]
    code: str
    http_status: int | None
    exit_status: int | None
    when: str  # README.md's explanation
    own_code: bool = False
    message: Callable[[Any], str] = str
    violations: Callable[[Any], list[Doc]] = _none
    extra: Callable[[Any], Doc] = _no_extra

    def matches(self, err: BaseException) -> bool:
        return isinstance(err, self.error) and (not self.own_code or getattr(err, "code", None) == self.code)

    def refusal(self, err: Any) -> Refusal:
        return Refusal(self.code, self.http_status, self.exit_status, self.message(err), self.violations(err),
                       self.extra(err))


def _batch_reasons(err: BatchRefused) -> list[Doc]:
    return [{**v.as_dict(), "candidate": r.candidate_id, "field": f"{r.candidate_id} {r.full_name}: "
             f"{v.field or ''}".strip()} for r in err.refusals for v in r.violations]


def _import_reasons(err: ImportRefused) -> list[Doc]:
    return [{**p.as_dict(), "field": f"{p.sheet}!{p.column}{p.row} {p.header}"} for p in err.problems]


def _workbook_reasons(err: WorkbookRefused) -> list[Doc]:
    return [{**p.as_dict(), "field": f"{p.sheet}!{p.column}{p.row} {p.header}" if p.sheet else p.header or None}
            for p in err.problems]


def _busy_vi(err: DatabaseBusy) -> str:
    return (f"Cơ sở dữ liệu đang bận (một việc ghi dài như nhập tệp Excel hay cấp chứng chỉ cho cả lớp đang chạy); "
            f"chưa ghi gì. Vui lòng thử lại sau {err.retry_after or 5} giây.")


def _busy(err: DatabaseBusy) -> str:
    return (f"{_busy_vi(err)} / The database is busy (a long write such as an import or a class certification is "
            f"running); nothing was written: try again in {err.retry_after or 5} seconds. ({err.detail})")


FULL_VI = ("Ổ đĩa hoặc cơ sở dữ liệu đã đầy; chưa ghi gì. Hãy báo quản trị hệ thống giải phóng dung lượng rồi thử "
           "lại.")


def _full(err: StorageFull) -> str:
    return (f"{FULL_VI} / The disk or the database is full; nothing was written: ask the administrator to free "
            f"space, then try again. ({err.detail})")


def _denied(code: str, when: str, exit_status: int | None = None, http_status: int | None = 403) -> Row:
    """`exit_status`: the CLI meets it when its actor is a user (`--actor`, KETNAP_ACTOR; workflow/cli/context.py)."""
    return Row(AccessDenied, code, http_status, exit_status, when, own_code=True,
               violations=lambda e: [v.as_dict() for v in e.violations])


def _not_signed_in(code: str, when: str) -> Row:
    return Row(NotSignedIn, code, 401, None, when, own_code=True)


# The first row that matches wins, so a subclass comes before its base (ProcedureError's own row is the last of
# its kind); a test checks that no row hides a later one.
TABLE: tuple[Row, ...] = (
    Row(RuleViolation, "rule_violation", 422, EXIT_REFUSED,
        "a step broke rules of the procedure: `violations` lists every one with its rule id, field and citation",
        message=lambda e: f"{e.step} was refused", violations=lambda e: [v.as_dict() for v in e.violations]),
    Row(StepNotAllowed, "step_not_allowed", 409, EXIT_REFUSED,
        "the candidate's stage does not allow this step (the API adds `allowed_steps`)",
        extra=lambda e: {"allowed_steps": list(e.allowed)}),
    Row(ConcurrencyConflictError, "version_conflict", 409, EXIT_CONFLICT,
        "someone recorded a step since the version the user saw; nothing was written (the API adds "
        "`expected_version` and `actual_version`)",
        extra=lambda e: {"expected_version": e.expected_version, "actual_version": e.actual_version}),
    Row(DatabaseBusy, "database_busy", 503, EXIT_REFUSED,
        "another writer held the database longer than `database.busy_timeout_ms`, even after "
        "`database.retry_attempts` tries; nothing was written: try again after `retry_after` seconds (also the "
        "`Retry-After` header)", message=_busy,
        extra=lambda e: {"retry_after": e.retry_after, "message_vi": _busy_vi(e)}),
    Row(StorageFull, "storage_full", 503, EXIT_REFUSED,
        "the disk or the database is full; the transaction rolled back and nothing was written (the API adds "
        "`retry_after`, also the `Retry-After` header)", message=_full,
        extra=lambda e: {"retry_after": e.retry_after, "message_vi": FULL_VI}),
    Row(IdempotencyKeyReused, "idempotency_key_reused", 422, None,
        "an idempotency key (the `Idempotency-Key` header, a page's form token) came again with another request; "
        "the first request's answer stands and nothing was written"),
    Row(CandidateNotFound, "candidate_not_found", 404, EXIT_REFUSED,
        "no such candidate, or one outside the user's organisations"),
    Row(UnknownStep, "unknown_step", 422, EXIT_REFUSED, "no step has this name (`ketnap steps`, GET /api/steps)"),
    Row(NoRuleSetInForce, "no_rule_set_in_force", 422, EXIT_REFUSED, "the date is before the first rule set"),
    Row(OrganisationError, "organisation_refused", 422, EXIT_REFUSED,
        "an organisation could not be added or was not found"),
    Row(WeakPassword, "weak_password", 422, EXIT_REFUSED,
        "the password policy refused a password: too short (`password_too_short`, `web.min_password_length`) or "
        "on the list of common passwords (`password_too_common`)",
        violations=lambda e: [e.as_dict()]),
    Row(SignInThrottled, "sign_in_throttled", 429, None,
        "too many failed sign-ins for the account or from the address: wait `retry_after` seconds (also the "
        "`Retry-After` header); during a lockout even the right password is refused",
        extra=lambda e: {"retry_after": e.retry_after, "locked": e.locked, "message_vi": e.message_vi}),
    Row(AccountError, "account_refused", 422, EXIT_REFUSED, "a user or token could not be added or changed"),
    Row(BatchRefused, "batch_refused", 422, EXIT_REFUSED,
        "a step for a whole class was refused for some candidates; `violations` names each one",
        violations=_batch_reasons),
    Row(ImportRefused, "import_refused", 422, EXIT_REFUSED,
        "a workbook was not imported; `violations` names each refused cell", violations=_import_reasons),
    Row(WorkbookRefused, "restructure_refused", None, EXIT_REFUSED,
        "a restructuring workbook (`org restructure`) recorded nothing; `violations` names each refused cell, or "
        "why the file cannot be read", violations=_workbook_reasons),
    Row(ClassError, "class_refused", 422, EXIT_REFUSED, "a training class could not be added or was not found"),
    Row(PlanError, "plan_refused", 422, EXIT_REFUSED, "a plan or a membership count was refused"),
    Row(ReminderError, "reminder_refused", 422, EXIT_REFUSED, "a reminders or outbox command was refused"),
    Row(SchedulerRefused, "scheduler_refused", 422, EXIT_REFUSED,
        "another scheduler already runs on this SQLite database"),
    Row(UnknownDocument, "unknown_document", 404, EXIT_REFUSED,
        "no document has this name (`ketnap document --help` lists them: a form code, its step, or muc-luc)"),
    Row(DocumentNotRecorded, "document_not_recorded", 404, EXIT_REFUSED,
        "the step a document states is not recorded for the candidate yet (or the version named is not that "
        "step); nothing was written"),
    Row(ProcedureError, "refused", 422, EXIT_REFUSED,
        "any other refusal of the procedure or the application, such as a report period that does not parse"),
    Row(UnknownOrganisation, "not_found", 404, EXIT_REFUSED, "the organisation to audit does not exist"),
    Row(OutOfScope, "not_found", 404, None, "an organisation outside the user's, answered as if it did not exist",
        message=lambda _: "no such organisation among yours"),
    _denied("read_only", "auditors change nothing; admins record no steps", EXIT_REFUSED),
    _denied("wrong_role", "the step is recorded by another role (secretary or committee)", EXIT_REFUSED),
    _denied("out_of_scope", "a new candidate or a transfer names an organisation outside the user's",
            EXIT_REFUSED),
    _denied("user_inactive", "the CLI's actor names a user whose account is deactivated", EXIT_REFUSED, None),
    _denied("forbidden", "the user's role may not do this (pages and routes for admins or auditors)"),
    _denied("csrf_failed", "a page's form expired (its CSRF token does not match the session's)"),
    _denied("org_change_forbidden", "a change of the organisation tree by someone who is not an admin of its "
            "upper level before and after the change: `violations` names each reason with its rule"),
    _denied("org_ended", "the user's organisations have ended (dissolved, merged, split): they read their "
            "history and record nothing until reassigned", EXIT_REFUSED),
    _denied("password_change_required", "the user signed in with a temporary password: until they choose their "
            "own (the page /password, POST /api/me/password) nothing else is open to them"),
    _denied("wrong_password", "a password change named a wrong current password (counted like a failed sign-in)"),
    _not_signed_in("unauthenticated", "no session (never signed in, signed out, timed out, or ended by a password "
                   "change or a deactivation) and no bearer token"),
    _not_signed_in("token_expired", "the token is past its expiry (`ketnap token list` shows it): make a new one"),
    _not_signed_in("invalid_token", "the token is unknown, revoked, or its user is inactive"),
    _not_signed_in("csrf_failed", "an API write with a session cookie lacks the x-csrf-token header"),
    Row(InvalidInput, "invalid_request", 422, EXIT_REFUSED,
        "a value does not parse: an option of the CLI, or a request that does not match the API schema",
        violations=lambda e: list(e.problems)),
    Row(BadCursor, "invalid_cursor", 422, EXIT_REFUSED,
        "a list's `cursor` (`--cursor`) is not one that list handed out as `next_cursor`: start again from its "
        "first page"),
    Row(ConfigError, "config_invalid", None, EXIT_REFUSED, "config.yaml could not be used"),
    Row(SessionSecretMissing, "session_secret_missing", None, EXIT_REFUSED,
        "`ketnap serve` in production without KETNAP_SESSION_SECRET"),
    Row(DatabaseNotReady, "database_not_ready", None, EXIT_REFUSED,
        "the schema is missing or old: run `ketnap init`"),
    Row(BackupRefused, "backup_refused", None, EXIT_REFUSED,
        "`backup` or `restore` refused: the backup file exists, its manifest is missing or does not match it, "
        "another schema or database kind, or a restore target that already holds events; nothing was written"),
    Row(CopyFailed, "copy_failed", None, EXIT_REFUSED,
        "pg_dump or pg_restore stopped (the reason is what it printed); a restore is one transaction, so nothing "
        "was written"),
    Row(RebuildFailed, "rebuild_failed", None, EXIT_VERIFY_FAILED,
        "`audit rebuild` could not replay a stream; the old projections are intact"),
)

# What a person reading Vietnamese is told for a refusal with no reasons of its own (the web's error page and
# step forms); any other code shows its English message. A test checks every key is a code above.
MESSAGES_VI: dict[str, str] = {
    "step_not_allowed": "Bước này không ghi được ở giai đoạn hiện tại của hồ sơ (có thể vừa có người ghi). Hãy tải "
                        "lại trang để xem các bước tiếp theo.",
    "version_conflict": "Hồ sơ vừa được người khác cập nhật; không có gì được ghi. Hãy tải lại trang rồi gửi lại.",
    "idempotency_key_reused": "Biểu mẫu này đã được gửi với nội dung khác; lần gửi đầu được giữ, không ghi gì thêm.",
    "candidate_not_found": "Không tìm thấy người vào Đảng này (hoặc không thuộc tổ chức của bạn).",
    "unknown_step": "Không có bước này trong quy trình.",
    "no_rule_set_in_force": "Ngày này trước bộ quy định đầu tiên mà ketnap áp dụng.",
    "organisation_refused": "Không thêm hoặc không tìm thấy tổ chức.",
    "read_only": "Bạn chỉ có quyền xem.",
    "wrong_role": "Vai trò của bạn không ghi được bước này.",
    "out_of_scope": "Hồ sơ hoặc tổ chức này không thuộc phạm vi của bạn.",
    "invalid_request": "Dữ liệu gửi lên không hợp lệ.",
    "bad_request": "Yêu cầu không hợp lệ.",
    "invalid_cursor": "Con trỏ trang không hợp lệ: hãy mở lại trang đầu của danh sách.",
    "refused": "Yêu cầu bị từ chối.",
    "forbidden": "Bạn không có quyền làm việc này.",
    "not_found": "Không tìm thấy (hoặc không thuộc tổ chức của bạn).",
    "csrf_failed": "Biểu mẫu đã hết hạn, vui lòng tải lại trang và gửi lại.",
    "org_ended": "Tổ chức của bạn đã kết thúc: bạn chỉ còn quyền xem lịch sử.",
}


# Refusals of the HTTP layer itself, before any of our code runs (no such path, a method the path has not...).
HTTP_CODES: dict[int, str] = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                              405: "method_not_allowed", 406: "not_acceptable", 413: "too_large",
                              415: "unsupported_media_type"}

# Every error class of the table, for an entry point's `except`.
REFUSABLE: tuple[type[Exception], ...] = tuple(dict.fromkeys(row.error for row in TABLE))


def refusal_for(err: BaseException) -> Refusal | None:
    """The refusal to show for `err`; None when it is not one a user can cause (a bug: let it raise)."""
    for row in TABLE:
        if row.matches(err):
            return row.refusal(err)
    return None


def http_refusal(status: int, message: str) -> Refusal:
    """A refusal by the HTTP layer (HTTP_CODES); a status without a name there is answered as `http_<status>`."""
    return Refusal(HTTP_CODES.get(status, f"http_{status}"), status, None, message)
