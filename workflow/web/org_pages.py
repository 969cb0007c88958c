"""The organisation pages (issue 10): the tree as of a date, and one organisation as of a date with its parents,
who decides admissions for its branches then, what came before and after it, and its history. An admin of the
upper level also gets a form for one change; whether they may record it is decided by workflow/access.py when
it is sent, and a refusal comes back on the same page, each reason with its rule.

Dates default to today (a change recorded ahead of its effective date shows from that date on).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from states import labels
from states.catalogue import rule_link
from states.field_errors import explain
from states.organisations import CHANGE_KINDS, LEVELS, SINCE_ALWAYS, Organisation
from workflow.access import Principal
from workflow.commands import ChangeOrganisation
from workflow.organisations import Restructuring, change_of
from workflow.refusals import REFUSABLE, Refusal, refusal_for, rule_problem
from workflow.scoped import ScopedKetnap
from workflow.web import forms
from workflow.web.context import state_of
from workflow.web.pages import Who, checked_form, render

router = APIRouter(include_in_schema=False)
FORM_FIELDS = ("kind", "code", "on", "decision", "issuer", "name", "level", "parent", "admits", "into", "parts",
               "org_type", "dry_run")
INPUT = {"ref": rule_link("organisation-changes"), "source": "ketnap (dữ liệu nhập)"}


@dataclass
class ChangeForm:
    """A change form sent back: what was typed, why it was refused, or what it would do (a preview)."""

    values: dict[str, str] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    preview: Restructuring | None = None


def _scoped(request: Request, who: Principal) -> ScopedKetnap:
    return ScopedKetnap(state_of(request).ketnap, who)


def _as_of(s: ScopedKetnap, raw: str) -> tuple[date, bool]:
    """The date asked for, or today; True when what was typed is not a date."""
    day = forms.parse_date(raw[:40]) if raw else None
    return (day or s.app.today()), bool(raw) and day is None


def _tree_rows(visible: list[Organisation]) -> list[tuple[Organisation, int]]:
    """Parents first, each followed by what is under it, ended organisations under the parent they had when
    they ended; depth for the indentation."""
    codes = {o.code for o in visible}
    under: dict[str | None, list[Organisation]] = {}
    for org in visible:
        under.setdefault(org.parent_code if org.parent_code in codes else None, []).append(org)
    rows: list[tuple[Organisation, int]] = []
    todo = [(org, 0) for org in sorted(under.get(None, []), key=lambda o: o.code, reverse=True)]
    while todo:
        org, depth = todo.pop()
        rows.append((org, depth))
        children = sorted(under.get(org.code, []), key=lambda o: (o.ended, o.code), reverse=True)
        todo += [(child, depth + 1) for child in children]
    return rows


@router.get("/orgs")
def org_list(request: Request, who: Who, as_of: str = "") -> Response:
    s = _scoped(request, who)
    day, bad = _as_of(s, as_of)
    tree, orgs = s.org_tree(day)
    return render(request, "orgs.html", {"rows": _tree_rows(orgs), "tree": tree, "day": day,
                                         "bad_as_of": bad, "visible": {o.code for o in orgs}}, who)


def _org_context(s: ScopedKetnap, code: str, day: date, sent: ChangeForm | None) -> dict[str, Any]:
    org = s.org(code)
    _, events = s.org_history(code)
    tree, visible = s.org_tree(day)
    latest = s.app.organisations.tree()
    shown = tree.get(code)
    body, vote = tree.decides_for_branches(code)
    return {
        "org": shown or org, "latest": org, "day": day, "not_yet": shown is None,
        "gone": shown is not None and shown.ended, "tree": tree, "latest_tree": latest,
        "founded": None if org.founded_on == SINCE_ALWAYS else org.founded_on,
        "chain": list(reversed(tree.chain(code)[1:])), "children": [tree.orgs[c] for c in tree.children(code)],
        "body": body, "vote": vote, "events": events, "since_always": SINCE_ALWAYS,
        "visible": {o.code for o in visible}, "counts": s.stage_counts(code), "sent": sent,
        "may_change": s.may_change_org(code), "kinds": CHANGE_KINDS, "levels": LEVELS,
        "codes": sorted(o.code for o in visible if not o.ended), "org_types": s.app.settings.org_types,
    }


@router.get("/orgs/{code}")
def org_page(request: Request, who: Who, code: str, as_of: str = "") -> Response:
    s = _scoped(request, who)
    day, bad = _as_of(s, as_of)
    done = request.query_params.get("done")
    context = _org_context(s, code[:64], day, None)
    return render(request, "org.html", {**context, "bad_as_of": bad,
                                        "done": done if done in CHANGE_KINDS else None}, who)


def _problems(err: ValidationError) -> list[dict[str, Any]]:
    found = []
    for e in err.errors():
        where = ".".join(str(p) for p in e.get("loc", ())) or None
        found.append(rule_problem(e, where) or {
            "rule": "invalid_input", "field": where, "message_en": f"{where}: {e.get('msg')}",
            "message_vi": f"“{labels.field(where or '').vi}” không hợp lệ: {explain(e).vi}.", **INPUT})
    return found


def _parts(raw: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """`PART=SUCCESSOR` lines (a split), as `ketnap org split --part` takes them."""
    parts: dict[str, str] = {}
    problems = []
    for line in (x.strip() for x in raw.splitlines()):
        key, sep, value = line.partition("=")
        if line and (not sep or not key.strip() or not value.strip()):
            problems.append({"rule": "invalid_input", "field": "parts", "message_en": f"{line!r} is not "
                             "PART=SUCCESSOR", "message_vi": f"Dòng “{line}” không có dạng MÃ=MÃ KẾ TỤC.", **INPUT})
        elif line:
            parts[key.strip()] = value.strip()
    return parts, problems


def _command(values: Mapping[str, str], sent: ChangeForm) -> ChangeOrganisation | None:
    """The validated command, or None with every problem of the input on `sent`."""
    parts, sent.violations = _parts(values.get("parts", ""))

    def optional(key: str) -> str | None:
        return values.get(key) or None

    try:
        cmd = ChangeOrganisation(
            kind=values.get("kind", ""), code=values.get("code", ""), on=_iso(values.get("on")),
            decision=values.get("decision", ""), issuer=values.get("issuer", ""), name=optional("name"),
            level=optional("level"), parent=optional("parent"), into=optional("into"), parts=parts,
            org_type=optional("org_type"),
            admits={"yes": True, "no": False}.get(values.get("admits", "")))
    except ValidationError as err:
        sent.violations += _problems(err)
        return None
    return None if sent.violations else cmd


def _iso(raw: str | None) -> str | None:
    """The date typed as dd/mm/yyyy (the page's date inputs are text) in ISO for the command; anything else as
    typed, for the command to refuse."""
    day = forms.parse_date(raw)
    return day.isoformat() if day else (raw or None)


def _values(form: FormData) -> dict[str, str]:
    found = {}
    for key in FORM_FIELDS:
        value = form.get(key)
        found[key] = value.strip()[: 20_000 if key == "parts" else 300] if isinstance(value, str) else ""
    return found


# The refusals the change form shows on the page (each reason with its rule); any other gets the error page.
ON_THE_FORM = frozenset({"rule_violation", "org_change_forbidden", "org_ended", "read_only", "version_conflict",
                         "organisation_refused"})
# Refusals that carry no reasons of their own, said in Vietnamese too.
PLAIN_VI = {"org_ended": "Tổ chức của bạn đã kết thúc: bạn chỉ còn quyền xem lịch sử.",
            "read_only": "Bạn chỉ có quyền xem.",
            "version_conflict": "Vừa có người ghi một thay đổi khác: tải lại trang rồi gửi lại.",
            "organisation_refused": "Không tìm thấy tổ chức."}


def _reasons(refusal: Refusal) -> list[dict[str, Any]]:
    """The refusal's reasons, or the refusal itself as one reason, named by its code (workflow/refusals.py)."""
    if refusal.violations:
        return refusal.violations
    return [{"rule": refusal.code, "field": None, "ref": rule_link("organisation-changes"), "source": "ketnap",
             "message_vi": PLAIN_VI.get(refusal.code, refusal.message), "message_en": refusal.message}]


@router.post("/orgs/{code}/changes")
async def org_change(request: Request, who: Who, code: str) -> Response:
    form = await checked_form(request)
    s = _scoped(request, who)
    code = code[:64]
    await run_in_threadpool(s.org, code)  # outside the user's organisations: answered as not found
    sent = ChangeForm(_values(form))
    dry_run = sent.values["dry_run"] == "on"
    status = 422
    cmd = _command(sent.values, sent)
    if cmd is not None:
        try:
            who.require_writer()
            result = await run_in_threadpool(s.change_orgs, [change_of(cmd)], dry_run, "web")
            if not dry_run:
                return RedirectResponse(f"/orgs/{cmd.code}?as_of={cmd.on.isoformat()}&done={cmd.kind}",
                                        status_code=303)
            sent.preview, status = result, 200
        except REFUSABLE as err:
            refusal = refusal_for(err)
            if refusal is None or refusal.code not in ON_THE_FORM or refusal.http_status is None:
                raise
            sent.violations, status = _reasons(refusal), refusal.http_status
    context = await run_in_threadpool(_org_context, s, code, s.app.today(), sent)
    return render(request, "org.html", {**context, "bad_as_of": False, "done": None}, who, status=status)
