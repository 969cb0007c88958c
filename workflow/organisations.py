"""The organisation use cases: add an organisation, record dated changes of the tree (one or a whole
restructuring, in one transaction, all or nothing), and read the tree as of a date.

Every change is judged against the tree in force on its date with the candidates in flight
(states/org_changes.py); if any is refused, nothing is written and every reason is raised at once, each naming
its change. Candidates of a merged or split branch follow the successor the change names: their events are never
rewritten, only the lists' projection shows them under their new branch.
"""

from __future__ import annotations  # the restructuring's types, named for mypy only (issue 14)

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from states.errors import ProcedureError, RuleViolation, Violation
from states.events import Event
from states.org_changes import check_change
from states.organisations import KIND_LABELS_VI, SINCE_ALWAYS, Organisation, OrgChange, OrgHistory, Tree
from storage import organisations
from storage.unit_of_work import SqlUnitOfWork, Transaction
from workflow.clock import Clock
from workflow.commands import AddOrganisation, ChangeOrganisation

if TYPE_CHECKING:
    from storage.org_impact import Attached, Placed


class OrganisationError(ProcedureError):
    """An organisation was not found; the message names the code."""


class ChangesRefused(RuleViolation):
    """A RuleViolation that also says which change each reason is about ({index in the list: its reasons},
    unlabelled), so that a workbook can point at the row and column of each."""

    def __init__(self, step: str, violations: Sequence[Violation],
                 by_change: Sequence[tuple[int, Violation]]) -> None:
        super().__init__(step, violations)
        self.by_change = tuple(by_change)


@dataclass(frozen=True)
class Moved:
    """A candidate whose branch, or whose deciding committee, the changes move."""

    id: str
    full_name: str
    stage: str
    from_org: str
    to_org: str
    from_body: str | None
    to_body: str | None
    open_deadlines: int


@dataclass
class Restructuring:
    """What a set of changes did (or, in a dry run, would do)."""

    changes: list[OrgChange]
    events: list[Event] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    attached: list[Attached] = field(default_factory=list)  # reference data of organisations that end
    dry_run: bool = False
    meta: list[Mapping[str, Any]] = field(default_factory=list)  # provenance of each change, when given


class _DryRun(Exception):
    pass


Permit = Callable[[OrgHistory], None]  # raises when the user may not record the changes


def creation_of(cmd: AddOrganisation) -> OrgChange:
    return OrgChange("created", cmd.code, cmd.on or SINCE_ALWAYS, cmd.decision, cmd.issuer, name=cmd.name,
                     level=cmd.level, parent=cmd.parent, admits=cmd.admits, org_type=cmd.org_type)


def change_of(cmd: ChangeOrganisation) -> OrgChange:
    return OrgChange(kind=cmd.kind, code=cmd.code, on=cmd.on, decision=cmd.decision, issuer=cmd.issuer,
                     name=cmd.name, level=cmd.level, parent=cmd.parent, admits=cmd.admits, into=cmd.into,
                     parts=dict(cmd.parts), org_type=cmd.org_type)


