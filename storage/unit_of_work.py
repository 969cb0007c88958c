"""The unit of work: one database transaction per step, holding events, projections and (later) the outbox.

Either everything a step writes is committed, or nothing is (ARCHITECTURE.md decision 1).
"""

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
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

    def __init__(self, conn: Connection, org_log: organisations.OrgLog | None = None) -> None:
        self.conn = conn
        self._org_log = org_log if org_log is not None else organisations.OrgLog()

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
        """The organisation history as committed (read again only when the log changed)."""
        return self._org_log.history(self.conn)

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


class SqlUnitOfWork:
    """Made once per service: on SQLite it holds the service's write connection (storage/sqlite_writer.py)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer_for(engine) if engine.dialect.name == "sqlite" else None
        self.org_log = organisations.OrgLog()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction (BEGIN IMMEDIATE on SQLite); commits on success, rolls back on any error."""
        if self._writer is not None:
            with self._writer.transaction() as conn:
                yield Transaction(conn, self.org_log)
        else:
            with self.engine.begin() as conn:
                yield Transaction(conn, self.org_log)

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        """A read-only transaction that does not take SQLite's write lock."""
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn, conn.begin():
            yield Transaction(conn, self.org_log)

    @contextmanager
    def judging(self) -> Iterator[JudgingTransaction]:
        """A read-only transaction (one snapshot of what is committed) in which appends are only kept in memory."""
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn, conn.begin():
            yield JudgingTransaction(conn, self.org_log)
