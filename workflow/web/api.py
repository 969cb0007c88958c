"""The HTTP API (JSON, OpenAPI at /docs) for other Party systems; every route runs as the caller's user.

Reads are limited to the caller's organisations; writes go through `Ketnap.record_step` with the caller as
the event's actor. Errors are JSON with a stable `code` (workflow/refusals.py, listed in README.md).
"""

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_jsonable_python
from starlette.concurrency import run_in_threadpool

from states.steps import STEPS, known_step
from storage.candidate_lists import CandidateFilter
from storage.paging import Page
from workflow import accounts, sessions
from workflow.access import Principal, Role
from workflow.clock import VIETNAM
from workflow.commands import AddOrganisation
from workflow.documents import allowed_doc, candidate_doc, event_doc, json_default, result_doc, shown_doc
from workflow.scoped import ScopedKetnap
from workflow.web.context import (
    PASSWORD_API,
    api_principal,
    bearer,
    live_session,
    scoped,
    scoped_writer,
    state_of,
    writer,
)
from workflow.web.verification import verify_in_scope
from workflow.web.viewing import viewed

MAX_OFFSET = 10_000_000
CURSOR_HELP = "`next_cursor` of the page before: the page after it, at the cost of the first"


def page_doc(page: Page) -> dict[str, Any]:
    """A page of a list as every list endpoint answers: `items`, how many in all (`total`), and the cursor of
    the next page (`next_cursor`, null on the last; storage/paging.py)."""
    return {"items": page.rows, "total": page.total, "next_cursor": page.next_cursor, "has_more": page.has_more,
            "offset": page.offset, "limit": page.limit}


class Json(JSONResponse):
    """JSON with Vietnamese kept as it is (UTF-8, NFC) and dates as ISO strings."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=json_default, separators=(",", ":")).encode()


def answer(document: dict[str, Any], status_code: int = 200) -> Json:
    """A document answered as FastAPI would serialise it for a route returning `dict[str, Any]` (pydantic's JSON
    form: the same text), without validating the dict the route built first (issue 19: the step's answer)."""
    return Json(to_jsonable_python(document), status_code=status_code)


router = APIRouter(prefix="/api", default_response_class=Json)
Scoped = Annotated[ScopedKetnap, Depends(scoped)]
Writing = Annotated[ScopedKetnap, Depends(scoped_writer)]  # auditors are refused before the body is read
Who = Annotated[Principal, Depends(api_principal)]
CandidateId = Annotated[str, Path(min_length=1, max_length=64)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200,
    description="Any unique string (a UUID): a repeat with the same key gets the first answer and writes nothing; "
                "the same key with another body is refused (422 idempotency_key_reused)")]


class StepIn(BaseModel):
    """One step: its name, the date on its document, its fields (see GET /api/steps), and optionally the
    candidate's version the client saw (a conflict answers 409 instead of overwriting someone's work)."""

    model_config = ConfigDict(extra="forbid")
    step: str = Field(min_length=1, max_length=40, examples=["assign_helper"])
    on: date = Field(examples=["2026-11-02"])
    fields: dict[str, Any] = Field(default_factory=dict, examples=[{"helper": "Phạm Văn Bình"}])
    expected_version: int | None = Field(default=None, ge=0, le=1_000_000)


STEP_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": StepIn.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


def step_body(raw: bytes, content_type: str | None) -> StepIn:
    """The body of `record_step`, validated as FastAPI validates a declared body (the same problems, under `body`),
    but by the route itself: after its caller is known, in the same thread-pool hop (issue 19).

    Raises: RequestValidationError.
    """
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    data: Any = raw
    if content_type is None or "json" in content_type.split(";")[0].lower():
        try:
            data = json.loads(raw)
        except ValueError as e:
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body", getattr(e, "pos", 0)),
                                           "msg": "JSON decode error", "input": {},
                                           "ctx": {"error": getattr(e, "msg", str(e))}}]) from e
    try:
        return StepIn.model_validate(data, from_attributes=True)  # as FastAPI validates a body
    except ValidationError as e:
        raise RequestValidationError([{**p, "loc": ("body", *p["loc"])} for p in e.errors()]) from e


class CandidateIn(BaseModel):
    """A new candidate: the fields of the step `identify` and the date of the branch's resolution."""

    model_config = ConfigDict(extra="forbid")
    on: date = Field(examples=["2026-11-02"])
    fields: dict[str, Any] = Field(examples=[{"org": "CB-GV", "full_name": "Nguyễn Thị Hoà",
                                              "birth_date": "2000-03-15", "sex": "F",
                                              "education": "university"}])


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="api", min_length=1, max_length=200)
    days: int | None = Field(default=None, ge=1, le=3650, description="Lifetime; default web.token_days")


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)  # the policy: workflow/passwords.py


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    role: Role
    orgs: list[str] = Field(min_length=1, max_length=50)
    # No password: nobody chooses another person's (issue 11, break 10); the answer has a temporary one.
    full_name: str = Field(default="", max_length=300)
    sign_in: bool = Field(default=True, description="False: an API-only account, with no password at all")


