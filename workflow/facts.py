"""Organisation facts a step needs, looked up before deciding so that states/ stays free of I/O.

Who decides admissions for a branch (DOMAIN.md section 4, authority; QĐ29 §4.3.2, QĐ294 UNVERIFIED):
a grassroots committee authorised to admit decides for its branches, and then no separate committee vote
is needed (V3); otherwise the grassroots committee votes (V2) and the level above it decides.
"""

from typing import Any

from states.candidate import Candidate
from states.step import OrgFacts
from storage.organisations import Organisation
from storage.unit_of_work import Transaction

NEEDS_ORG_LEVEL = {"identify": "org", "transfer": "to_org"}
NEEDS_AUTHORITY = frozenset({"decide_admission", "recognise_official", "correct"})


def competent_body(chain: list[Organisation]) -> tuple[str | None, bool]:
    """(the deciding committee, whether a grassroots committee vote is required) for chain[0]'s candidates."""
    if not chain:
        return None, True
    own = chain[0]
    parent = chain[1] if len(chain) > 1 else None
    if own.level == "grassroots":
        return (own.code if own.admits else parent.code if parent else None), False
    if parent is None:
        return None, True
    if parent.level != "grassroots":
        return parent.code, False
    if parent.admits:
        return parent.code, False
    grandparent = chain[2] if len(chain) > 2 else None
    return (grandparent.code if grandparent else None), True


def facts_for(tx: Transaction, step: str, fields: dict[str, Any], candidate: Candidate) -> OrgFacts:
    """Only the steps whose guards read organisations pay for the look-ups."""
    level = None
    key = NEEDS_ORG_LEVEL.get(step)
    if key is not None:
        org = tx.org(str(fields.get(key, "")))
        level = org.level if org else None
    if step in NEEDS_AUTHORITY and candidate.org:
        body, required = competent_body(tx.ancestors(candidate.org))
        return OrgFacts(org_level=level, competent_body=body, committee_vote_required=required)
    return OrgFacts(org_level=level)
