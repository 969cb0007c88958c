"""Errors at the HTTP edge: the refusals of workflow/refusals.py (one table for the CLI, the API and the pages),
and the HTTP layer's own (a request that does not match the schema, a path or method that does not exist).

Every refusal is JSON with a stable `code`; README.md lists them with their HTTP statuses.
"""

from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from states import labels
from states.catalogue import rule_link
from states.field_errors import explain
from storage import failures
from workflow.documents import refusal_doc
from workflow.refusals import InvalidInput, Refusal, http_refusal, refusal_for, rule_problem


@dataclass(frozen=True)
class ApiError:
    """A refusal with the HTTP status it is answered with (the API's JSON, or the error page)."""

    status: int
    refusal: Refusal

    @property
    def code(self) -> str:
        return self.refusal.code

    @property
    def message(self) -> str:
        return self.refusal.message

    @property
    def violations(self) -> list[dict[str, Any]]:
        return self.refusal.violations

    def doc(self) -> dict[str, Any]:
        return refusal_doc(self.refusal)

    def headers(self) -> dict[str, str] | None:
        """`WWW-Authenticate` on 401; `Retry-After` when the refusal says how long to wait (429)."""
        if self.status == 401:
            return {"WWW-Authenticate": "Bearer"}
        retry_after = self.refusal.extra.get("retry_after")
        return {"Retry-After": str(retry_after)} if retry_after is not None else None


def _request_problems(err: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if p != "body"]
        where = ".".join(loc) or None
        problems.append(rule_problem(e, where) or {
            "rule": "invalid_request", "field": where, "message_en": str(e.get("msg")),
            "message_vi": f"Dữ liệu gửi lên không hợp lệ: “{labels.field(where or '').vi}”: {explain(e).vi}.",
            "ref": rule_link("field_invalid"),
            "source": "ketnap (dữ liệu nhập)"})
    return problems


def api_error(exc: Exception) -> ApiError | None:
    """The response for an error a client can cause; None for a bug (answered 500 and logged)."""
    if isinstance(exc, PoolTimeout):  # the connection pool, not the database: busy (503 Retry-After), not a bug
        exc = failures.classify(exc) or exc
    if isinstance(exc, RequestValidationError):  # FastAPI's parser; the CLI's become InvalidInput too
        exc = InvalidInput("the request does not match the API schema", _request_problems(exc))
    if isinstance(exc, HTTPException):
        refusal: Refusal | None = http_refusal(exc.status_code, str(exc.detail))
    else:
        refusal = refusal_for(exc)
    if refusal is None or refusal.http_status is None:
        return None
    return ApiError(refusal.http_status, refusal)
