"""The Ketnap service as one signed-in user may use it: the same code paths, behind scope and role checks.

Something outside the user's organisations is answered exactly like something that does not exist
(CandidateNotFound), so a secretary of branch A cannot even learn that a candidate of branch B exists.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from states.candidate import Candidate, replay
from states.errors import CandidateNotFound
from states.events import Event
from states.organisations import OrgChange, OrgHistory, Tree
from states.steps import StepSpec
from storage import candidate_lists
from storage.candidate_lists import CandidateFilter, Page
from storage.organisations import Organisation
from storage.paging import DEFAULT_LIMIT
from storage.unit_of_work import StepTransaction
from storage.users import User
from workflow import access, accounts
from workflow.access import AccessDenied, Principal
from workflow.commands import AddOrganisation, RecordStep
from workflow.organisations import Permit, Restructuring, creation_of
from workflow.service import Ketnap, StepGuard, StepResult


class _Scopes:
    """What users with these organisations read and write in one tree, worked out once per tree: every request
    makes a principal, and the tree (kept by storage/organisations.py `OrgLog`) changes only with the log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tree: Tree | None = None
        self._known: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}

    def of(self, tree: Tree, orgs: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
        """Worked out under the lock (single flight): a cold server's 32 first requests of one province user
        each walked the nation's tree at once (issue 14); now one does and the others take its answer."""
        with self._lock:
            if tree is not self._tree:
                self._tree, self._known = tree, {}
            found = self._known.get(orgs)
            if found is None:
                found = self._known[orgs] = (access.read_scope(tree, orgs), access.write_scope(tree, orgs))
        return found


_SCOPES = _Scopes()


def principal_for(app: Ketnap, user: User, via: str, token_id: int | None = None,
                  tree: Tree | None = None) -> Principal:
    """The user with what they read (ended organisations included) and where they write (living ones), in
    `tree` (the latest one; read when not given)."""
    read, write = _SCOPES.of(tree if tree is not None else app.organisations.tree(), tuple(user.orgs))
    return Principal(user, read, via, token_id, write)


def token_principal(app: Ketnap, token: str) -> Principal | None:
    """The caller of an API request with a bearer token, in one read transaction (the token, its user and the
    organisation tree); None for a token that is unknown, revoked, or whose user is inactive.

    Raises: NotSignedIn (`token_expired`).
    """
    with app.uow.reading() as tx:
        found = accounts.user_for_token(app, token, tx)
        tree = tx.org_history().latest() if found is not None else None
    if found is None:
        return None
    user, token_id = found
    return principal_for(app, user, "token", token_id, tree)


@dataclass
class ScopedKetnap:
    app: Ketnap
    who: Principal

    # --- reading ------------------------------------------------------------------------------------------

    def require_candidate(self, candidate_id: str) -> str:
        """The candidate's organisation. A probationary member transferred to one of the user's branches and not
        yet received there is theirs to read (the file travels with the transfer, DOMAIN.md D16, P9).

        Raises: CandidateNotFound, also when it is outside the scope."""
        with self.app.uow.reading() as tx:
            found = candidate_lists.candidate_orgs(tx.conn, candidate_id)
        if found is None or not (self.who.sees(found[0]) or self.who.sees(found[1])):
            raise CandidateNotFound(candidate_id)
        return found[0]

    def incoming_transfers(self, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """The probationary members transferred to the user's branches and waiting to be received (at most
        `limit`, soonest deadline first): their secretary reaches the files from here."""
        with self.app.uow.reading() as tx:
            return candidate_lists.incoming_transfers(tx.conn, self.who.scope, limit)

    def show(self, candidate_id: str, on: date | None = None) -> StepResult:
        return self.show_with_org(candidate_id, on)[0]

    def show_with_org(self, candidate_id: str, on: date | None = None) -> tuple[StepResult, str]:
        """`show`, and the candidate's organisation its scope check found (the candidate's page needs both)."""
        org = self.require_candidate(candidate_id)
        return self.app.show(candidate_id, on), org

    def history(self, candidate_id: str, as_of: date | None = None,
                known_at: datetime | None = None) -> tuple[Candidate, list[Event]]:
        self.require_candidate(candidate_id)
        return self.app.history(candidate_id, as_of, known_at)

    def candidates(self, f: CandidateFilter) -> Page:
        scope = self._narrow(f.org)
        with self.app.uow.reading() as tx:
            return candidate_lists.list_candidates(tx.conn, scope, f, self.app.today())

    def stage_counts(self, org: str | None = None) -> dict[str, int]:
        scope = self._narrow(org)
        with self.app.uow.reading() as tx:
            return candidate_lists.stage_counts(tx.conn, scope)

    def deadlines(self, until: date | None = None, overdue: bool = False, org: str | None = None,
                  limit: int = DEFAULT_LIMIT, cursor: str | None = None, count: bool = True,
                  upcoming: bool = False) -> Page:
        """A page of the open deadlines in the user's organisations (or `org`'s, when they read it), soonest
        first. Raises: OutOfScope, BadCursor."""
        return self.app.deadline_page(until=until, overdue=overdue, limit=limit, cursor=cursor, count=count,
                                      scope=self._narrow(org), upcoming=upcoming)

    def orgs(self) -> list[Organisation]:
        return [o for o in self.app.orgs(self.who.scope) if self.who.sees(o.code)]

    def org_choices(self, picked: str | None = None) -> list[Organisation]:
        """The organisations a list offers to narrow it to: the user's own, the path from them down to `picked`
        and the organisations right under it (under the user's own when none is picked). As many as the tree's
        fan-out, not the scope: a province's auditor reads 1,500 organisations at the nation's size, and every
        list page listed them all (issue 14). From the tree kept in memory, not the organisation rows."""
        tree = self.app.organisations.tree()
        own = sorted(code for code in self.who.user.orgs if tree.get(code) is not None)
        path = [o.code for o in reversed(tree.chain(picked))] if picked else []
        under = tree.children(picked) if picked else [c for code in own for c in tree.children(code)]
        codes = dict.fromkeys(c for c in [*own, *path, *([picked] if picked else []), *under] if self.who.sees(c))
        return [org for org in (tree.get(c) for c in codes) if org is not None]

    def org_tree(self, on: date | None = None) -> tuple[Tree, list[Organisation]]:
        """The tree of `on` (None: every recorded change) and the organisations of it this user reads."""
        tree = self.app.organisations.tree(on)
        return tree, [o for code, o in sorted(tree.orgs.items()) if self.who.sees(code)]

    def org(self, code: str) -> Organisation:
        """The organisation as every recorded change leaves it. Raises: OutOfScope, also when it does not exist."""
        self.who.require_org(code)
        return self.app.organisations.require(code)

    def org_history(self, code: str) -> tuple[Organisation, list[Event]]:
        """Raises: OutOfScope, also for an organisation that does not exist."""
        self.who.require_org(code)
        return self.app.organisations.history(code)

    def _narrow(self, org: str | None) -> set[str]:
        if org is None:
            return set(self.who.scope)
        self.who.require_org(org)
        return set(access.read_scope(self.app.organisations.tree(), [org]) & self.who.scope)

    # --- recording ----------------------------------------------------------------------------------------

    def record(self, candidate_id: str | None, spec: StepSpec, on: date, fields: dict[str, Any],
               expected_version: int | None = None, via: str = "api",
               idempotency_key: str | None = None) -> StepResult:
        """Record a step as this user; the service judges it, the user is the event's actor. The caller has
        found the step (`known_step`), so an unknown name is refused before anything else, and only once. A repeat
        with the same `idempotency_key` is answered as the first request was and writes nothing.

        Raises:
            AccessDenied, CandidateNotFound, StepNotAllowed, RuleViolation, ConcurrencyConflictError,
            IdempotencyKeyReused.
        """
        step = spec.name  # who may record it (and, for a correction, the step it corrects): workflow/access.py
        self.who.require_step(step)
        if candidate_id is None:
            self._require_named_orgs(step, fields)
        meta: dict[str, Any] = {"via": via}
        if self.who.token_id is not None:
            meta["token"] = self.who.token_id
        guard = None if candidate_id is None else self._guard(candidate_id, step, fields)
        return self.app.record_step(RecordStep(candidate_id=candidate_id, step=step, on=on, fields=fields,
                                               actor=self.who.actor, expected_version=expected_version, meta=meta),
                                    idempotency_key, guard)

    def _guard(self, candidate_id: str, step: str, fields: dict[str, Any]) -> StepGuard:
        """The checks on an existing candidate, asked by the service in the step's own transaction on the stream
        it loaded: no read transaction before the write (issue 19), and no window between the check and it."""
        def guard(history: list[Event], branch: str | None) -> None:
            if not history:
                raise CandidateNotFound(candidate_id)
            if step in access.RECORDED_AT_NAMED_ORG:  # a reception: the receiving branch's user (issue 13 item 6)
                incoming = (replay(history).pending_transfer or {}).get("to_org")
                if incoming is None or not self.who.writes(incoming):
                    raise CandidateNotFound(candidate_id)
            else:
                if branch is None or not self.who.sees(branch):
                    raise CandidateNotFound(candidate_id)
                self.who.require_writable(branch)
            self._require_named_orgs(step, fields)
            if step == "correct":
                self.who.require_correction(fields, history)
        return guard

    def permit_in(self, tx: StepTransaction, cmd: RecordStep) -> None:
        """The checks of `record` for one step of a batch recorded in the caller's transaction (an import, a
        class's certificates, run from the CLI as this user): the same rule (workflow/access.py
        `recording_denial`), on the candidate as that transaction holds it.

        Raises: AccessDenied, CandidateNotFound, RuleViolation (a malformed correction).
        """
        history = tx.load(cmd.candidate_id) if cmd.candidate_id else []
        branch = None
        if history:
            state = replay(history)
            recorded = state.org
            branch = tx.org_history().latest().current(recorded, cmd.candidate_id) if recorded else None
            incoming = (state.pending_transfer or {}).get("to_org") if cmd.step in access.RECORDED_AT_NAMED_ORG \
                else None
            if (branch is None or not self.who.sees(branch)) and (incoming is None or not self.who.writes(incoming)):
                raise CandidateNotFound(str(cmd.candidate_id))
        orgs = access.recording_orgs(cmd.step, cmd.fields, branch)
        writable = self.who.scope if self.who.writable is None else self.who.writable
        denied = access.recording_denial(self.who.role, cmd.step, cmd.fields, history, orgs, writable)
        if denied is not None:
            raise denied

    def change_orgs(self, changes: Sequence[OrgChange], dry_run: bool = False, via: str = "api") -> Restructuring:
        """Record changes of the tree as this user, if workflow/access.py lets them (decided in the recording
        transaction, on the history the changes are judged against); each event says how it came, as a step's.

        Raises:
            AccessDenied (with every reason), RuleViolation, ConcurrencyConflictError.
        """
        meta: dict[str, Any] = {"via": via}
        if self.who.token_id is not None:
            meta["token"] = self.who.token_id
        return self.app.organisations.change(changes, self.who.actor, dry_run=dry_run, meta=[meta] * len(changes),
                                             permit=self._permit(changes))

    def add_org(self, cmd: AddOrganisation) -> Organisation:
        """Raises: AccessDenied (with every reason), RuleViolation."""
        return self.app.organisations.add(cmd, self.who.actor, permit=self._permit([creation_of(cmd)]))

    def may_change_org(self, code: str) -> bool:
        """Whether to offer the change form of `code` (the rule itself is decided when a change is sent)."""
        tree = self.app.organisations.tree(self.app.today())
        return access.may_change_org(self.who.role, self.who.user.orgs, tree, code)

    def _permit(self, changes: Sequence[OrgChange]) -> Permit:
        def permit(history: OrgHistory) -> None:
            refused = access.org_change_refusals(self.who.role, self.who.user.orgs, history, changes)
            if refused:
                raise AccessDenied("org_change_forbidden", "; ".join(v.message_en for v in refused), refused)
        return permit

    def _require_named_orgs(self, step: str, fields: dict[str, Any]) -> None:
        """A new candidate goes into, and a transfer moves to, an organisation of the user's own."""
        value = access.named_org(step, fields)
        if value is not None and not self.who.writes(value):
            raise AccessDenied("out_of_scope", f"organisation {value!r} is not one of yours")
