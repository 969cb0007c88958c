"""The organisation tree on the HTTP API: the tree as of a date, one organisation, its history, and recording
changes (issue 10, items 2 and 7). The JSON forms are workflow/organisations.py's, the same as `ketnap org ...
--json`; who may record a change is workflow/access.py's rule.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from workflow.commands import ChangeOrganisation
from workflow.documents import org_doc, org_event_doc, org_view_doc, restructuring_doc
from workflow.organisations import change_of
from workflow.scoped import ScopedKetnap
from workflow.web.api import Json
from workflow.web.context import scoped, scoped_writer

router = APIRouter(prefix="/api/orgs", default_response_class=Json, tags=["organisations"])
Scoped = Annotated[ScopedKetnap, Depends(scoped)]
Writing = Annotated[ScopedKetnap, Depends(scoped_writer)]
Code = Annotated[str, Path(min_length=1, max_length=64)]
AsOf = Annotated[date | None, Query(description="The tree in force on this date (default: every recorded change "
                                                "applied, as `ketnap org list` shows it)")]


class OrgChangesIn(BaseModel):
    """Changes of the tree decided together (one decision, or a whole restructuring): all recorded, or none."""

    model_config = ConfigDict(extra="forbid")
    changes: list[ChangeOrganisation] = Field(min_length=1, max_length=2000, examples=[[
        {"kind": "merged", "code": "CB-02", "into": "CB-01", "on": "2025-07-01", "decision": "125-QĐ/ĐU",
         "issuer": "Đảng ủy xã Tân Lập"}]])
    dry_run: bool = Field(default=False, description="Judge and show what would change; record nothing")


@router.get("", summary="The organisations the caller reads, as of a date; ended ones marked, with successors")
def org_list(s: Scoped, as_of: AsOf = None) -> dict[str, Any]:
    _, orgs = s.org_tree(as_of)
    return {"as_of": as_of, "organisations": [{**org_doc(o), "ended": o.ended} for o in orgs]}


@router.get("/{code}", summary="One organisation as of a date: its parents, children, who decides admissions for "
                               "its branches, its predecessors and successors")
def org_show(code: Code, s: Scoped, as_of: AsOf = None) -> dict[str, Any]:
    org = s.org(code)
    tree, _ = s.org_tree(as_of)
    return org_view_doc(tree, org, as_of)


@router.get("/{code}/history", summary="Every change of an organisation with its decision, and the merges and "
                                       "splits that made it a successor")
def org_history(code: Code, s: Scoped) -> dict[str, Any]:
    org, events = s.org_history(code)
    return {"organisation": org_doc(org), "changes": [org_event_doc(e) for e in events]}


@router.post("/changes", status_code=201,
             summary="Record changes of the tree (an admin of the upper level, before and after each change)",
             responses={200: {"description": "dry_run: what would change, nothing recorded"},
                        403: {"description": "org_change_forbidden: every reason, each with its rule"},
                        422: {"description": "rule_violation: every refused change, each reason with its rule"}})
def org_changes(body: OrgChangesIn, s: Writing, response: Response) -> dict[str, Any]:
    result = s.change_orgs([change_of(c) for c in body.changes], body.dry_run)
    if body.dry_run:
        response.status_code = 200
    return restructuring_doc(result)