def user_doc(who: Principal) -> dict[str, Any]:
    u = who.user
    return {"id": u.id, "username": u.username, "full_name": u.full_name, "role": u.role, "orgs": list(u.orgs),
            "active": u.active, "must_change_password": u.must_change_password}


# --- service ---------------------------------------------------------------------------------------------------

@router.get("/health", tags=["service"], summary="Liveness, without a database call")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/me", tags=["service"], summary="The caller, their role and organisations")
def me(who: Who) -> dict[str, Any]:
    return {**user_doc(who), "via": who.via, "steps": sorted(s for s in STEPS if who.may_record(s))}


@router.get("/steps", tags=["service"], summary="Every step: where it is allowed, where it moves, its fields")
def steps() -> list[dict[str, Any]]:
    return [{"step": s.name, "allowed_in": s.allowed_in, "moves_to": s.moves_to, "form": s.form,
             "summary": s.summary, "fields": s.fields.model_json_schema()} for s in STEPS.values()]


# --- organisations -------------------------------------------------------------------------------------------

@router.get("/organisations", tags=["organisations"], summary="The organisations the caller may see")
def organisations(s: Scoped) -> list[dict[str, Any]]:
    return [vars(o) for o in s.orgs()]


@router.post("/organisations", tags=["organisations"], status_code=201,
             summary="Add an organisation under one of the admin's (admins only)")
def add_organisation(body: AddOrganisation, s: Writing) -> dict[str, Any]:
    return vars(s.add_org(body))  # who may: workflow/access.py (a new root: only `ketnap org add` on the server)


# --- candidates ----------------------------------------------------------------------------------------------

@router.get("/candidates", tags=["candidates"], summary="Candidates in the caller's organisations, filtered")
def list_candidates(
    request: Request, s: Scoped,
    org: Annotated[str | None, Query(max_length=64, description="This organisation and those under it")] = None,
    stage: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name; diacritics optional")] = None,
    due: Annotated[date | None, Query(description="With an open deadline due on or before this date")] = None,
    overdue: Annotated[bool, Query(description="With an open deadline already past")] = False,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Older clients' pager; prefer `cursor`")] = 0,
    cursor: Annotated[str | None, Query(max_length=2000, description=CURSOR_HELP)] = None,
    incoming: Annotated[bool, Query(description="Instead: the probationary members transferred to the caller's "
                                    "branches and not yet received (at most `limit`; `org` is their sending "
                                    "branch, `incoming_org` the receiving one)")] = False,
) -> dict[str, Any]:
    size = limit or state_of(request).settings.page_size
    if incoming:
        rows = s.incoming_transfers(size + 1)  # one more: whether more wait than a page shows
        more = len(rows) > size
        return page_doc(Page(rows[:size], more, 0, size, None, None if more else len(rows)))
    page = s.candidates(CandidateFilter(org, stage, q, due, overdue, size, offset, cursor, count=True))
    return page_doc(page)


@router.post("/candidates", tags=["candidates"], status_code=201, summary="Identify a new candidate (step identify)")
def create_candidate(body: CandidateIn, s: Writing, response: Response,
                     idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    result = s.record(None, known_step("identify"), body.on, body.fields, via="api", idempotency_key=idempotency_key)
    response.headers["Location"] = f"/api/candidates/{result.candidate.id}"
    return result_doc(result)


@router.get("/candidates/{candidate_id}", tags=["candidates"],
            summary="A candidate: stage, key dates, open deadlines, allowed steps")
def show_candidate(request: Request, candidate_id: CandidateId, s: Scoped) -> dict[str, Any]:
    shown = s.show(candidate_id)
    viewed(request, s.who, "api_candidate", candidate_id)
    return shown_doc(shown)


@router.post("/candidates/{candidate_id}/steps", tags=["candidates"], status_code=201, response_model=dict[str, Any],
             summary="Record a step; 422 lists every violated rule with its citation, 409 on a version conflict",
             responses={409: {"description": "version_conflict or step_not_allowed"},
                        422: {"description": "rule_violation: every unmet rule with its id and citation; "
                                              "idempotency_key_reused"}},
             openapi_extra=STEP_BODY)
async def record_step(request: Request, candidate_id: CandidateId,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                      idempotency_key: IdempotencyKey = None) -> Json:
    """One thread-pool hop for the caller's token, the writer check, the body and the step (issue 19: a sync
    dependency and a sync route cost a hop each). The body is read on the loop and validated after the writer
    check, so an auditor's write is refused whatever it sends, as `Writing` does for the other routes."""
    raw = await request.body()

    def record() -> Json:
        s = writer(request, credentials)
        body = step_body(raw, request.headers.get("content-type"))
        spec = known_step(body.step)
        return answer(result_doc(s.record(candidate_id, spec, body.on, body.fields, body.expected_version,
                                          via="api", idempotency_key=idempotency_key)), 201)

    return await run_in_threadpool(record)


@router.get("/candidates/{candidate_id}/history", tags=["candidates"],
            summary="The events, as of a business date and/or as the system knew them at a moment")
def history(
    request: Request, candidate_id: CandidateId, s: Scoped,
    as_of: Annotated[date | None, Query(description="Steps that had happened by this date")] = None,
    known_at: Annotated[datetime | None, Query(description="What was recorded by this moment (no zone: "
                                                           "Vietnam time)")] = None,
) -> dict[str, Any]:
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=VIETNAM)
    candidate, events = s.history(candidate_id, as_of, known_at)
    viewed(request, s.who, "api_history", candidate_id)
    return {"id": candidate_id, "as_of": as_of, "known_at": known_at,
            "stage": candidate.stage.value if candidate.stage else None, "candidate": candidate_doc(candidate),
            "events": [event_doc(e) for e in events]}


