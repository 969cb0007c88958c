"""The web interface: server-rendered pages in Vietnamese (English with ?lang=en), forms without JavaScript.

Every form carries the session's CSRF token, and a step form a one-time token, so that a form sent twice (a
double click, a reload) records its step once and the repeat gets the first answer. A refused step comes back on
the same page with each reason next to its field; a form sent after someone else recorded a step comes back with
a conflict message and everything that was typed, so nothing is lost.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states.candidate import Candidate
from states.catalogue import rule_link, violation
from states.decide import warnings_of_latest
from states.errors import RuleViolation, Violation
from states.events import Event
from states.machine import machine_for
from states.organisations import placement_on, placements
from states.steps import STEPS, known_step
from storage.candidate_lists import CandidateFilter
from storage.errors import IdempotencyKeyReused
from storage.paging import BadCursor
from workflow import accounts, sessions, throttle
from workflow.access import RECORDED_AT_NAMED_ORG, AccessDenied, NotSignedIn, OutOfScope, Principal, Role, owners
from workflow.clock import VIETNAM
from workflow.commands import AddOrganisation
from workflow.paperwork.context import papers_of
from workflow.paperwork.make import make_document
from workflow.passwords import WeakPassword
from workflow.refusals import REFUSABLE, Refusal, refusal_for
from workflow.scoped import ScopedKetnap
from workflow.web import correction_form, forms
from workflow.web.context import (
    PASSWORD_PAGE,
    live_session,
    require_own_password,
    session_of,
    session_principal,
    state_of,
)
from workflow.web.diagram import svg
from workflow.web.errors import api_error
from workflow.web.i18n import DEFAULT_LANG, STAGES, normalise_lang
from workflow.web.sessions import COOKIE, Session
from workflow.web.templating import Labels, field_key
from workflow.web.verification import verify_in_scope
from workflow.web.viewing import viewed

router = APIRouter(include_in_schema=False)
LANG_COOKIE = "lang"


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target)}"


def lang_of(request: Request) -> str:
    return (normalise_lang(request.query_params.get("lang")) or normalise_lang(request.cookies.get(LANG_COOKIE))
            or DEFAULT_LANG)


def _session(request: Request) -> tuple[Session, bool]:
    found = session_of(request)
    return (found, False) if found else (state_of(request).sessions.new(None), True)


def render(request: Request, template: str, context: dict[str, Any], who: Principal | None = None,
           status: int = 200, session: Session | None = None) -> Response:
    """A page in the reader's language; keeps (or starts) the session that holds the CSRF token."""
    current, fresh = (session, True) if session else _session(request)
    lang = lang_of(request)
    state = state_of(request)
    page = state.templates.TemplateResponse(request, template, {
        "L": Labels(lang), "lang": lang, "who": who, "csrf": current.csrf, "path": request.url.path,
        "query": request.url.query, **context}, status_code=status)
    if fresh:
        _set_session(request, page, current)
    if request.query_params.get("lang") == lang:
        page.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return page


def _set_session(request: Request, response: Response, session: Session) -> None:
    state = state_of(request)
    response.set_cookie(COOKIE, state.sessions.dump(session), max_age=state.sessions.max_age, httponly=True,
                        samesite="lax", secure=state.settings.secure_cookies)


def error_page(request: Request, exc: Exception) -> Response:
    error = api_error(exc)
    if error is None:
        raise exc
    who = session_principal(request) if error.status != 401 else None
    key = {403: "forbidden", 404: "not_found"}.get(error.status)
    page = render(request, "error.html", {"message_key": key, "error": error}, who, status=error.status)
    if "retry_after" in error.refusal.extra:  # a busy or full database (503), as the API says it
        page.headers["Retry-After"] = str(error.refusal.extra["retry_after"])
    return page


def signed_in(request: Request) -> Principal:
    """Raises: NotSignedIn (the page handler sends the user to the sign-in form)."""
    who = session_principal(request)
    if who is None:
        raise NotSignedIn()
    return who


