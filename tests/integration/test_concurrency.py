"""Several secretaries, each in its own OS process, record steps for the same candidates at once, on the SQLite
file and on PostgreSQL: every stream stays gapless and chained, every conflict is reported, nothing is lost or
recorded twice (issue 2, point 4)."""

import multiprocessing
from collections import Counter
from typing import Any

from sqlalchemy import select

from storage.projections import CANDIDATES
from tests.integration.race_worker import Job, Outcome, run_jobs
from tests.integration.support import chain_problems, record_path, steps_until
from workflow.service import Ketnap

PROCESSES, ATTEMPTS = 4, 25
RESULT_TIMEOUT_S = 120  # a hung worker fails the test instead of hanging the suite


def run_processes(db_url: str, jobs_per_worker: dict[str, list[Job]], read_version_first: bool) -> list[Outcome]:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(len(jobs_per_worker)), ctx.Queue()
    processes = [ctx.Process(target=run_jobs, args=(db_url, worker, jobs, read_version_first, start, results))
                 for worker, jobs in jobs_per_worker.items()]
    for p in processes:
        p.start()
    reports = [results.get(timeout=RESULT_TIMEOUT_S) for _ in processes]
    for p in processes:
        p.join(timeout=RESULT_TIMEOUT_S)
    assert [error for _, _, error in reports if error] == []
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return [outcome for _, outcomes, _ in reports for outcome in outcomes]


def projected_versions(ketnap: Ketnap) -> dict[str, int]:
    with ketnap.uow.reading() as tx:
        return {r.id: r.version for r in tx.conn.execute(select(CANDIDATES.c.id, CANDIDATES.c.version))}


def test_racing_processes_with_expected_versions_lose_nothing(ketnap: Ketnap, db_url: str) -> None:
    candidates = [record_path(ketnap, steps_until("introduce"), full_name=name)
                  for name in ("Nguyễn Văn An", "Lê Thị Bình")]
    setup_versions = {c: len(ketnap.events(c)) for c in candidates}
    jobs = {f"w{w}": [(candidates[(w + i) % len(candidates)], "certify_training", "2024-06-20",
                       {"certificate_no": f"W{w}-{i:02d}", "issued_on": "2024-06-18"}) for i in range(ATTEMPTS)]
            for w in range(PROCESSES)}

    outcomes = run_processes(db_url, jobs, read_version_first=True)

    kinds = Counter(outcome for _, _, _, outcome, _ in outcomes)
    assert set(kinds) <= {"ok", "ConcurrencyConflictError"}, kinds
    assert kinds["ok"] + kinds["ConcurrencyConflictError"] == PROCESSES * ATTEMPTS
    recorded = {c: ketnap.events(c) for c in candidates}
    for candidate_id, events in recorded.items():
        assert chain_problems(events) == []
        certificates = [e.payload["certificate_no"] for e in events[setup_versions[candidate_id]:]]
        won = {o[2]["certificate_no"]: o[4] for o in outcomes if o[0] == candidate_id and o[3] == "ok"}
        assert sorted(certificates) == sorted(won)  # every success is in the log once, no failure is
        assert {e.payload["certificate_no"]: e.version for e in events[setup_versions[candidate_id]:]} == won
    assert sum(len(e) for e in recorded.values()) - sum(setup_versions.values()) == kinds["ok"]
    assert projected_versions(ketnap) == {c: len(e) for c, e in recorded.items()}


def test_without_expected_versions_valid_steps_all_land_and_a_duplicate_is_refused(ketnap: Ketnap,
                                                                                   db_url: str) -> None:
    """The service retries a lost race: two different steps both land; two ceremonies cannot both happen."""
    probationary = [record_path(ketnap, steps_until("submit_member_history")) for _ in range(4)]
    admitted = [record_path(ketnap, steps_until("hold_ceremony")) for _ in range(4)]
    ceremony: dict[str, Any] = {"probation_helper": "Phạm Văn Bình"}
    course: dict[str, Any] = {"certificate_no": "DVM-9", "issued_on": "2024-11-30"}
    jobs: dict[str, list[Job]] = {
        "a": [(c, "submit_member_history", "2024-09-10", {}) for c in probationary]
        + [(c, "hold_ceremony", "2024-08-20", ceremony) for c in admitted],
        "b": [(c, "certify_new_member_course", "2024-12-01", course) for c in probationary]
        + [(c, "hold_ceremony", "2024-08-21", ceremony) for c in admitted],
    }

    outcomes = run_processes(db_url, jobs, read_version_first=False)

    assert all(o[3] == "ok" for o in outcomes if o[0] in probationary), outcomes
    for c in probationary:
        events = ketnap.events(c)
        assert chain_problems(events) == []
        assert Counter(e.type for e in events[-2:]) == {"submit_member_history": 1, "certify_new_member_course": 1}
    for c in admitted:
        events = ketnap.events(c)
        assert chain_problems(events) == []
        assert [e.type for e in events].count("hold_ceremony") == 1
        assert sorted(o[3] for o in outcomes if o[0] == c) == ["StepNotAllowed", "ok"]
    versions = projected_versions(ketnap)
    assert {versions[c] for c in admitted} == {len(steps_until("hold_ceremony")) + 1}
