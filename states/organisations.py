"""The organisation tree as a dated history (DOMAIN.md section 4, authority; section 7, organisational levels).

Organisations are restructured all the time, and in 2025 every province was: from 1 July 2025 the district
level no longer exists, its grassroots organisations were placed under new communes, old communes were merged
and provinces too (HD 31-HD/BTCTW). So the tree is not a table but a sequence of dated changes, each an event of
the organisation's own stream; `OrgHistory.tree_on(day)` is the tree in force on a day, and every rule reads
the tree of its date: who decides for a branch (`Tree.competent_body`), whether the grassroots committee votes,
who is the upper level for an escalation, and which organisation a candidate of a merged branch now belongs to.

Pure: no I/O, no clock. The storage layer turns rows into `OrgChange`s and back.
"""

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

LEVELS = ("province", "commune", "upper", "grassroots", "branch")
CHANGE_KINDS = ("created", "renamed", "moved", "level_changed", "authorised", "merged", "split", "dissolved",
                "typed")
ENDINGS = frozenset({"merged", "split", "dissolved"})
KIND_LABELS_VI = {
    "created": "thành lập", "renamed": "đổi tên", "moved": "chuyển trực thuộc", "level_changed": "đổi cấp",
    "authorised": "ủy quyền kết nạp", "merged": "hợp nhất", "split": "chia tách", "dissolved": "giải thể",
    "typed": "đổi loại hình",
}
SINCE_ALWAYS = date.min  # an organisation added without a date: in existence before anything recorded
BRANCH_LEVELS = frozenset({"branch", "grassroots"})  # the levels that keep a list of candidates (S0)


@dataclass(frozen=True)
class Organisation:
    """One organisation as it stood on some day: its name, level, parent and authority then, and how it ended."""

    code: str
    name: str
    level: str
    parent_code: str | None
    admits: bool
    founded_on: date = SINCE_ALWAYS
    ended_on: date | None = None  # the first day it no longer existed (the change's effective date)
    ended_by: str | None = None  # merged, split or dissolved
    successors: tuple[str, ...] = ()
    predecessors: tuple[str, ...] = ()
    org_type: str | None = None  # loại hình tổ chức cơ sở đảng (config.yaml `org_types`), dated by `typed`

    def exists_on(self, day: date) -> bool:
        return self.founded_on <= day and (self.ended_on is None or day < self.ended_on)

    @property
    def ended(self) -> bool:
        return self.ended_on is not None


@dataclass(frozen=True)
class OrgChange:
    """One dated change of one organisation, as decided (number and issuing body) and recorded.

    `parts` (split only) names the successor of each sub-organisation, and of each candidate in flight when the
    split organisation is itself a branch: {code or candidate id: successor code}."""

    kind: str
    code: str
    on: date
    decision: str = ""
    issuer: str = ""
    name: str | None = None
    level: str | None = None
    parent: str | None = None
    admits: bool | None = None
    into: str | None = None
    parts: Mapping[str, str] = field(default_factory=dict)
    org_type: str | None = None  # created (optional) and typed: the organisation's type from this date on

    def payload(self) -> dict[str, Any]:
        """The event payload: only what this kind of change says, so that stored events stay small and plain."""
        found: dict[str, Any] = {"decision": self.decision, "issuer": self.issuer}
        for key in ("name", "level", "parent", "admits", "into", "org_type"):
            value = getattr(self, key)
            if value is not None:
                found[key] = value
        if self.kind == "created":
            found["parent"] = self.parent
        if self.parts:
            found["parts"] = dict(sorted(self.parts.items()))
        return found

    @classmethod
    def from_event(cls, kind: str, code: str, on: date, payload: Mapping[str, Any]) -> "OrgChange":
        return cls(kind=kind, code=code, on=on, decision=str(payload.get("decision", "")),
                   issuer=str(payload.get("issuer", "")), name=payload.get("name"), level=payload.get("level"),
                   parent=payload.get("parent"), admits=payload.get("admits"), into=payload.get("into"),
                   parts=dict(payload.get("parts") or {}), org_type=payload.get("org_type"))


def competent_body(chain: Sequence[Organisation]) -> tuple[str | None, bool]:
    """(the deciding committee, whether a grassroots committee vote is required) for chain[0]'s candidates.

    DOMAIN.md section 4, authority (QĐ29 §4.3.2; QĐ294 UNVERIFIED): a grassroots committee authorised to admit
    decides for its branches and no separate committee vote is needed (V3); otherwise the grassroots committee
    votes (V2) and the level above it decides."""
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


