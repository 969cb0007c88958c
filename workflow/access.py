"""Who may see and do what (ARCHITECTURE.md decision 11).

Every user has one role and one or more organisations; they see those organisations and everything under them
(states/organisations.py, Tree.within), ended ones included. Secretaries record the branch's steps, committee
users record the committee's votes and decisions (DOMAIN.md V2, S10, S15), auditors only read, admins manage
users and organisations. Which step belongs to whom is a question of office, not of the procedure, so it lives
here and not in states/.

The organisation tree (issue 10, item 7): an organisation's place is decided by the level above it, so a change
is recorded only by an admin whose organisations cover that upper level both before the change and after it: a
move by the old parent's and the new parent's, a merge by the merged organisation's parent and the successor's,
a split by the split organisation's parent and each successor's, a creation by the parent's. A province (no
upper level) changes only with `ketnap org` on the server. `org_change_refusals` decides it once, on the
validated changes and the tree of each change's date; the API and the pages only ask.

Which role records which step, a correction included (it is recorded by whoever records the step it
corrects), is decided by `step_denial`, `correction_denial` and `recording_denial` (issue 11, item 1): pure
functions of the role, the validated fields, the candidate's history and the organisations the user may record
in. The API, the pages and the CLI (as a user: `--actor`) ask them through `Principal` and
workflow/scoped.py; `audit verify` asks the same of every stored event, with what its actor held then
(workflow/audit/actors.py). A user whose
organisations have ended (dissolved, merged, split) keeps read access to their history and may do nothing else
until reassigned: `write_scope` is empty for them.
"""

from __future__ import annotations  # the user's row type, named for mypy only: its tables load with it (issue 14)

from collections.abc import Collection, Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from states.catalogue import rule_link
from states.decide import corrected_event
from states.errors import Violation
from states.events import Event
from states.history_records import violation as history_violation
from states.organisations import OrgChange, OrgHistory, Tree, apply_change
from states.steps import STEPS
from workflow.roles import Role as Role  # re-exported: who may do what is still decided here

if TYPE_CHECKING:
    from storage.users import User

REF = rule_link("organisation-changes")  # ARCHITECTURE.md decision 11; issue 10 item 7
SOURCE = "ketnap (vai trò và phạm vi)"


# The grassroots or upper committee's own acts: its votes (V2, S15) and its decisions (S10, D13).
# extend_deadline: the competent committee extends its own decision deadline (D6, D12); who else may grant it
# is UNVERIFIED (DOMAIN.md S10, S15 say only that the committee "may extend").
COMMITTEE_STEPS = frozenset({"committee_vote", "decide_admission", "committee_review_vote", "recognise_official",
                             "extend_deadline"})
# Either office may take someone off the list: the branch (off_list, withdrew) or the committee (not_admitted,
# removed_from_probation, which need its decision number).
SHARED_STEPS = frozenset({"drop"})


