"""Organisation facts a step needs, worked out from the tree in force on the step's date (states/organisations.py)
before deciding, so that states/ stays free of I/O. The audit asks the same function with the tree of each
event's date, so a step is judged and re-checked alike."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from states.candidate import Candidate
from states.decide import corrected_event, state_before
from states.errors import RuleViolation
from states.events import Event
from states.organisations import OrgHistory, Tree
from states.step import OrgFacts

NEEDS_ORG_LEVEL = {"identify": "org", "transfer": "to_org", "transfer_probationary": "to_org"}
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
        return OrgFacts(org_level=level, competent_body=body, committee_vote_required=required,
                        decides_as_grassroots=_grassroots(tree, body))
    return OrgFacts(org_level=level)


def step_facts(orgs: OrgHistory, step: str, on: date, fields: dict[str, Any], history: Sequence[Event],
               candidate: Candidate) -> OrgFacts:
    """The facts `step` is judged with. A correction re-judges the step it corrects, so it gets that step's facts
    (issue 11, item 8): the organisation the corrected fields name, in the tree of the corrected step's date, and
    who decided for the branch the candidate was in just before it, as the audit re-checks that step. A
    correction whose fields are malformed, or that names no event, gets its own (it is refused anyway)."""
    if step == "correct":
        try:
            found = corrected_event(history, fields)
        except RuleViolation:
            found = None
        if found is not None:
            target, changes = found
            merged = {**target.payload, **changes}
            return facts_for(orgs.tree_on(_corrected_on(merged, target)), target.type, merged,
                             state_before(history, target.version))
    return facts_for(orgs.tree_on(on), step, fields, candidate)


def _corrected_on(merged: dict[str, Any], target: Event) -> date:
    """The corrected step's date; a malformed one is refused by the correction itself, so any date will do."""
    try:
        return date.fromisoformat(str(merged["on"])) if "on" in merged else target.effective_on
    except ValueError:
        return target.effective_on


def _grassroots(tree: Tree, body: str | None) -> bool:
    """V3: whether the deciding committee is a grassroots committee (one authorised to admit, as it decides)."""
    org = tree.living(body) if body else None
    return org is not None and org.level == "grassroots"


def authority(tree: Tree, candidate: Candidate) -> OrgFacts:
    """Who decides for the candidate's branch in `tree` (for the list of next steps)."""
    if not candidate.org:
        return OrgFacts()
    body, required = tree.competent_body(tree.current(candidate.org, candidate.id))
    return OrgFacts(competent_body=body, committee_vote_required=required,
                    decides_as_grassroots=_grassroots(tree, body))