class Tree:
    """The organisations as they stood on one day. Ended organisations stay readable (with their successors),
    so that history can name them; `chain`, `subtree` and `competent_body` walk only the living tree."""

    def __init__(self, orgs: Mapping[str, Organisation], carried: Mapping[tuple[str, str], str],
                 day: date | None = None) -> None:
        self.orgs = dict(orgs)
        self.carried = dict(carried)  # (split branch, candidate id) -> successor branch
        self.day = day
        self._children: dict[str, list[str]] | None = None
        self._all_children: dict[str, list[str]] | None = None  # ended organisations too
        self._ended: frozenset[str] | None = None

    def get(self, code: str | None) -> Organisation | None:
        return self.orgs.get(code) if code else None

    def living(self, code: str | None) -> Organisation | None:
        org = self.get(code)
        return org if org is not None and not org.ended else None

    def name(self, code: str) -> str:
        org = self.get(code)
        return org.name if org else code

    def chain(self, code: str, limit: int = 10) -> list[Organisation]:
        """The organisation and its parents, nearest first; empty when it does not exist on this day."""
        found: list[Organisation] = []
        current = self.living(code)
        while current is not None and len(found) < limit:
            found.append(current)
            current = self.living(current.parent_code)
        return found

    def ended_codes(self) -> frozenset[str]:
        """The organisations ended by this day (merged, split, dissolved): a few among the nation's 53,000, found
        once per tree, so that a province's report need not look at every organisation to find its predecessors."""
        if self._ended is None:  # built whole, then published (as `children`)
            self._ended = frozenset(code for code, org in self.orgs.items() if org.ended)
        return self._ended

    def children(self, code: str) -> list[str]:
        if self._children is None:  # built whole, then published: the web's threads share one tree
            children: dict[str, list[str]] = {}
            for org in self.orgs.values():
                if org.parent_code and not org.ended:
                    children.setdefault(org.parent_code, []).append(org.code)
            self._children = children
        return sorted(self._children.get(code, ()))

    def subtree(self, roots: Iterable[str]) -> set[str]:
        """Every organisation under (and including) `roots`, living ones only below the roots."""
        found: set[str] = set()
        todo = [r for r in roots if r in self.orgs]
        while todo:
            code = todo.pop()
            if code not in found:
                found.add(code)
                todo.extend(self.children(code))
        return found

    def within(self, roots: Iterable[str]) -> set[str]:
        """Every organisation under (and including) `roots`, ended ones included under the parent they had when
        they ended: who may read an organisation's history. A living organisation that moved away counts only
        where it is now, so a scope follows a branch to its new place."""
        if self._all_children is None:  # built whole, then published (as `children`)
            every: dict[str, list[str]] = {}
            for org in self.orgs.values():
                if org.parent_code:
                    every.setdefault(org.parent_code, []).append(org.code)
            self._all_children = every
        found: set[str] = set()
        todo = [r for r in roots if r in self.orgs]
        while todo:
            code = todo.pop()
            if code not in found:
                found.add(code)
                todo.extend(self._all_children.get(code, ()))
        return found

    def competent_body(self, code: str) -> tuple[str | None, bool]:
        return competent_body(self.chain(code))

    def decides_for_branches(self, code: str) -> tuple[str | None, bool]:
        """Who decides admissions for the branches of `code` (for a branch, its own candidates) and whether a
        grassroots committee votes first: as `competent_body`, for a branch placed directly under it."""
        org = self.living(code)
        if org is None:
            return None, True
        if org.level == "branch":
            return self.competent_body(code)
        return competent_body([Organisation("", "", "branch", code, False), *self.chain(code)])

    def type_of(self, code: str) -> str | None:
        """The type (loại hình) a unit counts under on this day: its own, else the nearest typed organisation
        above it (a branch counts under its grassroots organisation's type); None when nothing is typed."""
        return next((o.org_type for o in self.chain(self.current(code)) if o.org_type), None)

    def grassroots(self, roots: Sequence[str]) -> list[Organisation]:
        """The grassroots organisations (tổ chức cơ sở đảng) living under `roots` on this day: every grassroots
        committee (đảng bộ cơ sở), and every branch placed directly under a level above it (chi bộ cơ sở)."""
        found = []
        for code in sorted(self.subtree(roots)):
            org = self.living(code)
            if org is None:
                continue
            parent = self.living(org.parent_code)
            if org.level == "grassroots" or (org.level == "branch" and parent is not None
                                             and parent.level not in BRANCH_LEVELS):
                found.append(org)
        return found

    def upper(self, code: str) -> str | None:
        org = self.living(code)
        return org.parent_code if org is not None else None

    def current(self, code: str, candidate_id: str | None = None) -> str:
        """Where a candidate recorded under `code` belongs on this day: the successor of a merged branch, the
        successor a split named for them; the code itself when it lives, was dissolved or names no successor."""
        seen: set[str] = set()
        while code not in seen:
            seen.add(code)
            org = self.get(code)
            if org is None or not org.ended:
                return code
            if org.ended_by == "merged" and org.successors:
                code = org.successors[0]
            elif org.ended_by == "split" and candidate_id is not None and (code, candidate_id) in self.carried:
                code = self.carried[(code, candidate_id)]
            else:
                return code
        return code