@router.get("/candidates/{candidate_id}/allowed-steps", tags=["candidates"],
            summary="What can be recorded next on a date, and for each step what is still missing")
def allowed(request: Request, candidate_id: CandidateId, s: Scoped,
            on: Annotated[date | None, Query()] = None) -> list[dict[str, Any]]:
    result = s.show(candidate_id, on)
    viewed(request, s.who, "api_allowed_steps", candidate_id)
    return [{**allowed_doc(a), "you_may_record": s.who.may_record(a.step)} for a in result.allowed]


# --- deadlines and audit ---------------------------------------------------------------------------------------

@router.get("/deadlines", tags=["deadlines"], summary="Open deadlines in the caller's organisations, soonest first, "
            "a page at a time")
def deadlines(request: Request, s: Scoped,
              org: Annotated[str | None, Query(max_length=64)] = None,
              until: Annotated[date | None, Query()] = None,
              overdue: Annotated[bool, Query()] = False,
              limit: Annotated[int | None, Query(ge=1, le=500)] = None,
              cursor: Annotated[str | None, Query(max_length=2000, description=CURSOR_HELP)] = None,
              ) -> dict[str, Any]:
    size = limit or state_of(request).settings.page_size
    return page_doc(s.deadlines(until, overdue, org, size, cursor))


@router.get("/audit/verify", tags=["audit"],
            summary="Verify hash chains, re-check every step under its date's rules, compare projections "
                    "(auditors and admins)")
def audit_verify(s: Scoped,
                 candidate_id: Annotated[str | None, Query(max_length=64)] = None,
                 org: Annotated[str | None, Query(max_length=64)] = None,
                 limit: Annotated[int, Query(ge=1, le=10_000, description="Findings listed (the first by "
                                                                          "candidate and version); `counts` and "
                                                                          "`findings_total` take in every one")]
                 = 500) -> dict[str, Any]:
    s.who.require_role(Role.AUDITOR, Role.ADMIN)
    report = verify_in_scope(s, candidate_id, org)
    report.keep = limit
    report.sort()
    return report.as_dict()


# --- users and tokens ------------------------------------------------------------------------------------------

@router.get("/users", tags=["users"], summary="Users (admins only)")
def list_users(s: Scoped) -> list[dict[str, Any]]:
    s.who.require_role(Role.ADMIN)
    return [{"id": u.id, "username": u.username, "full_name": u.full_name, "role": u.role, "orgs": list(u.orgs),
             "active": u.active} for u in accounts.all_users(s.app) if set(u.orgs) <= s.who.scope]


@router.post("/users", tags=["users"], status_code=201, summary="Add a user in the admin's organisations")
def add_user(body: UserIn, s: Writing) -> dict[str, Any]:
    s.who.require_role(Role.ADMIN)
    for code in body.orgs:
        s.who.require_org(code)
    user, temporary = accounts.add_user_with_temporary_password(s.app, body.username, body.role.value, body.orgs,
                                                                body.full_name, sign_in=body.sign_in)
    return {"id": user.id, "username": user.username, "role": user.role, "orgs": list(user.orgs),
            "temporary_password": temporary, "must_change_password": user.must_change_password}


@router.post(PASSWORD_API.removeprefix("/api"), tags=["users"], status_code=204,
             summary="Change one's own password (the current one is checked like a sign-in); ends one's other "
                     "sessions")
def change_password(body: PasswordIn, request: Request, who: Who) -> Response:
    live = live_session(request) if who.via == "session" else None
    sessions.change_password(state_of(request).ketnap, who.user, body.current_password, body.new_password,
                             request.client.host if request.client else None, live.id if live else None)
    return Response(status_code=204)


@router.post("/tokens", tags=["users"], status_code=201,
             summary="A new API token for the caller; shown once, only its hash is kept")
def create_token(body: TokenIn, s: Writing) -> dict[str, Any]:
    issued = accounts.create_token(s.app, s.who.user.username, body.label, body.days)
    return {"id": issued.id, "token": issued.token, "expires_at": issued.expires_at}


@router.delete("/tokens/{token_id}", tags=["users"], status_code=204,
               summary="Revoke a token (one's own, or any token of a user in an admin's organisations)")
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**62)], s: Writing) -> Response:
    owner = accounts.token_owner(s.app, token_id)
    if owner is None or (owner != s.who.user.id and not accounts.admin_over(s.app, s.who, owner)):
        return Json({"code": "token_not_found", "message": f"no token {token_id} of yours", "violations": []},
                    status_code=404)
    accounts.revoke_token(s.app, token_id)
    return Response(status_code=204)