def page_principal(request: Request) -> Principal:
    """Raises: NotSignedIn; AccessDenied (`password_change_required`: the handler sends the user to /password)."""
    who = signed_in(request)
    require_own_password(request, who)
    return who


Who = Annotated[Principal, Depends(page_principal)]
SignedIn = Annotated[Principal, Depends(signed_in)]


async def checked_form(request: Request) -> FormData:
    """The submitted form, after its CSRF token matched the session's.

    Raises:
        AccessDenied: the token is missing or stale (the page says to reload and submit again).
    """
    form = await request.form()
    session = session_of(request)
    token = form.get("csrf_token")
    if session is None or not session.csrf_ok(token if isinstance(token, str) else None):
        raise AccessDenied("csrf_failed", "the form expired")
    return form


def _scoped(request: Request, who: Principal) -> ScopedKetnap:
    return ScopedKetnap(state_of(request).ketnap, who)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot send anyone elsewhere."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


# --- signing in ------------------------------------------------------------------------------------------------

@router.get("/login")
def login_form(request: Request) -> Response:
    target = _safe_next(request.query_params.get("next"))
    return render(request, "login.html", {"next": target, "failed": False, "username": ""})


@router.post("/login")
async def login(request: Request) -> Response:
    try:
        form = await checked_form(request)
    except AccessDenied:
        return render(request, "login.html", {"next": "/", "failed": False, "username": "", "expired": True},
                      status=400, session=state_of(request).sessions.new(None))
    username, password = str(form.get("username") or "")[:200], str(form.get("password") or "")[:1000]
    target = _safe_next(str(form.get("next") or "/"))
    address = request.client.host if request.client else None  # the peer: a proxy must not be trusted blindly
    try:
        user = await run_in_threadpool(throttle.sign_in, state_of(request).ketnap, username, password, address)
    except throttle.SignInThrottled as err:
        page = render(request, "login.html", {"next": target, "failed": False, "username": username,
                                              "throttled": err}, status=429)
        page.headers["Retry-After"] = str(err.retry_after)
        return page
    if user is None:
        return render(request, "login.html", {"next": target, "failed": True, "username": username}, status=401)
    await _end_session(request)  # a new id at every sign-in: a cookie planted before it is worth nothing
    response = _redirect(PASSWORD_PAGE if user.must_change_password else target)
    session_id = await run_in_threadpool(sessions.start, state_of(request).ketnap, user.id)
    _set_session(request, response, state_of(request).sessions.new(session_id))
    return response


async def _end_session(request: Request) -> None:
    session = session_of(request)
    if session is not None and session.session_id is not None:
        await run_in_threadpool(sessions.end, state_of(request).ketnap, session.session_id)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    await _end_session(request)
    response = _redirect("/login")
    _set_session(request, response, state_of(request).sessions.new(None))
    return response


@router.get(PASSWORD_PAGE)
def password_form(request: Request, who: SignedIn) -> Response:
    return render(request, "password.html", {"problem": None, "done": request.query_params.get("done") == "1",
                                             "min_length": state_of(request).settings.min_password_length}, who)


@router.post(PASSWORD_PAGE)
async def change_password(request: Request, who: SignedIn) -> Response:
    """Current password and the new one twice; the other sessions of the user end (workflow/sessions.py)."""
    form = await checked_form(request)
    current, new = str(form.get("current_password") or "")[:1000], str(form.get("new_password") or "")[:1000]
    labels, live = Labels(lang_of(request)), live_session(request)
    address = request.client.host if request.client else None
    problem, status, retry_after = None, 422, None
    if new != str(form.get("new_password_again") or "")[:1000]:
        problem = labels.t("passwords_differ")
    else:
        try:
            await run_in_threadpool(sessions.change_password, state_of(request).ketnap, who.user, current, new,
                                    address, live.id if live else None)
        except throttle.SignInThrottled as err:
            problem = err.message_vi if labels.lang == "vi" else str(err)
            status, retry_after = 429, err.retry_after
        except AccessDenied:
            problem = labels.t("wrong_current_password")
        except WeakPassword as err:
            problem = err.message_vi if labels.lang == "vi" else err.message_en
        except accounts.AccountError:
            problem = labels.t("password_unchanged")
    if problem is None:
        return _redirect(f"{PASSWORD_PAGE}?done=1")
    page = render(request, "password.html", {"problem": problem, "done": False,
                                             "min_length": state_of(request).settings.min_password_length},
                  who, status=status)
    if retry_after is not None:
        page.headers["Retry-After"] = str(retry_after)
    return page


