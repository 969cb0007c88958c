"""Errors at the HTTP edge: every refusal becomes JSON with a stable `code` (STYLE.md section 7's table).

| error | status | code |
|---|---|---|
| RuleViolation | 422 | rule_violation (every violation with its rule id and citation) |
| StepNotAllowed | 409 | step_not_allowed |
| ConcurrencyConflictError | 409 | version_conflict |
| CandidateNotFound, or outside the user's scope | 404 | candidate_not_found / not_found |
| AccessDenied | 403 | read_only, wrong_role, out_of_scope, forbidden |
| NotSignedIn | 401 | unauthenticated, invalid_token, csrf_failed |
"""

from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from states.errors import (
    CandidateNotFound,
    NoRuleSetInForce,
    ProcedureError,
    RuleViolation,
    StepNotAllowed,
    UnknownStep,
)
from storage.errors import ConcurrencyConflictError
from workflow.access import AccessDenied, NotSignedIn, OutOfScope
from workflow.accounts import AccountError
from workflow.audit.verify import UnknownOrganisation
from workflow.service import OrganisationError

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type"}


@dataclass(frozen=True)
class ApiError:
    status: int
    code: str
    message: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def doc(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "violations": self.violations, **self.extra}


def _request_problems(err: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if p != "body"]
        problems.append({"rule": "invalid_request", "field": ".".join(loc) or None, "message_en": str(e.get("msg")),
                         "message_vi": f"Dữ liệu gửi lên không hợp lệ: {'.'.join(loc)}", "ref": "HTTP API",
                         "source": "ketnap input"})
    return problems


def api_error(exc: Exception) -> ApiError | None:
    """The response for an error a client can cause; None for a bug (answered 500 and logged)."""
    if isinstance(exc, RuleViolation):
        return ApiError(422, "rule_violation", f"{exc.step} was refused",
                        [v.as_dict() for v in exc.violations])
    if isinstance(exc, StepNotAllowed):
        return ApiError(409, "step_not_allowed", str(exc), extra={"allowed_steps": list(exc.allowed)})
    if isinstance(exc, ConcurrencyConflictError):
        return ApiError(409, "version_conflict", str(exc),
                        extra={"expected_version": exc.expected_version, "actual_version": exc.actual_version})
    if isinstance(exc, CandidateNotFound):
        return ApiError(404, "candidate_not_found", str(exc))
    if isinstance(exc, UnknownOrganisation):
        return ApiError(404, "not_found", str(exc))
    if isinstance(exc, OutOfScope):
        return ApiError(404, "not_found", "no such organisation among yours")
    if isinstance(exc, AccessDenied):
        return ApiError(403, exc.code, str(exc))
    if isinstance(exc, NotSignedIn):
        return ApiError(401, exc.code, str(exc))
    if isinstance(exc, UnknownStep):
        return ApiError(422, "unknown_step", str(exc))
    if isinstance(exc, NoRuleSetInForce):
        return ApiError(422, "no_rule_set_in_force", str(exc))
    if isinstance(exc, OrganisationError):
        return ApiError(422, "organisation_refused", str(exc))
    if isinstance(exc, AccountError):
        return ApiError(422, "account_refused", str(exc))
    if isinstance(exc, ProcedureError):
        return ApiError(422, "refused", str(exc))
    if isinstance(exc, RequestValidationError):
        return ApiError(422, "invalid_request", "the request does not match the API schema",
                        _request_problems(exc))
    if isinstance(exc, HTTPException):
        return ApiError(exc.status_code, HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
                        str(exc.detail))
    return None
