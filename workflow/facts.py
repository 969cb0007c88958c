"""Organisation facts a step needs, worked out from the tree in force on the step's date (states/organisations.py)
before deciding, so that states/ stays free of I/O. The audit asks the same function with the tree of each
event's date, so a step is judged and re-checked alike."""

from typing import Any

from states.candidate import Candidate
from states.organisations import Tree
from states.step import OrgFacts

NEEDS_ORG_LEVEL = {"identify": "org", "transfer": "to_org"}
NEEDS_AUTHORITY = frozenset({"decide_admission", "recognise_official", "correct"})


def facts_for(tree: Tree, step: str, fields: dict[str, Any], candidate: Candidate) -> OrgFacts:
    """The level of the organisation a step names (None when it does not exist on the step's date) and, for
    the steps that need it, who decides for the candidate's branch on that date."""
    level = None
    key = NEEDS_ORG_LEVEL.get(step)
    if key is not None:
        org = tree.living(str(fields.get(key, "")))
        level = org.level if org else None
    if step in NEEDS_AUTHORITY and candidate.org:
        body, required = tree.competent_body(tree.current(candidate.org, candidate.id))
        return OrgFacts(org_level=level, competent_body=body, committee_vote_required=required)
    return OrgFacts(org_level=level)


def authority(tree: Tree, candidate: Candidate) -> OrgFacts:
    """Who decides for the candidate's branch in `tree` (for the list of next steps)."""
    if not candidate.org:
        return OrgFacts()
    body, required = tree.competent_body(tree.current(candidate.org, candidate.id))
    return OrgFacts(competent_body=body, committee_vote_required=required)
