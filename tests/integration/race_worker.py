"""A secretary in another OS process: records a list of steps through the real service and reports what
happened to each attempt. Started with multiprocessing's 'spawn' by test_concurrency.py."""

from datetime import date
from typing import Any

from storage import event_store
from storage.engine import make_engine
from tests.builders import NOW, settings
from tests.fakes import FrozenClock
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep

# (candidate id, step, on as ISO date, fields)
Job = tuple[str, str, str, dict[str, Any]]
# (candidate id, step, fields, outcome: "ok" or the exception's class name, version recorded or read)
Outcome = tuple[str, str, dict[str, Any], str, int]


def run_jobs(url: str, worker: str, jobs: list[Job], read_version_first: bool, start: Any, results: Any) -> None:
    """Record every job; with `read_version_first`, pass the version just read as `expected_version`, as a
    secretary who looked at the candidate before recording does."""
    outcomes: list[Outcome] = []
    engine = make_engine(url)
    try:
        app = bootstrap(settings(), engine=engine, clock=FrozenClock(NOW))
        start.wait()
        for candidate_id, step, on, fields in jobs:
            seen = None
            if read_version_first:
                with app.uow.reading() as tx:
                    seen = event_store.stream_version(tx.conn, candidate_id)
            try:
                result = app.record_step(RecordStep(candidate_id=candidate_id, step=step, on=date.fromisoformat(on),
                                                    fields=fields, actor=worker, expected_version=seen))
                outcomes.append((candidate_id, step, fields, "ok", result.candidate.version))
            except Exception as err:  # noqa: BLE001 - every outcome is reported to the test
                outcomes.append((candidate_id, step, fields, type(err).__name__, seen or 0))
        results.put((worker, outcomes, None))
    except BaseException as err:  # noqa: BLE001 - the test fails with the worker's error
        results.put((worker, outcomes, repr(err)))
    finally:
        engine.dispose()