def apply_change(orgs: dict[str, Organisation], carried: dict[tuple[str, str], str], change: OrgChange) -> None:
    """One change, applied to the organisations as they stood the day before it took effect."""
    if change.kind == "created":
        orgs[change.code] = Organisation(change.code, change.name or change.code, change.level or "branch",
                                         change.parent, bool(change.admits), founded_on=change.on,
                                         org_type=change.org_type)
        return
    found = orgs.get(change.code)
    if found is None:
        return  # refused when recorded; an audit reports a change to an unknown organisation
    org = found
    if change.kind == "renamed" and change.name:
        orgs[org.code] = replace(org, name=change.name)
    elif change.kind == "moved":
        orgs[org.code] = replace(org, parent_code=change.parent)
    elif change.kind == "level_changed" and change.level:
        orgs[org.code] = replace(org, level=change.level)
    elif change.kind == "authorised":
        orgs[org.code] = replace(org, admits=bool(change.admits))
    elif change.kind == "typed":
        orgs[org.code] = replace(org, org_type=change.org_type)
    elif change.kind in ENDINGS:
        _end(orgs, carried, org, change)


def _end(orgs: dict[str, Organisation], carried: dict[tuple[str, str], str], org: Organisation,
         change: OrgChange) -> None:
    if change.kind == "merged" and change.into:
        successors: tuple[str, ...] = (change.into,)
        for child in [o for o in orgs.values() if o.parent_code == org.code and not o.ended]:
            orgs[child.code] = replace(child, parent_code=change.into)
    elif change.kind == "split":
        successors = tuple(sorted(set(change.parts.values())))
        for part, successor in change.parts.items():
            sub = orgs.get(part)
            if sub is not None and sub.parent_code == org.code:
                orgs[part] = replace(sub, parent_code=successor)
            else:
                carried[(org.code, part)] = successor
    else:
        successors = ()
    orgs[org.code] = replace(org, ended_on=change.on, ended_by=change.kind, successors=successors)
    for code in successors:
        if code in orgs and org.code not in orgs[code].predecessors:
            orgs[code] = replace(orgs[code], predecessors=(*orgs[code].predecessors, org.code))


