"""The application service: every use case of the secretaries and auditors, one transaction per step."""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from states.calendar import WorkingCalendar
from states.candidate import Candidate, apply, replay
from states.decide import Allowed, allowed_steps, dated_before_last, judge
from states.errors import CandidateNotFound, RuleViolation, Violation
from states.events import Event
from states.organisations import OrgHistory
from states.report_facts import facts_of
from states.rules import RuleBook
from states.step import Step
from states.views import history_view
from storage import organisations
from storage.candidate_lists import CandidateFilter, DeadlineFilter, Order, list_candidates, open_deadlines
from storage.candidate_lists import incoming_transfers as waiting_transfers
from storage.errors import ConcurrencyConflictError, DuplicateRowError, IdempotencyKeyReused
from storage.failures import BusyRetry
from storage.idempotency import Remembered
from storage.organisations import Organisation
from storage.paging import BATCH, DEFAULT_LIMIT, Page, walk
from storage.projections import rows_before
from storage.unit_of_work import SqlUnitOfWork, StepsUnitOfWork, StepTransaction
from workflow.clock import Clock, local_today
from workflow.commands import AddOrganisation, RecordStep
from workflow.config import Settings
from workflow.facts import authority, step_facts
from workflow.organisations import OrganisationError, Organisations, subtree_now

logger = logging.getLogger(__name__)
RETRIES_ON_CONFLICT = 3
# Who may record a step of a batch (an import, a class's certificates) in the batch's transaction: raises
# AccessDenied or CandidateNotFound (workflow/scoped.py `ScopedKetnap.permit_in`); None: the server's operator.
StepPermit = Callable[[StepTransaction, RecordStep], None]
# Who may record a step on this candidate, decided in the step's own transaction on the history it loaded and the
# branch the candidate belongs to now (None for a new candidate): raises AccessDenied or CandidateNotFound
# (workflow/scoped.py `ScopedKetnap.record`), so that no read transaction runs before the write.
StepGuard = Callable[[list[Event], str | None], None]


def new_candidate_id() -> str:
    return uuid.uuid4().hex[:12]


class StepResult:
    """A candidate after a step (or as shown), its events, and what can come next.

    `allowed` may be given as a function: it is then worked out on first use, because recording a step does
    not need it and it costs more than the step itself (organisation look-ups and every next step's guards).
    """

    def __init__(self, candidate: Candidate, events: list[Event],
                 allowed: list[Allowed] | Callable[[], list[Allowed]] | None = None,
                 warnings: list[Violation] | None = None, orgs: OrgHistory | None = None) -> None:
        self.candidate = candidate
        self.orgs = orgs  # the organisation history a recorded step was judged on
        self.events = events
        self._allowed = [] if allowed is None else allowed
        self.warnings = warnings or []  # accepted, but worth a second look (a step dated out of order)

    @property
    def allowed(self) -> list[Allowed]:
        if callable(self._allowed):
            self._allowed = self._allowed()
        return self._allowed

    @allowed.setter
    def allowed(self, value: list[Allowed]) -> None:
        self._allowed = value

    def __repr__(self) -> str:
        return f"StepResult(candidate={self.candidate!r}, events={self.events!r})"


