"""An in-memory unit of work for the step path: the same contract as the SQL one (append with optimistic
concurrency, projections written with the events, all or nothing), so that the application's rules can be
tested in milliseconds. Not for production: nothing is durable."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

from states.candidate import Candidate
from states.events import Event
from states.organisations import OrgChange, OrgHistory
from storage import projections
from storage.errors import ConcurrencyConflictError, DuplicateRowError
from storage.idempotency import Remembered


@dataclass
class MemoryState:
    streams: dict[str, list[Event]] = field(default_factory=dict)
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    deadlines: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    report_facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    org_changes: list[OrgChange] = field(default_factory=list)
    keys: dict[tuple[str, str], Remembered] = field(default_factory=dict)


class MemoryTransaction:
    def __init__(self, state: MemoryState, positions: Iterator[int]) -> None:
        self.state = state
        self._positions = positions

    def load(self, stream_id: str) -> list[Event]:
        return list(self.state.streams.get(stream_id, ()))

    def append(self, events: Sequence[Event], expected_version: int) -> None:
        if not events:
            return
        stream = self.state.streams.setdefault(events[0].stream_id, [])
        if len(stream) != expected_version:
            raise ConcurrencyConflictError(events[0].stream_id, expected_version, len(stream))
        for offset, event in enumerate(events, start=1):
            if event.stream_id != events[0].stream_id or event.version != expected_version + offset:
                raise ValueError(f"event {event.stream_id}#{event.version} does not follow version "
                                 f"{expected_version}")
        stream.extend(e._replace(position=next(self._positions)) for e in events)

    def project(self, candidate: Candidate, new_events: Sequence[Event] | None, now: datetime,
                before: projections.RowsBefore | None = None, org: str | None = None) -> None:
        """Every row from the candidate as it now is (`new_events` and `before` only save SQL writes)."""
        del new_events, before
        self.state.candidates[candidate.id] = projections.candidate_values(candidate, now, org)
        for row in projections.deadline_values(candidate, candidate.deadlines, org):
            self.state.deadlines[(candidate.id, row["kind"])] = row

    def project_report(self, facts: dict[str, Any]) -> None:
        self.state.report_facts[facts["id"]] = facts

    def org_history(self) -> OrgHistory:
        return OrgHistory(self.state.org_changes)

    def remembered(self, actor: str, key: str) -> Remembered | None:
        return self.state.keys.get((actor, key))

    def remember(self, answer: Remembered, now: datetime) -> None:
        del now
        if (answer.actor, answer.key) in self.state.keys:
            raise DuplicateRowError(f"idempotency key {answer.key!r} of {answer.actor}")
        self.state.keys[(answer.actor, answer.key)] = answer


class MemoryUnitOfWork:
    def __init__(self, org_changes: Sequence[OrgChange] = ()) -> None:
        self.state = MemoryState(org_changes=list(org_changes))
        self._positions = count(1)

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """Work on a copy; it replaces the state only when the block ends without an error."""
        working = deepcopy(self.state)
        yield MemoryTransaction(working, self._positions)
        self.state = working

    @contextmanager
    def reading(self) -> Iterator[MemoryTransaction]:
        yield MemoryTransaction(self.state, self._positions)
