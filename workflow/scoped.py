"""The Ketnap service as one signed-in user may use it: the same code paths, behind scope and role checks.

Something outside the user's organisations is answered exactly like something that does not exist
(CandidateNotFound), so a secretary of branch A cannot even learn that a candidate of branch B exists.
"""

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
from workflow import access
from workflow.access import AccessDenied, Principal
from workflow.commands import AddOrganisation, RecordStep
from workflow.organisations import Permit, Restructuring, creation_of
from workflow.service import Ketnap, StepResult


def principal_for(app: Ketnap, user: User, via: str, token_id: int | None = None) -> Principal:
    """The user with what they read (ended organisations included) and where they write (living ones)."""
    tree = app.organisations.tree()
    return Principal(user, access.read_scope(tree, user.orgs), via, token_id, access.write_scope(tree, user.orgs))


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
            org = candidate_lists.candidate_org(tx.conn, candidate_id)
        if org is None or not (self.who.sees(org) or self.who.sees(self._incoming_org(candidate_id))):
            raise CandidateNotFound(candidate_id)
        return org

    def _incoming_org(self, candidate_id: str) -> str | None:
        """Where a probationary member's transfer waits to be received (replayed: asked only of a candidate outside
        the user's organisations, which is rare)."""
        events = self.app.events(candidate_id)
        pending = replay(events).pending_transfer if events else None
        return None if pending is None else str(pending["to_org"])

    def _require_incoming(self, candidate_id: str) -> None:
        """The receiving branch's user records a reception (issue 13 item 6): the transfer waits for one of their
        branches. Anyone else is answered as if the candidate did not exist.

        Raises: CandidateNotFound.
        """
        with self.app.uow.reading() as tx:
            org = candidate_lists.candidate_org(tx.conn, candidate_id)
        incoming = self._incoming_org(candidate_id) if org is not None else None
        if incoming is None or not self.who.writes(incoming):
            raise CandidateNotFound(candidate_id)

    def show(self, candidate_id: str, on: date | None = None) -> StepResult:
        self.require_candidate(candidate_id)
        return self.app.show(candidate_id, on)

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
        if candidate_id is not None and step in access.RECORDED_AT_NAMED_ORG:
            self._require_incoming(candidate_id)  # the receiving branch records it, not the sending one
        elif candidate_id is not None:
            self.who.require_writable(self.require_candidate(candidate_id))
        self._require_named_orgs(step, fields)
        if step == "correct" and candidate_id is not None:
            self.who.require_correction(fields, self.app.events(candidate_id))
        meta: dict[str, Any] = {"via": via}
        if self.who.token_id is not None:
            meta["token"] = self.who.token_id
        return self.app.record_step(RecordStep(candidate_id=candidate_id, step=step, on=on, fields=fields,
                                               actor=self.who.actor, expected_version=expected_version, meta=meta),
                                    idempotency_key)

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
