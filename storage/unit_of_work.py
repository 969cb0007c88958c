"""The unit of work: one database transaction per step, holding events, projections and (later) the outbox.

Either everything a step writes is committed, or nothing is (ARCHITECTURE.md decision 1).
"""

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar, Token
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from states.candidate import Candidate
from states.events import Event
from states.organisations import OrgHistory
from storage import event_store, idempotency, organisations, projections
from storage.errors import ConcurrencyConflictError
from storage.idempotency import Remembered
from storage.sqlite_writer import writer_for


class StepTransaction(Protocol):
    """What the step path needs of a transaction: the SQL one below, or the in-memory one (storage/memory.py)
    that the service tests run the same contract on."""

    def load(self, stream_id: str) -> list[Event]: ...

    def append(self, events: Sequence[Event], expected_version: int) -> None: ...

    def project(self, candidate: Candidate, new_events: Sequence[Event] | None, now: datetime,
                before: projections.RowsBefore | None = None, org: str | None = None) -> None: ...

    def project_report(self, facts: dict[str, Any]) -> None: ...

    def org_history(self) -> OrgHistory: ...

    def remembered(self, actor: str, key: str) -> Remembered | None: ...

    def remember(self, answer: Remembered, now: datetime) -> None: ...


class StepsUnitOfWork(Protocol):
    def transaction(self) -> AbstractContextManager[StepTransaction]: ...

    def reading(self) -> AbstractContextManager[StepTransaction]: ...


class Transaction:
    """What a handler may do inside one transaction."""

    def __init__(self, conn: Connection, org_log: organisations.OrgLog | None = None, *,
                 reads_only: bool = False) -> None:
        self.conn = conn
        self._org_log = org_log if org_log is not None else organisations.OrgLog()
        self._reads_only = reads_only
        self._history: OrgHistory | None = None

    def load(self, stream_id: str) -> list[Event]:
        return event_store.load_stream(self.conn, stream_id)

    def append(self, events: Sequence[Event], expected_version: int) -> None:
        event_store.append(self.conn, events, expected_version)

    def project(self, candidate: Candidate, new_events: Sequence[Event] | None, now: datetime,
                before: projections.RowsBefore | None = None, org: str | None = None) -> None:
        projections.project(self.conn, candidate, new_events, now, before, org)

    def project_report(self, facts: dict[str, Any]) -> None:
        """The candidate's row of the report read model (states/report_facts.py), as this step leaves it."""
        from storage import report_model  # its tables load for the commands that write (issue 14: `ketnap show`)

        report_model.store(self.conn, facts)

    def org(self, code: str) -> organisations.Organisation | None:
        return organisations.get(self.conn, code)

    def org_history(self) -> OrgHistory:
        """The organisation history as committed (read again only when the log changed). A read transaction
        asks whether the log changed once: it writes no organisation event, and one answer per request is what
        a page needs (a change committed meanwhile shows on the next request)."""
        if not self._reads_only:
            return self._org_log.history(self.conn)
        if self._history is None:
            self._history = self._org_log.history(self.conn)
        return self._history

    def remembered(self, actor: str, key: str) -> Remembered | None:
        return idempotency.find(self.conn, actor, key)

    def remember(self, answer: Remembered, now: datetime) -> None:
        """Raises: DuplicateRowError, when a request with the same key committed first."""
        idempotency.remember(self.conn, answer, now)


class JudgingTransaction(Transaction):
    """Reads what is committed and keeps what it would append in memory: a batch (an import, a class
    certification) is judged row by row without taking the write lock, so the web waits for none of it. Nothing
    is projected and nothing is written; the batch is recorded afterwards in short write transactions."""

    def __init__(self, conn: Connection, org_log: organisations.OrgLog | None = None) -> None:
        super().__init__(conn, org_log)
        self._pending: dict[str, list[Event]] = {}

    def load(self, stream_id: str) -> list[Event]:
        return [*event_store.load_stream(self.conn, stream_id), *self._pending.get(stream_id, ())]

    def append(self, events: Sequence[Event], expected_version: int) -> None:
        """Raises: ConcurrencyConflictError, as the SQL append would (the same stream judged twice)."""
        if not events:
            return
        stream_id = events[0].stream_id
        found = len(self.load(stream_id))
        if found != expected_version:
            raise ConcurrencyConflictError(stream_id, expected_version, found)
        self._pending.setdefault(stream_id, []).extend(events)

    def project(self, candidate: Candidate, new_events: Sequence[Event] | None, now: datetime,
                before: projections.RowsBefore | None = None, org: str | None = None) -> None:
        """Nothing to project: the write pass projects what it records."""

    def project_report(self, facts: dict[str, Any]) -> None:
        """Nothing to project: the write pass projects what it records."""

    def remember(self, answer: Remembered, now: datetime) -> None:
        """Nothing is remembered: batches carry no idempotency key."""