@dataclass
class Organisations:
    uow: SqlUnitOfWork
    clock: Clock
    types: tuple[str, ...] | None = None  # config.yaml `org_types`; None accepts any type

    def add(self, cmd: AddOrganisation, actor: str, *, permit: Permit | None = None) -> Organisation:
        """Record an organisation's creation (dated, or "before anything recorded" without `on`)."""
        self.change([creation_of(cmd)], actor, permit=permit)
        return self.require(cmd.code)

    def change(self, changes: Sequence[OrgChange], actor: str, *, dry_run: bool = False,
               meta: Sequence[Mapping[str, Any]] | None = None, permit: Permit | None = None) -> Restructuring:
        """Judge every change in order and record them all in one transaction, or none. `permit` (an entry
        point's role check, workflow/access.py) sees the history the changes are judged against, in the same
        transaction, so a change recorded meanwhile cannot slip between the check and the write.

        Raises:
            RuleViolation: every reason, of every change (each message names its change).
            whatever `permit` raises, before anything is judged or written.
        """
        result = Restructuring(list(changes), dry_run=dry_run, meta=list(meta or []))
        now = self.clock.now()
        try:
            with self.uow.transaction() as tx:
                if permit is not None:
                    permit(tx.org_history())
                self._change_in(tx, result, actor, now)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        finally:
            self.uow.org_log.forget()
        return result

    def _change_in(self, tx: Transaction, result: Restructuring, actor: str, now: datetime) -> None:
        from storage import org_impact  # every feature's tables: loaded by a change of the tree only (issue 14)

        before = tx.org_history()
        placed = org_impact.candidates(tx.conn)
        in_flight: dict[str, list[str]] = {}
        for p in placed:
            if p.in_flight:
                in_flight.setdefault(p.org, []).append(p.id)
        history = before
        problems: list[Violation] = []
        by_change: list[tuple[int, Violation]] = []
        for index, change in enumerate(result.changes, start=1):
            found = check_change(history, change, in_flight, self.types)
            if found:
                vi, en = _labels(index, change, len(result.changes))
                problems += [replace(v, message_vi=f"{vi}: {v.message_vi}", message_en=f"{en}: {v.message_en}")
                             for v in found]
                by_change += [(index - 1, v) for v in found]
                continue
            history = history.followed_by(change)  # the tree carried forward, not replayed per change
            _follow(in_flight, change)
        if problems:
            first = result.changes[0]
            raise ChangesRefused("org restructure" if len(result.changes) > 1 else f"org {first.kind} {first.code}",
                                 problems, by_change)
        after = history
        result.events = organisations.append(tx.conn, result.changes, actor, now, result.meta)
        organisations.write_projection(tx.conn, after.latest(), now)
        result.moved = _moved(tx, placed, before, after, result.changes)
        org_impact.carry(tx.conn, {m.id: m.to_org for m in result.moved if m.to_org != m.from_org})
        ended = [c.code for c in result.changes if c.kind in ("merged", "split", "dissolved")]
        result.attached = [a for a in org_impact.attached(tx.conn, ended)
                           if a.plans or a.membership_years or a.contacts or a.classes or a.users]

    # --- reading -----------------------------------------------------------------------------------------

    def tree(self, on: date | None = None) -> Tree:
        """The tree in force on `on`; with no date, every recorded change applied."""
        history = self.history_log()
        return history.tree_on(on) if on is not None else history.latest()

    def history_log(self) -> OrgHistory:
        """Every recorded change: trees as of any date."""
        with self.uow.reading() as tx:
            return tx.org_history()

    def history(self, code: str) -> tuple[Organisation, list[Event]]:
        """The organisation as every change leaves it, and the events that name it (its own and the merges or
        splits that made it a successor), in recorded order."""
        with self.uow.reading() as tx:
            history = tx.org_history()
            events = organisations.load_events(tx.conn)
        org = history.latest().get(code)
        if org is None:
            raise OrganisationError(f"no organisation with code {code!r}")
        naming = [e for e in events if e.stream_id == code or e.payload.get("into") == code
                  or code in (e.payload.get("parts") or {}).values()]
        return org, naming

    def scope(self, roots: Sequence[str], on: date | None = None) -> set[str]:
        """Every organisation under (and including) `roots`."""
        return self.tree(on).subtree(roots)

    def require(self, code: str) -> Organisation:
        org = self.tree().get(code)
        if org is None:
            raise OrganisationError(f"no organisation with code {code!r}")
        return org


def _labels(index: int, change: OrgChange, total: int) -> tuple[str, str]:
    """Which change a reason is about, in Vietnamese (dd/mm/yyyy) and English (ISO)."""
    where = f"#{index} " if total > 1 else ""
    kind = KIND_LABELS_VI.get(change.kind, change.kind)
    return (f"{where}{kind} {change.code} ({change.on.strftime('%d/%m/%Y')})",
            f"{where}{change.kind} {change.code} ({change.on.isoformat()})")


def _follow(in_flight: dict[str, list[str]], change: OrgChange) -> None:
    """Candidates in flight follow a merged or split branch, for the changes judged after it in one batch."""
    waiting = in_flight.pop(change.code, None) if change.kind in ("merged", "split") else None
    if not waiting:
        return
    for cid in waiting:
        to = change.into if change.kind == "merged" else change.parts.get(cid)
        in_flight.setdefault(to or change.code, []).append(cid)


def _moved(tx: Transaction, placed: list[Placed], before: OrgHistory, after: OrgHistory,
           changes: Sequence[OrgChange]) -> list[Moved]:
    """Candidates whose branch or deciding committee differ, on the changes' dates, before and after them."""
    from storage import org_impact

    days = sorted({c.on for c in changes})
    old_now, new_now = before.latest(), after.latest()
    found: dict[str, tuple[Placed, str, str | None, str | None]] = {}
    for day in days:
        old_tree, new_tree = before.tree_on(day), after.tree_on(day)
        old_bodies, new_bodies = _bodies(old_tree), _bodies(new_tree)
        for p in placed:
            to = new_now.current(p.org, p.id)
            if not p.in_flight and to == p.org:
                continue
            old_body = old_bodies(old_tree.current(p.org, p.id))
            new_body = new_bodies(new_tree.current(p.org, p.id))
            if to != old_now.current(p.org, p.id) or old_body != new_body:
                found.setdefault(p.id, (p, to, old_body, new_body))
    deadlines = org_impact.open_deadlines(tx.conn, found)
    return [Moved(p.id, p.full_name, p.stage, p.org, to, old_body, new_body, deadlines.get(p.id, 0))
            for p, to, old_body, new_body in sorted(found.values(), key=lambda f: (f[0].org, f[0].full_name))]


def _bodies(tree: Tree) -> Callable[[str], str | None]:
    """The committee competent for a branch's candidates on the tree's day, worked out once per branch: a
    restructuring asks it for every candidate, and thousands share a branch."""
    known: dict[str, str | None] = {}

    def body(code: str) -> str | None:
        if code not in known:
            known[code] = tree.competent_body(code)[0]
        return known[code]

    return body


def subtree_now(history: OrgHistory, code: str) -> set[str]:
    """`code` and everything under it as every recorded change leaves the tree (what lists and scopes read).

    Raises:
        OrganisationError: no organisation `code`.
    """
    latest = history.latest()
    if latest.get(code) is None:
        raise OrganisationError(f"no organisation with code {code!r}")
    return latest.subtree([code])