@dataclass(frozen=True)
class Keyed:
    """A step request sent with an idempotency key: the user, the key, and a hash of what was asked."""

    actor: str
    key: str
    request_hash: str

    @classmethod
    def of(cls, cmd: RecordStep, key: str) -> "Keyed":
        asked = cmd.model_dump(mode="json", exclude={"actor", "meta"})  # how it came (web, api) is not the request
        canonical = json.dumps(asked, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return cls(cmd.actor, key, hashlib.sha256(canonical.encode()).hexdigest())

    def answered(self, result: StepResult) -> Remembered:
        last = result.candidate.version
        return Remembered(self.actor, self.key, self.request_hash, result.candidate.id, last - len(result.events) + 1,
                          last)


@dataclass
class Ketnap:
    settings: Settings
    engine: Engine
    clock: Clock
    rulebook: RuleBook
    calendar: WorkingCalendar
    steps_uow: StepsUnitOfWork | None = None  # the step path's unit of work; the SQL one when None
    busy_retry: BusyRetry | None = None  # how a step waits out a busy database; config.yaml's when None

    @property
    def on_busy(self) -> BusyRetry:
        return self.busy_retry if self.busy_retry is not None else self.settings.database.retry()

    @cached_property
    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    @property
    def _steps(self) -> StepsUnitOfWork:
        return self.steps_uow if self.steps_uow is not None else self.uow

    def today(self) -> date:
        return local_today(self.clock)

    # --- recording steps ----------------------------------------------------------------------------------

    def record_step(self, cmd: RecordStep, idempotency_key: str | None = None,
                    guard: StepGuard | None = None) -> StepResult:
        """Judge and record one step; retried on a lost race unless the user named the version they saw.

        With an idempotency key, the key is stored in the step's transaction: a request repeating a recorded one
        (same user, key and request) is answered as the first was and writes nothing. A concurrent repeat waits
        for the first at the database (SQLite's writer lock, PostgreSQL's unique index) and gets its answer, so
        no request with a key is ever told "still in flight". A refused request stores no key.

        A database kept busy by another writer (a long import) is tried again a few times (`on_busy`), as the
        transaction rolled back and wrote nothing; then DatabaseBusy is raised. `guard`: who may record it, checked
        in the same transaction before anything is judged.

        Raises:
            CandidateNotFound, StepNotAllowed, RuleViolation, ConcurrencyConflictError, IdempotencyKeyReused,
            DatabaseBusy, StorageFull.
        """
        keyed = None if idempotency_key is None else Keyed.of(cmd, idempotency_key)
        attempts = 1 if cmd.expected_version is not None else RETRIES_ON_CONFLICT
        for attempt in range(1, attempts + 1):
            try:
                return self.on_busy.run(lambda: self._record_once(cmd, keyed, guard), f"step {cmd.step}")
            except (ConcurrencyConflictError, DuplicateRowError) as err:
                first = None if keyed is None else self._first_answer(keyed)
                if first is not None:  # lost to a request with the same key: its answer is ours
                    return first
                if isinstance(err, DuplicateRowError) or attempt == attempts:
                    raise
                logger.info("conflict on %s, retrying (%d/%d)", cmd.candidate_id, attempt, attempts)
        raise AssertionError("unreachable")

    def _record_once(self, cmd: RecordStep, keyed: Keyed | None = None,
                     guard: StepGuard | None = None) -> StepResult:
        now = self.clock.now()
        with self._steps.transaction() as tx:
            first = None if keyed is None else self._remembered(tx, keyed)
            if first is not None:
                if guard is not None:
                    guard(first[2], tx.org_history().latest().current(first[0].org, first[0].id))
                return StepResult(first[0], first[1], self._allowed_later(first[0], self.today()))
            result = self.record_in(tx, cmd, now, guard)
            if keyed is not None:
                tx.remember(keyed.answered(result), now)
        # the allowed steps are worked out on the organisation history the step was judged on: no other read
        return StepResult(result.candidate, result.events,
                          self._allowed_later(result.candidate, self.today(), result.orgs), result.warnings)

    def _first_answer(self, keyed: Keyed) -> StepResult | None:
        with self._steps.reading() as tx:
            first = self._remembered(tx, keyed)
        return None if first is None else StepResult(first[0], first[1], self._allowed_later(first[0], self.today()))

    @staticmethod
    def _remembered(tx: StepTransaction, keyed: Keyed) -> tuple[Candidate, list[Event], list[Event]] | None:
        """The candidate and the events as the first request with this key answered them, and the stream up to
        them.

        Raises:
            IdempotencyKeyReused: the key was first sent with another request.
        """
        found = tx.remembered(keyed.actor, keyed.key)
        if found is None:
            return None
        if found.request_hash != keyed.request_hash:
            raise IdempotencyKeyReused(keyed.key)
        history = tx.load(found.candidate_id)[:found.last_version]
        # The first answer's events had no global position yet: the repeat answers the same document.
        events = [e._replace(position=None) for e in history[found.first_version - 1:]]
        return replay(history, stream_id=found.candidate_id), events, history

    def record_in(self, tx: StepTransaction, cmd: RecordStep, now: datetime,
                  guard: StepGuard | None = None) -> StepResult:
        """Judge and append one step inside the caller's transaction (batches: one transaction, all or nothing);
        `guard` is asked first, on the stream as loaded.

        Raises:
            CandidateNotFound, StepNotAllowed, RuleViolation, ConcurrencyConflictError.
        """
        stream_id = cmd.candidate_id or new_candidate_id()
        history = tx.load(stream_id) if cmd.candidate_id else []
        if cmd.candidate_id and not history:
            raise CandidateNotFound(cmd.candidate_id)
        candidate = replay(history, stream_id=stream_id)
        orgs = tx.org_history()
        latest = orgs.latest()
        if guard is not None:
            guard(history, latest.current(candidate.org, stream_id) if history else None)
        if cmd.expected_version is not None and cmd.expected_version != candidate.version:
            raise ConcurrencyConflictError(stream_id, cmd.expected_version, candidate.version)
        step = Step(cmd.step, cmd.on, cmd.fields, now, cmd.actor,
                    step_facts(orgs, cmd.step, cmd.on, cmd.fields, history, candidate), cmd.meta)
        outcome = judge(history, candidate, step, self.rulebook, self.calendar)
        new, before = outcome.events, None
        if outcome.replayed:
            candidate = outcome.candidate
        else:
            before = rows_before(candidate, new, now, latest.current(candidate.org, stream_id))
            for event in new:
                apply(candidate, event)
        tx.append(new, expected_version=len(history))
        tx.project(candidate, None if outcome.replayed else new, now, before, latest.current(candidate.org, stream_id))
        tx.project_report(facts_of([*history, *new], candidate))
        return StepResult(candidate, new, warnings=dated_before_last(history, step, self.rulebook), orgs=orgs)

    def _allowed_later(self, candidate: Candidate, on: date,
                       orgs: OrgHistory | None = None) -> Callable[[], list[Allowed]]:
        """`orgs`: the organisation history the step was recorded on (else read again when asked)."""
        def compute() -> list[Allowed]:
            if orgs is not None:
                return self._allowed_on(orgs, candidate, on)
            with self._steps.reading() as tx:
                return self._allowed(tx, candidate, on)
        return compute

    def _allowed(self, tx: Any, candidate: Candidate, on: date) -> list[Allowed]:
        return self._allowed_on(tx.org_history(), candidate, on)

    def _allowed_on(self, orgs: OrgHistory, candidate: Candidate, on: date) -> list[Allowed]:
        facts = authority(orgs.tree_on(on), candidate)
        return allowed_steps(candidate, self.rulebook.for_date(on), self.calendar, on, facts)

    # --- reading -----------------------------------------------------------------------------------------

    def events(self, candidate_id: str) -> list[Event]:
        with self._steps.reading() as tx:
            history = tx.load(candidate_id)
        if not history:
            raise CandidateNotFound(candidate_id)
        return history

    def show(self, candidate_id: str, on: date | None = None) -> StepResult:
        with self._steps.reading() as tx:
            history = tx.load(candidate_id)
            if not history:
                raise CandidateNotFound(candidate_id)
            candidate = replay(history)
            allowed = self._allowed(tx, candidate, on or self.today())
        return StepResult(candidate, history, allowed)

    def history(self, candidate_id: str, as_of: date | None = None,
                known_at: datetime | None = None) -> tuple[Candidate, list[Event]]:
        """The candidate as it stood on a business date (`as_of`), or as the system knew it (`known_at`)."""
        return history_view(self.events(candidate_id), as_of, known_at)

    # --- organisations -------------------------------------------------------------------------------------

    @cached_property
    def organisations(self) -> Organisations:
        return Organisations(self.uow, self.clock, tuple(self.settings.org_types))

    def add_org(self, cmd: AddOrganisation, actor: str = "cli") -> Organisation:
        return self.organisations.add(cmd, actor)

    def orgs(self, codes: Collection[str] | None = None) -> list[Organisation]:
        """Every organisation, or only those of `codes`."""
        with self.uow.reading() as tx:
            return organisations.all_orgs(tx.conn, codes)

    def _scope(self, tx: Any, org: str | None) -> set[str] | None:
        if org is None:
            return None
        return subtree_now(tx.org_history(), org)

    def candidates(self, org: str | None = None, stage: str | None = None,
                   limit: int = 1000) -> list[dict[str, Any]]:
        """The first `limit` candidates, as `candidate_page` (a few, in tests and small tools)."""
        return self.candidate_page(org, stage, limit).rows

    def candidate_page(self, org: str | None = None, stage: str | None = None, limit: int = DEFAULT_LIMIT,
                       cursor: str | None = None, offset: int = 0, count: bool = False) -> Page:
        """A page of candidates by organisation then name, every column (the CLI's list, the exports).

        Raises: BadCursor."""
        with self.uow.reading() as tx:
            return list_candidates(tx.conn, self._scope(tx, org),
                                   CandidateFilter(stage=stage, limit=limit, offset=offset, cursor=cursor,
                                                   count=count),
                                   self.today(), order=Order.ORG, columns=None)

    def incoming_transfers(self, org: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """The probationary members transferred to `org`'s branches (every branch: None) and not yet received
        (`ketnap candidate list --incoming`; storage/candidate_lists.py)."""
        with self.uow.reading() as tx:
            return waiting_transfers(tx.conn, self._scope(tx, org), limit)

    def every_candidate(self, org: str | None = None, stage: str | None = None) -> Iterator[dict[str, Any]]:
        """Every candidate, as `candidates`, read a batch at a time (exports, enrolling a branch's candidates)."""
        return walk(lambda cursor: self.candidate_page(org, stage, BATCH, cursor))

    def deadline_page(self, org: str | None = None, until: date | None = None, overdue: bool = False,
                      limit: int = DEFAULT_LIMIT, cursor: str | None = None, offset: int = 0,
                      count: bool = True, scope: set[str] | None = None, upcoming: bool = False) -> Page:
        """A page of open deadlines, soonest first, with the working days left (negative when overdue), and how
        many there are in all. `overdue`: only those past; `upcoming`: only those not yet past. `scope`
        (ScopedKetnap's organisations) replaces `org`'s subtree.

        Raises: BadCursor."""
        today = self.today()
        f = DeadlineFilter(until, today if overdue else None, limit, offset, cursor, count,
                           today if upcoming else None)
        with self.uow.reading() as tx:
            page = open_deadlines(tx.conn, scope if scope is not None else self._scope(tx, org), f)
        for row in page.rows:  # a page's worth: the calendar walk is not paid for rows nobody sees (issue 19)
            row["working_days_left"] = self.calendar.working_days_between(today, row["due_on"])
            row["overdue"] = row["due_on"] < today
        return page

    def deadlines(self, org: str | None = None, until: date | None = None,
                  overdue: bool = False) -> Iterator[dict[str, Any]]:
        """Every open deadline, as `deadline_page`, read a batch at a time (memory holds one batch)."""
        return walk(lambda cursor: self.deadline_page(org, until, overdue, BATCH, cursor, count=False))


__all__ = ["Ketnap", "OrganisationError", "RuleViolation", "StepResult", "history_view"]