class RequestReads:
    """One read transaction shared by every `reading()` of one web request (GET or HEAD): the session lookup,
    the user's scope and the page's reads run on one connection, with one BEGIN/COMMIT and one check of the
    organisation log, instead of a pool checkout and a transaction each (issue 14: that fixed cost was half of
    a page's). Opened at the first read, closed at the end of the request (workflow/web/reads.py), and closed early
    before a write of the same request (`SqlUnitOfWork.transaction`): reads after a write see it, and one
    request never holds two pooled connections at once (a write needs its own), so the pool cannot run dry
    with every thread holding a reader while waiting for a writer."""

    def __init__(self) -> None:
        self._uow: SqlUnitOfWork | None = None
        self._stack: ExitStack | None = None
        self._tx: Transaction | None = None
        self._depth = 0

    @contextmanager
    def reading(self, uow: "SqlUnitOfWork") -> Iterator[Transaction]:
        if self._tx is None:
            stack = ExitStack()
            conn = stack.enter_context(uow.engine.connect().execution_options(sqlite_begin="DEFERRED"))
            stack.enter_context(conn.begin())
            self._uow, self._stack, self._tx = uow, stack, Transaction(conn, uow.org_log, reads_only=True)
        self._depth += 1
        try:
            yield self._tx
        except BaseException:
            self._depth -= 1
            if self._depth == 0:  # a failed statement may have aborted the transaction: the next read starts anew
                self.close()
            raise
        self._depth -= 1

    def belongs_to(self, uow: "SqlUnitOfWork") -> bool:
        return self._uow is None or self._uow is uow

    def before_write(self) -> None:
        """A write of this request is about to start: end the reads that are not in progress."""
        if self._depth == 0:
            self.close()

    @property
    def open(self) -> bool:
        return self._stack is not None

    def close(self) -> None:
        stack, self._stack, self._tx, self._uow = self._stack, None, None, None
        if stack is not None:
            stack.close()


_REQUEST_READS: ContextVar[RequestReads | None] = ContextVar("ketnap_request_reads", default=None)


def share_reads() -> tuple[RequestReads, Token[RequestReads | None]]:
    """From here on (and in the threads this context hands work to, which copy it), `reading()` of a SQL unit of
    work shares one transaction, until `unshare_reads`, whose caller closes it (workflow/web/reads.py). Only for
    requests that read: a write ends the shared transaction first, so nothing read after it is stale."""
    reads = RequestReads()
    return reads, _REQUEST_READS.set(reads)


def unshare_reads(token: Token[RequestReads | None]) -> None:
    _REQUEST_READS.reset(token)


class SqlUnitOfWork:
    """Made once per service: on SQLite it holds the service's write connection (storage/sqlite_writer.py)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer_for(engine) if engine.dialect.name == "sqlite" else None
        self.org_log = organisations.OrgLog()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction (BEGIN IMMEDIATE on SQLite); commits on success, rolls back on any error."""
        shared = _REQUEST_READS.get()
        if shared is not None:
            shared.before_write()
        if self._writer is not None:
            with self._writer.transaction() as conn:
                yield Transaction(conn, self.org_log)
        else:
            with self.engine.begin() as conn:
                yield Transaction(conn, self.org_log)

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        """A read-only transaction that does not take SQLite's write lock (in a web request that reads, the
        request's one transaction: `share_reads`)."""
        shared = _REQUEST_READS.get()
        if shared is not None and shared.belongs_to(self):
            with shared.reading(self) as tx:
                yield tx
            return
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn, conn.begin():
            yield Transaction(conn, self.org_log, reads_only=True)

    @contextmanager
    def judging(self) -> Iterator[JudgingTransaction]:
        """A read-only transaction (one snapshot of what is committed) in which appends are only kept in memory."""
        shared = _REQUEST_READS.get()
        if shared is not None:
            shared.before_write()
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn, conn.begin():
            yield JudgingTransaction(conn, self.org_log)
