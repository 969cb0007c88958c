"""Organisation facts for re-checking old steps, from the organisation table loaded once (it is small), so
that the org checks of `recheck` are real and cost no query per event."""

from collections.abc import Iterable
from functools import cache

from sqlalchemy import Connection

from states.candidate import Candidate
from states.events import Event
from states.step import OrgFacts
from storage import organisations
from storage.organisations import Organisation
from workflow.facts import NEEDS_AUTHORITY, NEEDS_ORG_LEVEL, competent_body


class OrgDirectory:
    def __init__(self, orgs: Iterable[Organisation]) -> None:
        self.by_code = {o.code: o for o in orgs}
        self._authority = cache(self._compute_authority)
        self._facts: dict[tuple[str | None, str | None], OrgFacts] = {}

    @classmethod
    def load(cls, conn: Connection) -> "OrgDirectory":
        return cls(organisations.all_orgs(conn))

    def chain(self, code: str, limit: int = 10) -> list[Organisation]:
        """The organisation and its parents, nearest first (as `organisations.ancestors`)."""
        found: list[Organisation] = []
        current = self.by_code.get(code)
        while current is not None and len(found) < limit:
            found.append(current)
            current = self.by_code.get(current.parent_code) if current.parent_code else None
        return found

    def subtree(self, root: str) -> set[str]:
        return {code for code in self.by_code if any(o.code == root for o in self.chain(code, limit=50))}

    def _compute_authority(self, code: str) -> tuple[str | None, bool]:
        return competent_body(self.chain(code))

    def facts_for(self, event: Event, before: Candidate) -> OrgFacts:
        """What `workflow.facts.facts_for` looked up when the step was recorded, from today's tree.

        They depend only on the organisation the step names and the candidate's own (for the steps that read
        each), so each pair is built once: every event of an audit asks. Only pairs of organisations in the
        tree are kept, so that codes found nowhere else in the log cannot make the memory grow with it."""
        key = NEEDS_ORG_LEVEL.get(event.type)
        named = str(event.payload.get(key, "")) if key is not None else None
        own = before.org if event.type in NEEDS_AUTHORITY and before.org else None
        memo = (named, own)
        found = self._facts.get(memo)
        if found is None:
            found = self._facts_of(named, own)
            if all(code is None or code in self.by_code for code in memo):
                self._facts[memo] = found
        return found

    def _facts_of(self, named: str | None, own: str | None) -> OrgFacts:
        org = self.by_code.get(named) if named is not None else None
        level = org.level if org else None
        if own is not None:
            body, required = self._authority(own)
            return OrgFacts(org_level=level, competent_body=body, committee_vote_required=required)
        return OrgFacts(org_level=level)