# --- dashboard and lists ---------------------------------------------------------------------------------------

@router.get("/")
def dashboard(request: Request, who: Who, overdue_after: str = "", due_after: str = "") -> Response:
    """A page of what is overdue and a page of what falls due soon, each with its count and its own "next" link
    (a cursor each: paging one list leaves the other where it was)."""
    s = _scoped(request, who)
    settings = state_of(request).settings
    days, size = settings.dashboard_days, settings.page_size
    today = s.app.today()
    try:
        overdue = s.deadlines(overdue=True, limit=size, cursor=overdue_after[:2000] or None)
        due = s.deadlines(until=today + timedelta(days=days), upcoming=True, limit=size,
                          cursor=due_after[:2000] or None)
    except BadCursor:  # an edited link: the first pages
        return _redirect("/")
    return render(request, "dashboard.html", {
        "overdue": overdue, "due": due, "overdue_after": overdue_after, "due_after": due_after,
        "days": days, "today": today, "counts": s.stage_counts(), "stages": list(STAGES)}, who)


@router.get("/candidates")
def candidates(request: Request, who: Who, stage: str = "", q: str = "", org: str = "",
               offset: str = "0") -> Response:
    s = _scoped(request, who)
    size = state_of(request).settings.page_size
    org_code = org if org and who.sees(org) else None
    stage_name = stage if stage in STAGES else None
    page = s.candidates(CandidateFilter(org=org_code, stage=stage_name, q=q[:200] or None, limit=size,
                                        offset=_offset(offset)))
    incoming = s.incoming_transfers(size) if page.offset == 0 and not (org_code or stage_name or q) else []
    return render(request, "candidates.html", {
        "page": page, "incoming": incoming, "counts": s.stage_counts(org_code), "stage": stage_name or "", "q": q[:200],
        "org": org_code or "", "orgs": s.org_choices(org_code), "stages": list(STAGES)}, who)


def _offset(raw: str) -> int:
    return max(0, min(int(raw), 10_000_000)) if raw.strip().isdigit() else 0


# --- one candidate ---------------------------------------------------------------------------------------------

@dataclass
class FormState:
    """A form sent back: what was typed, and why it was refused or could not be recorded."""

    step: str
    values: dict[str, Any] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    conflict: str | None = None
    message: str | None = None
    code: str | None = None  # the refusal's code in workflow/refusals.py

    def refused(self, refusal: Refusal) -> None:
        """Reasons go next to their fields, a conflict shows the version now stored, anything else its message."""
        self.code = refusal.code
        if refusal.code == "version_conflict":
            self.conflict = str(refusal.extra["actual_version"])
        elif refusal.code == "rule_violation":
            self.violations = refusal.violations
        else:
            self.message = refusal.message

    def by_field(self) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for v in self.violations:
            found.setdefault(field_key(v.get("field")), []).append(v)
        return found


# The refusals a step's form shows next to what was typed; every other one gets the error page.
ON_THE_FORM = frozenset({"rule_violation", "version_conflict", "step_not_allowed", "out_of_scope",
                         "idempotency_key_reused"})


def _refusal(err: Exception) -> Refusal:
    found = refusal_for(err)
    assert found is not None, "the caller catches only errors of the table"
    return found


