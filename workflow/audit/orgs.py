"""The organisation history for an audit, read once: each step is re-checked with the tree of its own date
(states/organisations.py), so a decision taken by a district committee before the district was dissolved stays
valid, and one dated after it is flagged. Also the organisation log's own checks: its hash chains, and the
`organisation` projection against a replay of the log."""

from dataclasses import replace
from itertools import groupby

from sqlalchemy import Connection

from states.candidate import Candidate
from states.events import Event
from states.organisations import OrgHistory
from states.step import OrgFacts
from storage import organisations
from workflow.audit.chain import check_stream
from workflow.audit.findings import Finding
from workflow.facts import NEEDS_AUTHORITY, NEEDS_ORG_LEVEL, facts_for

ORG_PROJECTION = "org_projection_differs"


class OrgDirectory:
    def __init__(self, history: OrgHistory, events: list[Event] | None = None) -> None:
        self.history = history
        self.latest = history.latest()
        self.events = events or []
        self._facts: dict[tuple[int, str | None, str | None], OrgFacts] = {}

    @classmethod
    def load(cls, conn: Connection) -> "OrgDirectory":
        events = organisations.load_events(conn)
        return cls(organisations.history_of(events), events)

    def knows(self, code: str) -> bool:
        return code in self.latest.orgs

    def scope(self, root: str) -> set[str]:
        """The organisations under `root` now, those that ended under it (dissolved, split or merged away: their
        candidates belonged to it, as `Tree.within` lets its readers see), and those that ended into them
        (their candidates came along)."""
        inside = self.latest.within([root])
        return inside | {code for code, org in self.latest.orgs.items()
                         if org.ended and self.latest.current(code) in inside}

    def placed(self, candidate: Candidate) -> Candidate:
        """The candidate as the lists show them: under the branch a merge or split carried them to."""
        home = self.latest.current(candidate.org, candidate.id) if candidate.org else candidate.org
        return candidate if home == candidate.org else replace(candidate, org=home)

    def facts_for(self, event: Event, before: Candidate) -> OrgFacts:
        """What `workflow.facts.facts_for` worked out when the step was recorded, from the tree of its date.

        Built once per (tree, named organisation, candidate's branch): every event of an audit asks. Only
        organisations in the log are kept, so codes found nowhere else cannot make the memory grow with it."""
        tree = self.history.tree_on(event.effective_on)
        key = NEEDS_ORG_LEVEL.get(event.type)
        named = str(event.payload.get(key, "")) if key is not None else None
        own = tree.current(before.org, before.id) if event.type in NEEDS_AUTHORITY and before.org else None
        memo = (self.history.epoch(event.effective_on), named, own)
        found = self._facts.get(memo)
        if found is None:
            fields = {key: named} if key is not None else {}
            found = facts_for(tree, event.type, fields, replace(before, org=own) if own else before)
            if all(code is None or code in self.latest.orgs for code in memo[1:]):
                self._facts[memo] = found
        return found


def org_log_findings(conn: Connection, directory: OrgDirectory) -> list[Finding]:
    """Breaks in the organisation streams' hash chains, and organisation rows that differ from the log."""
    found: list[Finding] = []
    for _, stream in groupby(sorted(directory.events, key=lambda e: (e.stream_id, e.version)),
                             key=lambda e: e.stream_id):
        found += [replace(f, stream_id=f"org:{f.stream_id}") for f in check_stream(list(stream))]
    rows = {o.code: organisations.projected_values(o) for o in organisations.all_orgs(conn)}
    for code, org in sorted(directory.latest.orgs.items()):
        expected = organisations.projected_values(org)
        if rows.pop(code, None) != expected:
            found.append(Finding(ORG_PROJECTION, f"org:{code}", None,
                                 "the organisation row differs from a replay of its log",
                                 {"expected": {k: str(v) for k, v in expected.items()}}))
    for code in sorted(rows):
        found.append(Finding(ORG_PROJECTION, f"org:{code}", None, "an organisation row with no event in the log"))
    return found
