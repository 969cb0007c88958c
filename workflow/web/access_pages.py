"""`/audit/access`: the read-access log for auditors, filtered by candidate, user and date, a page at a time."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from workflow import access_log
from workflow.web.context import state_of
from workflow.web.pages import Who, lang_of, render

router = APIRouter(include_in_schema=False)


def _offset(raw: str) -> int:
    return max(0, min(int(raw), 10_000_000)) if raw.strip().isdigit() else 0


@router.get("/audit/access")
async def access_page(request: Request, who: Who, candidate: str = "", user: str = "", since: str = "",
                      offset: str = "0") -> Response:
    """Who saw which file; only auditors, and only the rows of their organisations (workflow/access.py)."""
    moment = access_log.since(since) if since.strip() else None
    app = state_of(request).ketnap
    page = await run_in_threadpool(
        access_log.read, app, who, candidate_id=candidate.strip()[:64] or None, actor=user.strip()[:200] or None,
        since=moment, limit=state_of(request).settings.page_size, offset=_offset(offset))
    lang = lang_of(request)
    rows: list[dict[str, Any]] = [{**r, "when": access_log.local_time(r["at"]),
                                   "view_label": access_log.label(r["view"], lang)} for r in page.rows]
    return render(request, "audit_access.html", {
        "page": page, "rows": rows, "candidate": candidate[:64], "user": user[:200], "since": since[:20],
        "bad_since": bool(since.strip()) and moment is None, "zone": access_log.ZONE_NOTE}, who)