def _candidate_context(s: ScopedKetnap, candidate_id: str, sent: FormState | None,
                       correct: object = None) -> dict[str, Any]:
    result, branch = s.show_with_org(candidate_id)
    c = result.candidate
    incoming = (c.pending_transfer or {}).get("to_org")  # issue 13: the receiving branch records the reception

    def writes(step: str) -> bool:  # a branch that ended is only read
        return s.who.writes(incoming if step in RECORDED_AT_NAMED_ORG else branch)

    today = s.app.today()
    deadlines = [{"kind": d.kind, "due_on": d.due_on, "rule_set": d.rule_set,
                  "left": s.app.calendar.working_days_between(today, d.due_on), "overdue": d.due_on < today}
                 for d in c.open_deadlines()]
    steps = [{"step": a.step, "moves_to": a.moves_to, "ready": a.ready,
              "missing": [v.as_dict() for v in a.missing],
              "may_record": writes(a.step) and s.who.may_record(a.step),
              "owners": owners(a.step),
              "form": forms.step_form(a.step)} for a in result.allowed]
    return {"c": c, "events": result.events, "steps": steps, "deadlines": deadlines, "today": today,
            "sent": sent, "fix": _correction(s.who, result.events, correct),
            "org_codes": sorted(code for code in s.who.scope if s.who.writes(code)),  # the scope, in memory
            "papers": papers_of(result.events, s.app.organisations.history_log(), s.app.rulebook,
                                s.app.settings.documents),  # issue 12: a document per step that has a form
            "guidance": _guidance(s, result.events),
            **_branches(s, c, result.events, today)}


def _guidance(s: ScopedKetnap, events: list[Event]) -> dict[int, str | None]:
    """Each event's guidance next to its rule set on the timeline (DOMAIN.md section 7 caveat): its stamp, or
    for an event recorded before the stamp existed, the guidance in force on its date."""
    return {e.version: s.app.rulebook.guidance_of(e) for e in events}


def _correction(who: Principal, events: list[Event], picked: object) -> dict[str, Any]:
    """The correction panel: the steps this user may correct (those their role records) and, once one is picked,
    its inputs filled from the record."""
    target = correction_form.target_of(events, picked)
    target = target if target is not None and who.may_record(target.type) else None
    return {"choices": [e for e in correction_form.correctable(events) if who.may_record(e.step)], "target": target,
            "inputs": correction_form.inputs(target.type) if target else [],
            "filled": correction_form.form_values(correction_form.recorded(events, target)) if target else {}}


def _branches(s: ScopedKetnap, c: Candidate, events: list[Event], today: date) -> dict[str, Any]:
    """The branch now and at each step's date, named as it was then (issue 10, item 4)."""
    history = s.app.organisations.history_log()
    now = placement_on(history, c.id, c.org, today) if c.org else None
    return {"branch_now": now, "branches": placements(history, events)}


@router.get("/candidates/new")
def new_candidate(request: Request, who: Who) -> Response:
    who.require_step("identify")
    s = _scoped(request, who)
    return render(request, "new_candidate.html", {"form": forms.step_form("identify"), "sent": None,
                                                  "today": s.app.today(), "org_codes": _branch_codes(s)}, who)


def _branch_codes(s: ScopedKetnap) -> list[str]:
    return [o.code for o in s.orgs() if o.level in ("branch", "grassroots")]


