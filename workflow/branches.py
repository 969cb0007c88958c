"""Where a candidate belonged on each step's date, named as the branch was called then (issue 10, item 4).

A candidate's stream is never rewritten: it names the branch where the candidate was identified or transferred
to. When that branch was later merged or split, the candidate was carried to the successor the change named;
the history shows both, so a reader sees why a step of August 2025 names a commune that did not exist in May.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from states.candidate import corrections_of
from states.events import Event
from states.organisations import OrgHistory


@dataclass(frozen=True)
class BranchOn:
    """The branch a candidate belonged to on one day, as it was called that day."""

    on: date
    code: str
    name: str
    recorded: str  # the branch the candidate's stream names
    carried_by: str | None = None  # "merged" or "split", when a change carried them from `recorded`
    carried_on: date | None = None

    @property
    def carried(self) -> bool:
        return self.code != self.recorded


def branch_on(history: OrgHistory, candidate_id: str, recorded: str, day: date) -> BranchOn:
    """Where the candidate recorded under `recorded` belonged on `day` (merges and splits followed)."""
    tree = history.tree_on(day)
    code = tree.current(recorded, candidate_id)
    if code == recorded:
        return BranchOn(day, code, tree.name(code), recorded)
    ended = tree.get(recorded)
    return BranchOn(day, code, tree.name(code), recorded, ended.ended_by if ended else None,
                    ended.ended_on if ended else None)


def branches_of(history: OrgHistory, candidate_id: str, events: Sequence[Event]) -> dict[int, BranchOn]:
    """The branch of each step (by version) on the step's date: where the candidate was when it was taken, so a
    transfer is shown under the branch that sent them."""
    fixes = corrections_of(events)  # a corrected `org` or `to_org` counts as corrected
    found: dict[int, BranchOn] = {}
    recorded = ""
    for event in events:
        payload = {**event.payload, **fixes.get(event.version, {}).get("fields", {})}
        if event.type == "identify":
            recorded = str(payload.get("org") or "")
        if recorded:
            found[event.version] = branch_on(history, candidate_id, recorded, event.effective_on)
        if event.type == "transfer" and payload.get("to_org"):
            recorded = str(payload["to_org"])
    return found
