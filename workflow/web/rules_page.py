"""/rules: the rule reference (workflow/rule_reference.py) as a page, one anchored entry per rule id, so every
refusal can link to the rule it cites."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from workflow.rule_reference import CATALOGUES, sections
from workflow.web.context import state_of
from workflow.web.pages import Who, render

router = APIRouter(include_in_schema=False)


@router.get("/rules")
def rules(request: Request, who: Who) -> Response:
    rulebook = state_of(request).ketnap.rulebook
    return render(request, "rules.html", {"sections": sections(rulebook), "rule_sets": rulebook.versions,
                                          "catalogues": {c.key: c.title for c in CATALOGUES}}, who)