class AccessDenied(Exception):
    """The user is signed in but may not do this; the message is safe to show, and `violations` (when the
    refusal has several reasons, as workflow/access.py gives them) each name their rule."""

    def __init__(self, code: str, message: str, violations: Sequence[Violation] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.violations = tuple(violations)


class OutOfScope(LookupError):
    """Something outside the user's organisations: answered as 'not found', so it does not leak existence."""


class NotSignedIn(Exception):
    """No valid session or token; the API answers 401, pages send the user to the sign-in form."""

    def __init__(self, code: str = "unauthenticated", message: str = "sign in or send a bearer token") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Principal:
    """The signed-in user with the set of organisation codes they may see, for one request."""

    user: User
    scope: frozenset[str]
    via: str  # "session" or "token"
    token_id: int | None = None
    writable: frozenset[str] | None = None  # where they may record; None: all of `scope` (workflow/access.py)

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def actor(self) -> str:
        """What every event this user records carries as its actor."""
        return self.user.username

    def sees(self, org: str | None) -> bool:
        return org is not None and org in self.scope

    def may_record(self, step: str) -> bool:
        return step_denial(self.role, step) is None

    def require_org(self, org: str) -> None:
        """Raises: OutOfScope."""
        if not self.sees(org):
            raise OutOfScope(org)

    def writes(self, org: str | None) -> bool:
        return self.sees(org) and (self.writable is None or org in self.writable)

    def require_writable(self, org: str) -> None:
        """An organisation that has ended is read, never written (issue 10, item 7).

        Raises: OutOfScope, AccessDenied.
        """
        self.require_org(org)
        if not self.writes(org):
            raise AccessDenied("org_ended", f"organisation {org!r} has ended: its history is read-only")

    def require_step(self, step: str) -> None:
        """Raises: AccessDenied naming who records this step."""
        denied = step_denial(self.role, step)
        if denied is not None:
            raise denied

    def require_correction(self, fields: Mapping[str, Any], history: Sequence[Event]) -> None:
        """A correction is recorded only by a role that records the step it corrects (`correction_denial`).

        Raises:
            AccessDenied: naming who records the corrected step.
            RuleViolation: the correction's fields are malformed (the service would refuse them alike).
        """
        denied = correction_denial(self.role, fields, history)
        if denied is not None:
            raise denied

    def require_writer(self) -> None:
        """Auditors change nothing, not even their own tokens (an operator issues them with the CLI).

        Raises: AccessDenied.
        """
        if self.role is Role.AUDITOR:
            raise AccessDenied("read_only", "auditors read and change nothing")
        if self.writable is not None and not self.writable and self.scope:
            raise AccessDenied("org_ended", "your organisations have ended: you keep read access to their "
                                            "history until you are reassigned")

    def require_role(self, *roles: Role) -> None:
        """Raises: AccessDenied."""
        if self.role not in roles:
            raise AccessDenied("forbidden", f"only {', '.join(roles)} may do this")


def owners(step: str) -> list[str]:
    """The roles that record `step`; a correction is recorded by whoever records the step it corrects."""
    if step == "correct":
        return []
    return [r.value for r in (Role.SECRETARY, Role.COMMITTEE) if step in recordable_steps(r)]


_RECORDS = {Role.SECRETARY.value: frozenset(STEPS) - COMMITTEE_STEPS,
            Role.COMMITTEE.value: COMMITTEE_STEPS | SHARED_STEPS | {"correct"}}


def recordable_steps(role: str) -> frozenset[str]:
    return _RECORDS.get(role, frozenset())


# --- who records which step: one judgement for the API, the pages, the CLI and `audit verify` ----------------

def step_denial(role: str, step: str) -> AccessDenied | None:
    """Why a user with `role` may not record `step`, or None when they may (a correction: `correction_denial`)."""
    steps = _RECORDS.get(role)
    if steps is None:
        return AccessDenied("read_only", f"a user with role {role} records no steps")
    if step not in steps:
        owner = Role.COMMITTEE if step in COMMITTEE_STEPS else Role.SECRETARY
        return AccessDenied("wrong_role", f"{step} is recorded by a {owner}, not a {role}")
    return None


def correction_denial(role: str, fields: Mapping[str, Any], history: Sequence[Event]) -> AccessDenied | None:
    """A correction is recorded only by a role that records the step it corrects (issue 11, item 1). The step
    is read from the correction's validated fields, as the service reads them, never from the raw input: a
    form sends the version as "12", and it corrects version 12 all the same. `history`: the candidate's events
    before the correction.

    Raises: RuleViolation when the correction's fields are malformed (the service refuses them alike).
    """
    denied = step_denial(role, "correct")
    if denied is not None:
        return denied
    found = corrected_event(history, fields)
    if found is None:
        return None  # names no event that can be corrected: the service refuses it (correct_target)
    target = found[0].type
    denied = step_denial(role, target)
    if denied is None:
        return None
    return AccessDenied(denied.code, f"version {found[0].version} ({target}) is corrected only by whoever "
                                     f"records it: {denied}")


def recording_denial(role: str, step: str, fields: Mapping[str, Any], history: Sequence[Event],
                     orgs: Collection[str], writable: Container[str]) -> AccessDenied | None:
    """May a user with `role`, who records in the organisations of `writable`, record `step` with these
    validated `fields` for a candidate with `history` (the events before it), whose branch and, for a new
    candidate or a transfer, named organisation are `orgs`? None when they may, else the first reason.
    Pure: `audit verify` asks it of every event whose actor is a user, with what that user held when the event
    was recorded (workflow/audit/actors.py); the service asks it through `Principal`.

    Raises: RuleViolation when a correction's fields are malformed.
    """
    denied = correction_denial(role, fields, history) if step == "correct" else step_denial(role, step)
    if denied is not None:
        return denied
    outside = sorted(code for code in set(orgs) if code not in writable)
    if outside:
        return AccessDenied("out_of_scope", f"organisation {', '.join(map(repr, outside))} is not one of yours")
    return None


# the field naming where a step puts the candidate (a probationary member's transfer is sent by the sending branch
# alone, so it names none: the receiving branch's reception puts the member there, DOMAIN.md D16, P9)
NAMED_ORG = {"identify": "org", "transfer": "to_org", "transfer_received": "to_org"}
# Steps recorded by the organisation they name, not by the candidate's branch: the receiving branch records that a
# transferred probationary member presented the transfer (issue 13 item 6; DOMAIN.md D16, P9).
RECORDED_AT_NAMED_ORG = frozenset({"transfer_received"})


def named_org(step: str, fields: Mapping[str, Any]) -> str | None:
    """The organisation a step names for the candidate to go to: a new candidate's, a transfer's."""
    key = NAMED_ORG.get(step)
    value = fields.get(key) if key else None
    return value if isinstance(value, str) and value else None


def recording_orgs(step: str, fields: Mapping[str, Any], branch: str | None) -> list[str]:
    """The organisations whose user records `step` for a candidate in `branch` (`recording_denial`'s `orgs`):
    the branch and the organisation the step names, or, for a reception, the receiving branch alone."""
    named = named_org(step, fields)
    if step in RECORDED_AT_NAMED_ORG and named is not None:
        return [named]
    return [code for code in (branch, named) if code]


# --- historical records (issue 13, item 5) ------------------------------------------------------------------

def history_denial(role: str, org: str, scope: Container[str], living: bool) -> AccessDenied | None:
    """May a user with `role`, who reads the organisations of `scope` and has a living organisation (`living`),
    enter or withdraw a historical record of `org`? The committee office keeps its organisation's reports
    (ARCHITECTURE.md "who uses it"), so only a committee user does, for an organisation it reads: ended ones
    included, since the past periods of a dissolved district belong to the province's history. Secretaries
    record a branch's steps, admins the accounts and the tree, auditors nothing. The server's operator (an
    actor who is no user) may, as for every command. None when they may, else the reason.
    """
    if role != Role.COMMITTEE:
        refusal = history_violation("history_committee_only")
        return AccessDenied("wrong_role", refusal.message_en, [refusal])
    if not living:
        return AccessDenied("org_ended", "your organisations have ended: you keep read access to their "
                                         "history until you are reassigned")
    if org not in scope:
        return AccessDenied("out_of_scope", f"organisation {org!r} is not one of yours")
    return None


# --- the read-access log (issue 11, item 7) --------------------------------------------------------------------

def access_log_scope(who: Principal, every_org: Collection[str]) -> tuple[frozenset[str], bool]:
    """Who saw whose file is personal data too (Decree 13/2023/NĐ-CP), so only auditors read the access log, and
    only its rows about their organisations: (the organisations, whether rows with none are theirs). A row has no
    organisation when a view covered the whole database (an export with no --org on the server); only an auditor
    whose organisations cover every organisation reads those. Admins manage the accounts the log is about, so
    they do not read it.

    Raises: AccessDenied.
    """
    who.require_role(Role.AUDITOR)
    return who.scope, set(every_org) <= who.scope


# --- the organisation tree ------------------------------------------------------------------------------------

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
    if role != Role.ADMIN:
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
    if role != Role.ADMIN or org is None or org.parent_code is None:
        return False
    return org.parent_code in write_scope(tree, roots)