@router.post("/candidates/new")
async def create_candidate(request: Request, who: Who) -> Response:
    form = await checked_form(request)
    s = _scoped(request, who)
    sent, on, fields = _read_step_form("identify", form)
    if not sent.violations and on is not None:
        try:
            result = await run_in_threadpool(s.record, None, known_step("identify"), on, fields, None, "web",
                                             forms.form_token(form))
            return _redirect(f"/candidates/{result.candidate.id}?done=identify")
        except (RuleViolation, AccessDenied, IdempotencyKeyReused) as err:  # the form comes back (422), reasons shown
            refusal = _refusal(err)
            if isinstance(err, AccessDenied):
                sent.code, sent.violations = refusal.code, [_not_yours("org", str(fields.get("org")), err)]
            else:
                sent.refused(refusal)
    return render(request, "new_candidate.html", {"form": forms.step_form("identify"), "sent": sent,
                                                  "today": s.app.today(), "org_codes": _branch_codes(s)},
                  who, status=422)


@router.get("/candidates/{candidate_id}")
def candidate_page(request: Request, who: Who, candidate_id: str) -> Response:
    s = _scoped(request, who)
    context = _candidate_context(s, candidate_id[:64], None,
                                 request.query_params.get("correct"))
    viewed(request, who, "candidate_page", candidate_id[:64])
    done = request.query_params.get("done")
    done = done if done in STEPS else None
    events = context["events"]
    warnings = ([v.as_dict() for v in warnings_of_latest(events, s.app.rulebook)]
                if done and events and events[-1].type == done else [])
    return render(request, "candidate.html", {**context, "done": done, "warnings": warnings}, who)