class OrgHistory:
    """Every recorded change, in effective-date order (recorded order within a day); trees by day, built once
    per distinct change date: an audit asks for the tree of every event's date."""

    def __init__(self, changes: Iterable[OrgChange] = ()) -> None:
        self.changes = sorted(changes, key=lambda c: c.on)  # stable: recorded order within a day
        self._dates = sorted({c.on for c in self.changes})
        self._trees: dict[int, Tree] = {}
        self._last_on: dict[str, date] | None = None

    def followed_by(self, change: OrgChange) -> "OrgHistory":
        """This history with `change` recorded after every change in it.

        A restructuring is judged change after change, each against the tree of its date. When `change` is dated
        on or after every change so far (a restructuring in date order), the newest tree is carried forward by
        applying `change` to a copy of it, instead of replaying the whole log once per change (O(changes x
        organisations)); the trees of earlier dates are unchanged and shared. Otherwise the history is rebuilt."""
        if self._dates and change.on < self._dates[-1]:
            return OrgHistory([*self.changes, change])
        newest = len(self._dates)  # the epoch of the newest tree: every change so far
        same_day = bool(self._dates) and change.on == self._dates[-1]
        new = OrgHistory()
        new.changes = [*self.changes, change]
        new._dates = self._dates if same_day else [*self._dates, change.on]
        new._trees = {i: t for i, t in self._trees.items() if i < newest or (i == newest and not same_day)}
        if newest in self._trees:
            new._trees[len(new._dates)] = _applied(self._trees[newest], change)
        if self._last_on is not None:
            new._last_on = {**self._last_on, change.code: change.on}
        return new

    @classmethod
    def of(cls, orgs: Iterable[Organisation]) -> "OrgHistory":
        """A history in which `orgs` (parents first) exist since before anything recorded."""
        return cls(OrgChange("created", o.code, o.founded_on, name=o.name, level=o.level, parent=o.parent_code,
                             admits=o.admits, org_type=o.org_type) for o in orgs)

    def tree_on(self, day: date) -> Tree:
        index = bisect_right(self._dates, day)
        tree = self._trees.get(index)
        if tree is None:
            last = self._dates[index - 1] if index else None
            tree = self._build(lambda c: last is not None and c.on <= last, day)
            self._trees[index] = tree
        return tree

    def latest(self) -> Tree:
        """Every change applied, whatever its date: what the lists show and where candidates now belong."""
        return self.tree_on(date.max)

    def last_change_on(self, code: str) -> date | None:
        """The date of the latest change of `code` itself (changes of one organisation are recorded in date
        order)."""
        if self._last_on is None:
            self._last_on = {c.code: c.on for c in self.changes}  # in date order: the last one wins
        return self._last_on.get(code)

    def naming(self, code: str) -> list[OrgChange]:
        """The changes that name `code`: its own, and merges or splits that made it a successor."""
        return [c for c in self.changes if c.code == code or c.into == code or code in c.parts.values()]

    def epoch(self, day: date) -> int:
        """Days with the same epoch share one tree (a cache key for facts worked out from it)."""
        return bisect_right(self._dates, day)

    def _build(self, included: Any, day: date) -> Tree:
        orgs: dict[str, Organisation] = {}
        carried: dict[tuple[str, str], str] = {}
        for change in self.changes:
            if included(change):
                apply_change(orgs, carried, change)
        return Tree(orgs, carried, day)


def _applied(tree: Tree, change: OrgChange) -> Tree:
    """The tree as `change` leaves it, its day the change's when later: a new tree, `tree` is left as it was."""
    orgs, carried = dict(tree.orgs), dict(tree.carried)
    apply_change(orgs, carried, change)
    day = tree.day if tree.day is not None and tree.day >= change.on else change.on
    return Tree(orgs, carried, day)


@dataclass(frozen=True)
class Placement:
    """Where a candidate's step happened: the branch on the step's date, named as it was called that day, and
    the branch their events name when a merge or split had carried them from it by then."""

    org: str
    name: str
    recorded: str = ""  # the branch the candidate's events name
    carried_by: str | None = None  # "merged" or "split", when `org` is a successor of `recorded`
    carried_on: date | None = None

    @property
    def carried(self) -> bool:
        return bool(self.recorded) and self.org != self.recorded


def placement_on(history: OrgHistory, candidate_id: str, recorded: str, day: date) -> Placement:
    """Where a candidate whose events name `recorded` belonged on `day` (merges and splits followed)."""
    tree = history.tree_on(day)
    code = tree.current(recorded, candidate_id)
    ended = tree.get(recorded) if code != recorded else None
    if ended is None:
        return Placement(code, tree.name(code), recorded)
    return Placement(code, tree.name(code), recorded, ended.ended_by, ended.ended_on)


def placements(history: OrgHistory, events: Iterable[Any]) -> dict[int, Placement]:
    """{event version: the candidate's branch on that event's date}: the branch their events name
    (identify, transfer), followed through merges and splits in force on that date."""
    found: dict[int, Placement] = {}
    recorded = ""
    for e in events:
        if e.type == "identify":
            recorded = str(e.payload.get("org", ""))
        elif e.type == "transfer" and e.payload.get("to_org"):
            recorded = str(e.payload["to_org"])
        if recorded:
            found[e.version] = placement_on(history, e.stream_id, recorded, e.effective_on)
    return found
