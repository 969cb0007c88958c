"""Baseline (b): the `eventsourcing` library doing the same load-command-save per step on its SQLite store.

One aggregate per candidate, one command method per step of the standard path; every command loads the
aggregate from its stored events (no snapshots, no cache), applies the step and saves the new event. The
library is a benchmark-only dependency (pyproject extra `bench`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing import sqlite as es_sqlite
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class CandidateAggregate(Aggregate):
    """State kept the way our `Candidate` keeps it: the fields each step sets, and the step count."""

    @event("Identified")
    def __init__(self, on: str, fields: dict[str, Any]) -> None:
        self.person = fields
        self.identified_on = on
        self.steps: list[str] = ["identify"]
        self.recorded: dict[str, dict[str, Any]] = {}

    def _note(self, step: str, on: str, fields: dict[str, Any]) -> None:
        self.steps.append(step)
        self.recorded[step] = {"on": on, **fields}

    @event("HelperAssigned")
    def assign_helper(self, on: str, fields: dict[str, Any]) -> None:
        self._note("assign_helper", on, fields)

    @event("TrainingEnrolled")
    def enrol_training(self, on: str, fields: dict[str, Any]) -> None:
        self._note("enrol_training", on, fields)

    @event("TrainingCertified")
    def certify_training(self, on: str, fields: dict[str, Any]) -> None:
        self._note("certify_training", on, fields)

    @event("ApplicationSubmitted")
    def submit_application(self, on: str, fields: dict[str, Any]) -> None:
        self._note("submit_application", on, fields)

    @event("HistoryDeclared")
    def declare_history(self, on: str, fields: dict[str, Any]) -> None:
        self._note("declare_history", on, fields)

    @event("VettingConcluded")
    def conclude_vetting(self, on: str, fields: dict[str, Any]) -> None:
        self._note("conclude_vetting", on, fields)

    @event("Introduced")
    def introduce(self, on: str, fields: dict[str, Any]) -> None:
        self._note("introduce", on, fields)

    @event("CommentsCollected")
    def collect_comments(self, on: str, fields: dict[str, Any]) -> None:
        self._note("collect_comments", on, fields)

    @event("BranchVoted")
    def branch_vote(self, on: str, fields: dict[str, Any]) -> None:
        self._note("branch_vote", on, fields)

    @event("CommitteeVoted")
    def committee_vote(self, on: str, fields: dict[str, Any]) -> None:
        self._note("committee_vote", on, fields)

    @event("AdmissionDecided")
    def decide_admission(self, on: str, fields: dict[str, Any]) -> None:
        self._note("decide_admission", on, fields)

    @event("CeremonyHeld")
    def hold_ceremony(self, on: str, fields: dict[str, Any]) -> None:
        self._note("hold_ceremony", on, fields)

    @event("MemberHistorySubmitted")
    def submit_member_history(self, on: str, fields: dict[str, Any]) -> None:
        self._note("submit_member_history", on, fields)

    @event("NewMemberCourseCertified")
    def certify_new_member_course(self, on: str, fields: dict[str, Any]) -> None:
        self._note("certify_new_member_course", on, fields)

    @event("ReviewVoted")
    def review_vote(self, on: str, fields: dict[str, Any]) -> None:
        self._note("review_vote", on, fields)

    @event("CommitteeReviewVoted")
    def committee_review_vote(self, on: str, fields: dict[str, Any]) -> None:
        self._note("committee_review_vote", on, fields)

    @event("OfficialRecognised")
    def recognise_official(self, on: str, fields: dict[str, Any]) -> None:
        self._note("recognise_official", on, fields)


class Admissions(Application[UUID]):
    def identify(self, on: date, fields: dict[str, Any]) -> UUID:
        candidate = CandidateAggregate(on=on.isoformat(), fields=fields)
        self.save(candidate)
        return candidate.id

    def record(self, candidate_id: UUID, step: str, on: date, fields: dict[str, Any]) -> int:
        candidate: CandidateAggregate = self.repository.get(candidate_id)
        getattr(candidate, step)(on=on.isoformat(), fields=fields)
        self.save(candidate)
        return candidate.version


@contextmanager
def synchronous_normal() -> Iterator[None]:
    """Give the library's connections our pragma (`synchronous=NORMAL`; it sets WAL itself)."""
    original = es_sqlite.SQLiteConnectionPool._create_connection

    def create(pool: Any) -> Any:
        connection = original(pool)
        connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")
        return connection

    es_sqlite.SQLiteConnectionPool._create_connection = create  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        es_sqlite.SQLiteConnectionPool._create_connection = original  # type: ignore[method-assign]


def open_app(db: Path) -> Admissions:
    return Admissions(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db)})