@router.get("/candidates/{candidate_id}/documents/{which}")
def candidate_document(request: Request, who: Who, candidate_id: str, which: str, version: int | None = None,
                       format: Annotated[str, Query(pattern="^(docx|pdf|html)$")] = "docx") -> Response:
    """A resolution or decision of the candidate's log (issue 12), in the page's scope: out of it is a 404."""
    s = _scoped(request, who)
    s.require_candidate(candidate_id[:64])
    doc = make_document(s.app, candidate_id[:64], which[:40], format[:8], version)
    return Response(doc.content, media_type=doc.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{doc.filename}"'})


def _read_step_form(step: str, form: FormData) -> tuple[FormState, date | None, dict[str, Any]]:
    sent = FormState(step, forms.submitted_values(form))
    fields, problems = forms.parse_form(step, form)
    on = forms.parse_date(str(form.get("on") or ""))
    if on is None:
        problems.insert(0, _on_problem(str(form.get("on") or "")))
    sent.violations = [v.as_dict() for v in problems]
    return sent, on, fields


def _not_yours(key: str, org: str, denied: AccessDenied) -> dict[str, Any]:
    """A branch outside the user's organisations, shown next to the field like any other reason."""
    return {"rule": denied.code, "field": key, "ref": rule_link("access"), "source": "ketnap (vai trò và phạm vi)",
            "message_vi": f"Tổ chức “{org}” không thuộc phạm vi của bạn.", "message_en": str(denied)}


def _on_problem(raw: str) -> Violation:
    if not raw.strip():
        return violation("field_missing", None, field="on")
    return forms.date_problem("on", raw)


@router.post("/candidates/{candidate_id}/steps/{step}")
async def record_step(request: Request, who: Who, candidate_id: str, step: str) -> Response:
    form = await checked_form(request)
    spec = known_step(step)  # before the form is read: its fields depend on the step
    s = _scoped(request, who)
    candidate_id = candidate_id[:64]
    if step == "correct":
        sent, on, fields = await run_in_threadpool(_read_correction, s, candidate_id, form)
    else:
        sent, on, fields = _read_step_form(step, form)
    expected = forms.version_number(form.get("expected_version"))
    status = 422
    if not sent.violations and on is not None:
        try:
            await run_in_threadpool(s.record, candidate_id, spec, on, fields, expected, "web", forms.form_token(form))
            return _redirect(f"/candidates/{candidate_id}?done={step}#done")
        except REFUSABLE as err:
            refusal = _refusal(err)
            if refusal.code not in ON_THE_FORM or refusal.http_status is None:
                raise
            status = refusal.http_status
            if isinstance(err, AccessDenied):  # out_of_scope: the organisation typed into `to_org`
                sent.code, sent.violations = refusal.code, [_not_yours("to_org", str(fields.get("to_org")), err)]
            else:
                sent.refused(refusal)
    context = await run_in_threadpool(_candidate_context, s, candidate_id, sent, form.get("corrects"))
    await run_in_threadpool(viewed, request, who, "candidate_page", candidate_id)
    return render(request, "candidate.html", {**context, "done": None}, who, status=status)


def _read_correction(s: ScopedKetnap, candidate_id: str, form: FormData
                     ) -> tuple[FormState, date | None, dict[str, Any]]:
    """A correction's form: only the values that differ from the record go into `fields` (issue 17, item 7)."""
    sent, on, _ = _read_step_form("correct", form)
    events = s.show(candidate_id).events
    target = correction_form.target_of(events, form.get("corrects"))
    fields: dict[str, Any] = {"corrects": form.get("corrects"), "reason": str(form.get("reason") or "").strip()}
    if target is not None:
        changed, problems = correction_form.changes(events, target, form)
        fields["fields"] = changed
        sent.violations += [v.as_dict() for v in problems]
    return sent, on, fields


# --- audit -----------------------------------------------------------------------------------------------------

@router.get("/audit")
def audit(request: Request, who: Who, candidate: str = "", q: str = "", as_of: str = "", known_at: str = "",
          verify: str = "") -> Response:
    who.require_role(Role.AUDITOR, Role.ADMIN)
    s = _scoped(request, who)
    as_of_date = forms.parse_date(as_of) if as_of else None
    known = _moment(known_at) if known_at else None
    context: dict[str, Any] = {"candidate_id": candidate[:64], "q": q[:200], "as_of": as_of[:40],
                               "known_at": known_at[:40], "bad_as_of": bool(as_of) and as_of_date is None,
                               "bad_known_at": bool(known_at) and known is None, "report": None, "state": None}
    if candidate:
        state, events = s.history(candidate[:64], as_of_date, known)
        viewed(request, who, "audit_history", candidate[:64])
        context.update(state=state, events=events, report=_verify(s, candidate[:64]),
                       branches=placements(s.app.organisations.history_log(), events),
                       guidance=_guidance(s, events))
    else:
        context["page"] = page = s.candidates(CandidateFilter(q=q[:200] or None, limit=20))
        if as_of_date or known:  # the list shows each stage on that date, not today's
            context["stages_then"] = {r["id"]: _stage_then(s, r["id"], as_of_date, known) for r in page.rows}
        if verify:
            context["report"] = _verify(s, None)
    return render(request, "audit.html", context, who)


def _stage_then(s: ScopedKetnap, candidate_id: str, as_of: date | None, known: datetime | None) -> str | None:
    state, _ = s.history(candidate_id, as_of, known)
    return state.stage.value if state.stage else None


def _verify(s: ScopedKetnap, candidate_id: str | None) -> dict[str, Any]:
    return verify_in_scope(s, candidate_id).as_dict()


def _moment(raw: str) -> datetime | None:
    """A moment typed day first (06/12/2026 23:37, or a day alone: its start) or in ISO, in Vietnam time unless
    it names its zone; the input is text, so the browser's locale cannot turn it into mm/dd."""
    text = raw.strip()
    day, _, clock = text.partition(" ")
    found = forms.parse_date(day) if "/" in day else None
    try:
        if found is not None:
            hour, _, minute = (clock or "00:00").partition(":")
            moment = datetime(found.year, found.month, found.day, int(hour), int(minute or 0))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


# --- the procedure ---------------------------------------------------------------------------------------------

@router.get("/procedure")
def procedure(request: Request, who: Who) -> Response:
    app = state_of(request).ketnap
    rules = app.rulebook.for_date(app.today())
    mermaid = machine_for(rules.id).diagram()
    steps = [{"step": spec.name, "allowed_in": spec.allowed_in, "moves_to": spec.moves_to, "form": spec.form,
              "summary": spec.summary_vi if lang_of(request) == "vi" else spec.summary, "owners": owners(spec.name)}
             for spec in STEPS.values()]
    return render(request, "procedure.html", {"svg": svg(mermaid, lang_of(request)), "mermaid": mermaid,
                                              "rule_set": rules.id, "steps": steps}, who)


# --- administration --------------------------------------------------------------------------------------------

def _admin_context(s: ScopedKetnap) -> dict[str, Any]:
    people = [u for u in accounts.all_users(s.app) if set(u.orgs) <= s.who.scope]
    return {"users": people, "orgs": s.orgs(), "tokens": {u.id: accounts.tokens(s.app, u.id) for u in people},
            "roles": [r.value for r in Role], "levels": ("province", "commune", "upper", "grassroots", "branch")}


@router.get("/admin")
def admin(request: Request, who: Who) -> Response:
    who.require_role(Role.ADMIN)
    return render(request, "admin.html", {**_admin_context(_scoped(request, who)), "problem": None,
                                          "saved": request.query_params.get("saved") == "1"}, who)


@router.post("/admin/users")
async def admin_add_user(request: Request, who: Who) -> Response:
    form = await checked_form(request)
    who.require_role(Role.ADMIN)
    s = _scoped(request, who)
    orgs = [o for o in form.getlist("orgs") if isinstance(o, str)]
    for code in orgs:
        who.require_org(code)
    # No password field: the user gets a temporary one, shown here once, changed at their first sign-in.
    return await _admin_action(request, s, accounts.add_user_with_temporary_password, s.app,
                               str(form.get("username") or "")[:64], str(form.get("role") or ""), orgs,
                               str(form.get("full_name") or "")[:300], shown=_temporary_password_shown)


def _temporary_password_shown(request: Request, s: ScopedKetnap, added: tuple[Any, str | None]) -> Response:
    user, temporary = added
    page = render(request, "admin.html", {**_admin_context(s), "problem": None, "saved": True,
                                          "issued": {"username": user.username, "password": temporary}}, s.who)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/admin/orgs")
async def admin_add_org(request: Request, who: Who) -> Response:
    form = await checked_form(request)
    who.require_role(Role.ADMIN)
    s = _scoped(request, who)
    parent = str(form.get("parent") or "")
    try:
        cmd = AddOrganisation(code=str(form.get("code") or "")[:64], name=str(form.get("name") or "")[:300],
                              level=str(form.get("level") or ""), parent=parent,
                              admits=form.get("admits") == "on")
    except ValueError as err:
        return render(request, "admin.html", {**_admin_context(s), "problem": str(err), "saved": False}, who,
                      status=422)
    return await _admin_action(request, s, s.add_org, cmd)


@router.post("/admin/tokens/{token_id}/revoke")
async def admin_revoke_token(request: Request, who: Who, token_id: int) -> Response:
    await checked_form(request)
    who.require_role(Role.ADMIN)
    s = _scoped(request, who)
    owner = accounts.token_owner(s.app, token_id)
    if owner is None or not accounts.admin_over(s.app, who, owner):
        raise OutOfScope(str(token_id))
    return await _admin_action(request, s, accounts.revoke_token, s.app, token_id)


async def _admin_action(request: Request, s: ScopedKetnap, action: Any, *args: Any, shown: Any = None) -> Response:
    """`shown(request, s, result)`, when given, answers instead of the redirect (what is shown only once)."""
    try:
        result = await run_in_threadpool(action, *args)
    except (accounts.AccountError, ValueError) as err:
        return render(request, "admin.html", {**_admin_context(s), "problem": str(err), "saved": False}, s.who,
                      status=422)
    except Exception as err:
        if api_error(err) is None:
            raise
        return render(request, "admin.html", {**_admin_context(s), "problem": str(err), "saved": False}, s.who,
                      status=422)
    return shown(request, s, result) if shown else _redirect("/admin?saved=1")

