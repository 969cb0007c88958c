"""An organisation subtree as reports see it, through time (DOMAIN.md section 8, "per-unit counts"; section 7b).

The tree is a dated history (states/organisations.py), so a report reads the tree of each counted date: an
admission counts for the root when the root's subtree held the admitting branch that day, under the root's
direct sub-unit that held it. A report for a past period therefore gives the same figures after a later
restructuring. Before the root existed (a commune founded on 1 July 2025), the branches it was founded with
count for it as its predecessors' (the organisation that held them then is named), unless the caller leaves
predecessors out.

Branches are placed once per (branch, tree epoch), never per candidate: a province report places 50,000
admissions against a handful of trees. Only a branch split among successors by candidate is placed per candidate.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from states.organisations import SINCE_ALWAYS, Organisation, OrgHistory, Tree
from workflow.service import OrganisationError


@dataclass(frozen=True)
class Place:
    """Where something dated counts in a report: `branch` as it stood that day (after merges and splits), the
    root's direct sub-unit that held it (the root itself for its own branch), and, before the root existed, the
    predecessor organisation that held it then."""

    branch: str
    unit: str
    predecessor: str | None = None


def _resolve(tree: Tree, branch: str, candidate_id: str) -> tuple[str, bool]:
    """(where `branch` stands in `tree`, whether that holds for every candidate of the branch): a branch split
    among successors sends each candidate where the split named them."""
    code = tree.current(branch)
    org = tree.get(code)
    if org is not None and org.ended_by == "split":
        return tree.current(branch, candidate_id), False
    return code, True


class Scope:
    """The root organisation and its subtree on any day; `predecessors` False leaves out what the root's branches
    did before it existed.

    Raises (on construction): OrganisationError when no organisation has the code."""

    def __init__(self, history: OrgHistory, code: str, *, predecessors: bool = True) -> None:
        root = history.latest().get(code)
        if root is None:
            raise OrganisationError(f"no organisation with code {code!r}")
        self.history, self.root, self.with_predecessors = history, root, predecessors
        self.founded_on = root.founded_on if root.founded_on != SINCE_ALWAYS else None
        self._units: dict[int, dict[str, str]] = {}
        self._places: dict[tuple[str, int], Place | None] = {}

    # --- the tree of a day --------------------------------------------------------------------------------------

    def before_founding(self, day: date) -> bool:
        return self.founded_on is not None and day < self.founded_on

    def tree_for(self, day: date) -> Tree:
        """The tree that places what happened on `day`: before the root existed, the tree of its founding day."""
        return self.history.tree_on(self.founded_on if self.founded_on and day < self.founded_on else day)

    def _units_on(self, day: date) -> dict[str, str]:
        """{code: the root's direct sub-unit it belongs to} over the root's living subtree in `tree_for(day)`."""
        shown = self.founded_on if self.founded_on and day < self.founded_on else day
        epoch = self.history.epoch(shown)
        found = self._units.get(epoch)
        if found is None:
            tree, found = self.history.tree_on(shown), {}
            if tree.living(self.root.code) is not None:
                found[self.root.code] = self.root.code
                for child in tree.children(self.root.code):
                    found.update(dict.fromkeys(tree.subtree([child]), child))
            self._units[epoch] = found
        return found

    def days(self, start: date, end: date) -> list[date]:
        """The first day of every tree in force between `start` and `end` (a restructuring starts a new one)."""
        return [start, *sorted({c.on for c in self.history.changes if start < c.on <= end})]

    # --- placing dated facts ------------------------------------------------------------------------------------

    def place(self, branch: str, candidate_id: str, day: date) -> Place | None:
        """Where a fact of `branch` dated `day` counts; None when the root's subtree did not hold the branch."""
        key = (branch, self.history.epoch(day))
        if key in self._places:
            return self._places[key]
        found, shared = self._place(branch, candidate_id, day)
        if shared:
            self._places[key] = found
        return found

    def placement(self, branch: str, day: date) -> tuple[Place | None, bool]:
        """Where every fact of `branch` dated `day` counts, and whether that holds for each of its candidates
        (False for a branch split among successors: `place` each of them)."""
        key = (branch, self.history.epoch(day))
        if key in self._places:
            return self._places[key], True
        found, shared = self._place(branch, "", day)
        if shared:
            self._places[key] = found
        return found, shared

    def counts(self, place: Place | None) -> bool:
        """Whether a placed fact is counted: a predecessor's only when predecessors are included."""
        return place is not None and (place.predecessor is None or self.with_predecessors)

    def _place(self, branch: str, candidate_id: str, day: date) -> tuple[Place | None, bool]:
        tree = self.history.tree_on(day)
        code, shared = _resolve(tree, branch, candidate_id)
        units = self._units_on(day)
        if not self.before_founding(day):
            unit = units.get(code)
            return (Place(code, unit) if unit else None), shared
        later, shared_later = _resolve(self.tree_for(day), branch, candidate_id)
        unit = units.get(later)
        if unit is None:
            return None, shared and shared_later
        return Place(code, unit, self._holder(tree, code, units)), shared and shared_later

    def _holder(self, tree: Tree, code: str, units: dict[str, str]) -> str:
        """The organisation that held `code` on the tree's day, before the root existed: climbing from the branch
        through what went into the root's founding subtree, the last one reached if it ended there (an old
        commune merged into the root), else the one it came from (the dissolved district of a grassroots
        organisation moved under the root)."""
        chain = tree.chain(code)
        if not chain:
            return code
        founding, top = self.history.tree_on(self.founded_on or date.min), 0
        for index, org in enumerate(chain[1:], start=1):
            if founding.current(org.code) not in units:
                break
            top = index
        if chain[top].code not in units or top + 1 == len(chain):
            return chain[top].code
        return chain[top + 1].code

    def codes(self, start: date, end: date) -> set[str] | None:
        """The codes whose facts between `start` and `end` may count here, for an IN list; None when that is every
        organisation known on those days (the query needs no IN list: `place` still judges every row)."""
        found: set[str] = set()
        trees = [(self.tree_for(day), self._units_on(day)) for day in self.days(start, end)]
        for tree, units in trees:  # predecessors' too, left out or not: the report says how many
            # a living organisation counts only as one of the units; an ended one where its successor went (or
            # every split one, placed row by row): so only these are looked at, not the nation's every code
            for code in set(units) | tree.ended_codes():
                now = tree.get(tree.current(code))
                if now is not None and (now.code in units or now.ended_by == "split"):
                    found.add(code)
        if len(found) < max((len(tree.orgs) for tree, _ in trees), default=0):
            return found  # fewer than one day's organisations: not every one known
        known = set().union(*(tree.orgs for tree, _ in trees))
        return None if found >= known else found

    # --- what the report lists ----------------------------------------------------------------------------------

    def sub_units(self, start: date, end: date) -> list[Organisation]:
        """The root's direct sub-units on any day from `start` to `end` (before the root existed, those it was
        founded with), each named as on the last such day."""
        found: dict[str, Organisation] = {}
        for day in self.days(start, end):
            if self.before_founding(day) and not self.with_predecessors:
                continue
            tree = self.tree_for(day)
            if tree.living(self.root.code) is None:
                continue
            for child in tree.children(self.root.code):
                org = tree.get(child)
                if org is not None:
                    found[child] = org
        return [found[c] for c in sorted(found)]

    def root_on(self, day: date) -> Organisation:
        """The root as it stood on `day` (its name then), or as it was last when it had ended by then."""
        org = self.history.tree_on(max(day, self.founded_on or day)).get(self.root.code)
        return org if org is not None else self.root

    def predecessors(self, start: date, end: date) -> list[Organisation]:
        """The organisations that held the root's branches between `start` and `end` before the root existed."""
        if self.founded_on is None or start >= self.founded_on:
            return []
        units = self._units_on(start)
        founding = self.tree_for(start)
        members = [code for code in founding.orgs if founding.current(code) in units]
        found: dict[str, Organisation] = {}
        for day in self.days(start, min(end, self.founded_on - timedelta(days=1))):
            tree = self.history.tree_on(day)
            for code in members:
                if tree.living(code) is not None:
                    holder = self._holder(tree, code, units)
                    found[holder] = tree.get(holder) or self.root
        return [found[c] for c in sorted(found)]

    def membership_tree(self, year: int) -> Tree:
        """The tree whose subtree the membership at the start of `year` is summed over (the founding day's, for a
        year that began before the root existed)."""
        return self.tree_for(date(year, 1, 1))


def names(orgs: Iterable[Organisation]) -> list[dict[str, str]]:
    return [{"code": o.code, "name": o.name} for o in orgs]


def percent(part: int | Decimal, whole: int | Decimal | None, decimals: int) -> float | None:
    """part / whole as a percentage rounded half up ("đạt 94,7% kế hoạch"); None when there is no base."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
