"""How an audit sizes itself: how many processes by default, every range accounted for, and the collector
left as it was found."""

import gc
from collections import deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from queue import SimpleQueue

import pytest

from workflow.audit.findings import Report
from workflow.audit.verify import EVENTS_PER_WORKER, _hand_out, _merge, default_workers, fewer_collections


@pytest.mark.parametrize(("events", "cpus", "expected"), [
    (0, 8, 1), (EVENTS_PER_WORKER - 1, 8, 1), (EVENTS_PER_WORKER * 3, 8, 3), (EVENTS_PER_WORKER * 100, 2, 2),
    (EVENTS_PER_WORKER * 100, None, 1),
])
def test_a_process_per_cpu_only_for_a_log_that_repays_it(monkeypatch: pytest.MonkeyPatch, events: int,
                                                          cpus: int | None, expected: int) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    assert default_workers(events) == expected


def test_the_collector_is_left_as_it_was_found() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > frozen
        raise RuntimeError("the audit failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


class BrokenPool:
    """A process pool whose workers are gone."""

    def submit(self, *_args: object) -> None:
        raise BrokenProcessPool("a worker died")


def test_a_range_no_worker_could_take_fails_the_audit_instead_of_going_missing() -> None:
    ranges: deque[tuple[str | None, str | None]] = deque([(None, "c1"), ("c1", None)])
    finished: SimpleQueue[Future[Report]] = SimpleQueue()
    _hand_out(BrokenPool(), ranges, finished)  # type: ignore[arg-type]
    assert not ranges and finished.qsize() == 2
    with pytest.raises(BrokenProcessPool):
        _merge(Report(), finished, None)
