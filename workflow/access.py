"""Who may change the organisation tree, and what a user may still do once their organisation has ended
(ARCHITECTURE.md decision 11; issue 10, item 7).

An organisation's place is decided by the level above it, so a change is recorded only by an admin whose
organisations cover that upper level both before the change and after it: a move by the old parent's and the new
parent's, a merge by the merged organisation's parent and the successor's, a split by the split organisation's
parent and each successor's, a creation by the parent's. A province (no upper level) changes only with
`ketnap org` on the server. The rule is decided here, once, on the validated changes and the tree of each change's
date; the CLI, the API and the pages only ask.

A user whose organisations have ended (dissolved, merged, split) keeps read access to their history, and may do
nothing else until reassigned: `write_scope` is empty for them.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from states.errors import Violation
from states.organisations import OrgChange, OrgHistory, Tree, apply_change

ADMIN = "admin"
REF = "ARCHITECTURE.md decision 11; issue 10 item 7"
SOURCE = "ketnap: roles and scopes"


def read_scope(tree: Tree, roots: Collection[str]) -> frozenset[str]:
    """What a user may read: their organisations and everything under them, ended ones included where they
    ended (so a province still reads its dissolved districts, and a user of a dissolved organisation its
    history)."""
    return frozenset(tree.within(roots))


def write_scope(tree: Tree, roots: Collection[str]) -> frozenset[str]:
    """Where a user may record anything: the living organisations under their living ones."""
    return frozenset(tree.subtree(r for r in roots if tree.living(r) is not None))


@dataclass(frozen=True)
class _Side:
    """One organisation whose upper level a change needs covered, in the tree before or after the change."""

    code: str
    tree: Tree
    after: bool


def _v(rule: str, vi: str, en: str, field: str | None = None) -> Violation:
    return Violation(rule=rule, ref=REF, source=SOURCE, message_vi=vi, message_en=en, field=field)


def _when(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _sides(before: Tree, after: Tree, change: OrgChange) -> list[_Side]:
    """The organisations whose upper level decides `change`: its own before and after, and a successor's."""
    if change.kind == "created":
        return [_Side(change.code, after, True)]
    sides = [_Side(change.code, before, False)]
    if change.kind == "merged" and change.into:
        sides.append(_Side(change.into, after, True))
    elif change.kind == "split":
        sides += [_Side(code, after, True) for code in sorted(set(change.parts.values()))]
    elif change.kind == "moved":
        sides.append(_Side(change.code, after, True))  # other kinds keep the parent they had
    return sides


def _side_refusal(side: _Side, scope: Collection[str], change: OrgChange) -> Violation | None:
    """`scope` is the admin's on the change's date, before it: the tree after a move under the organisation's
    own descendant (refused later, as a cycle) would cut the new parent off from every scope."""
    when = "sau" if side.after else "trước"
    when_en = "after" if side.after else "before"
    org = side.tree.get(side.code)
    if org is None:
        return _v("org_change_out_of_scope",
                  f"{side.code} không thuộc các tổ chức của bạn vào ngày {_when(change.on)}.",
                  f"{side.code} is not under your organisations on {change.on}", "code")
    if org.parent_code is None:
        return _v("org_change_no_upper",
                  f"{side.code} không có cấp trên: chỉ thay đổi được bằng lệnh `ketnap org` trên máy chủ.",
                  f"{side.code} has no upper level: it is changed only with `ketnap org` on the server", "code")
    if org.parent_code not in scope:
        return _v("org_change_out_of_scope",
                  f"Cấp trên của {side.code} {when} thay đổi ({org.parent_code}) không thuộc phạm vi quản trị "
                  f"của bạn: chỉ quản trị viên của cấp trên, cả trước và sau thay đổi, được ghi nhận.",
                  f"the upper level of {side.code} {when_en} the change ({org.parent_code}) is not among your "
                  f"organisations: only an admin of the upper level, before and after the change, records it",
                  "parent" if side.after else "code")
    return None


def org_change_refusals(role: str, roots: Collection[str], history: OrgHistory,
                        changes: Sequence[OrgChange]) -> list[Violation]:
    """Every reason this user may not record `changes` (judged in order, each on the tree of its date with the
    earlier ones applied); empty when they may. Whether the changes themselves are sound is judged after this,
    by states/org_changes.py."""
    if role != ADMIN:
        return [_v("org_change_admin_only", "Chỉ quản trị viên của cấp trên mới được ghi nhận thay đổi tổ chức.",
                   f"only an admin of the upper level records a change of the organisation tree, not a {role}")]
    latest = history.latest()
    living = [r for r in roots if latest.living(r) is not None]
    if not living:
        return [_v("org_change_scope_ended",
                   "Tổ chức của bạn đã kết thúc: bạn chỉ còn quyền xem lịch sử cho đến khi được phân công lại.",
                   "your organisations have ended: you keep read access to their history until reassigned")]
    found: list[Violation] = []
    known = list(history.changes)
    for index, change in enumerate(changes, start=1):
        before = OrgHistory(known).tree_on(change.on)
        orgs, carried = dict(before.orgs), dict(before.carried)
        apply_change(orgs, carried, change)
        after = Tree(orgs, carried, change.on)
        label = f"#{index} {change.kind} {change.code}: " if len(changes) > 1 else ""
        scope = before.subtree(living)
        refusals = [r for r in (_side_refusal(s, scope, change) for s in _sides(before, after, change)) if r]
        for refusal in refusals:
            found.append(Violation(refusal.rule, refusal.ref, refusal.source, label + refusal.message_vi,
                                   label + refusal.message_en, refusal.field))
        known.append(change)
    return found


def may_change_org(role: str, roots: Collection[str], tree: Tree, code: str) -> bool:
    """Whether to offer this user the change form of `code`: an admin of its living upper level."""
    org = tree.living(code)
    if role != ADMIN or org is None or org.parent_code is None:
        return False
    return org.parent_code in write_scope(tree, roots)
