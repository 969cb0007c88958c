"""`ketnap audit verify`: recompute every hash chain, re-judge every step under the rules of its date, and
compare the projections with the replay, one chunk of streams at a time (ARCHITECTURE.md decisions 3, 4, 6).

Nothing here writes. Memory holds one chunk of streams, the organisation tree and the findings.
"""

import gc
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from queue import SimpleQueue
from threading import Thread

from sqlalchemy import Connection, Engine

from states.calendar import WorkingCalendar
from states.candidate import Candidate
from states.errors import CandidateNotFound
from states.events import Event
from states.rules import RuleBook
from storage import history_records
from storage.audit_reads import Bounds, count_events, member_streams, split

# re-exported: the CLI, the benchmark and the tests open the audit's view from here
from storage.audit_reads import exported_snapshot as exported_snapshot
from storage.audit_reads import snapshot as snapshot
from storage.engine import make_engine
from storage.user_history import load as load_user_history
from workflow.audit import projection_check
from workflow.audit.actors import ActorCheck
from workflow.audit.checkpoint import CheckpointCheck
from workflow.audit.findings import Finding, Report
from workflow.audit.history import history_log_findings
from workflow.audit.orgs import OrgDirectory, org_log_findings
from workflow.audit.reader import iter_chunks
from workflow.audit.stream_checks import DatedRuleBook, judged_under, stream_findings
from workflow.errors import (
    UnknownOrganisation as UnknownOrganisation,  # re-exported: its home is workflow/errors.py (no tables)
)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Scope:
    """Which streams to audit: one candidate, an organisation and everything under it, or all."""

    candidate: str | None = None
    org: str | None = None


EVENTS_PER_WORKER = 200_000  # a worker costs about a second to start: worth it from a few seconds of work


def default_workers(events: int) -> int:
    """A process per CPU for a log that repays starting them (one per EVENTS_PER_WORKER events), else one."""
    return max(1, min(os.cpu_count() or 1, events // EVENTS_PER_WORKER))


GC_EVERY = 100_000  # allocations between young collections during an audit (Python's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """An audit makes tens of millions of short-lived objects, almost none in cycles. With the default
    thresholds the collector takes a fifth of its time: it runs every 700 allocations, and each full
    collection walks every object alive before the audit began (modules, the rule book, the organisation
    tree). Those are frozen (never walked), and young collections run every GC_EVERY allocations, so the
    garbage that only the collector frees stays under GC_EVERY objects: memory does not grow."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_EVERY, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


MOVED_IN = ("transfer", "transfer_received")  # steps that place the candidate in the branch named by `to_org`


def orgs_of(events: list[Event]) -> set[str]:
    """Every organisation the candidate belonged to: the one that identified them and each transfer's, a
    probationary member's included from the day the receiving branch recorded it (the same events as the
    index storage/audit_reads.py `member_streams` reads)."""
    found = set()
    for e in events:
        org = e.payload.get("org") if e.type == "identify" else e.payload.get("to_org") if e.type in MOVED_IN \
            else None
        if isinstance(org, str):
            found.add(org)
    return found


class Verifier:
    def __init__(self, conn: Connection, rulebook: RuleBook, calendar: WorkingCalendar, scope: Scope,
                 since_checkpoint: str | None = None) -> None:
        self.conn, self.rulebook, self.calendar, self.scope = conn, rulebook, calendar, scope
        self.rules = DatedRuleBook(rulebook)
        self.verified: set[int] = set()  # positions whose own hash the reader proved from the stored text
        self.orgs = OrgDirectory.load(conn)
        if scope.org is not None and not self.orgs.knows(scope.org):
            raise UnknownOrganisation(scope.org)
        self.in_scope = self.orgs.scope(scope.org) if scope.org else None
        self._members: list[str] | None = None
        self.actors = ActorCheck(load_user_history(conn), self.orgs)  # read once: every event asks it
        self.checkpoint = CheckpointCheck(conn, since_checkpoint) if since_checkpoint else None

    def streams(self) -> list[str] | None:
        """The streams this audit reads: the candidate's; or the organisation's, found by the index of the
        organisations each stream was placed in (storage/audit_reads.py `member_streams`); None: the whole log."""
        if self.scope.candidate:
            return [self.scope.candidate]
        if self.in_scope is None:
            return None
        if self._members is None:
            self._members = member_streams(self.conn, self.in_scope)
        return self._members

    def total(self) -> int:
        return count_events(self.conn, self.streams())

    def run(self, progress: Progress | None = None, workers: int | None = 1, keep: int | None = None) -> Report:
        """The whole audit; with `workers` > 1 the streams are split into ranges checked by this process and
        `workers - 1` others; with None, as many as `default_workers` gives for the size of the log. `keep`: hold
        only the first findings (see Report)."""
        if workers is None:
            workers = default_workers(self.total())
        report = Report(keep=keep)
        if self.checkpoint is not None:
            report.checkpoint = self.checkpoint.summary
            report.add(self.checkpoint.findings)
        only = [self.scope.candidate] if self.scope.candidate else None
        chosen = self.streams()
        if workers > 1 and only is None:
            self._run_in_workers(report, workers, progress, chosen)
        else:
            self.run_range(report, (None, None), chosen, progress)
        report.add(projection_check.rows_without_streams(self.conn, self.in_scope, only))
        if only is None and self.scope.org is None:
            report.add(org_log_findings(self.conn, self.orgs))
            history = history_records.load_events(self.conn)  # proven unaltered, not re-judged (issue 13, item 5)
            report.add(history_log_findings(history))
            if self.checkpoint is not None:
                report.add(self.checkpoint.check_org_log(self.orgs.events))
                report.add(self.checkpoint.check_history_log(history))
        if self.checkpoint is not None:
            report.add(self.checkpoint.deleted_streams(only))
        if only and report.streams == 0 and not report.findings:
            raise CandidateNotFound(only[0])
        report.sort()
        return report

    def run_range(self, report: Report, bounds: Bounds, only: list[str] | None = None,
                  progress: Progress | None = None) -> None:
        """The per-stream checks for the streams in `bounds` (or `only`), one chunk at a time."""
        with fewer_collections():
            for chunk in iter_chunks(self.conn, only, bounds=bounds, verified=self.verified):
                kept = [s for s in chunk if self.in_scope is None or orgs_of(s) & self.in_scope]
                report.add(self.check_chunk(kept, report, contiguous=only is None))
                self.verified.difference_update(e.position for s in chunk for e in s)  # memory: one page's
                if progress is not None:
                    progress(sum(len(s) for s in chunk))

    def _run_in_workers(self, report: Report, workers: int, progress: Progress | None,
                        chosen: list[str] | None) -> None:
        """`workers` processes in all, this one included: each takes the next range of streams as it frees up,
        so none waits for another, and this one starts at once while the others start up. `chosen`: only these
        streams (an organisation's), handed out a slice at a time; None: the whole log, by ranges of ids."""
        parts = workers * RANGES_PER_WORKER
        ranges: deque[Work] = deque([(bounds, None) for bounds in split(self.conn, parts)] if chosen is None
                                    else [((None, None), piece) for piece in _slices(chosen, parts)])
        setup = (self.conn.engine.url.render_as_string(hide_password=False), exported_snapshot(self.conn),
                 self.rulebook, self.calendar, self.scope, self.checkpoint.digest if self.checkpoint else None)
        finished: SimpleQueue[Future[Report]] = SimpleQueue()
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=get_context("spawn"),
                                 initializer=_start_worker, initargs=setup) as pool:
            helpers = [Thread(target=_hand_out, args=(pool, ranges, finished)) for _ in range(workers - 1)]
            try:
                for helper in helpers:
                    helper.start()
                while ranges:
                    self.run_range(report, *ranges.popleft(), progress)
                    _merge(report, finished, progress)
            finally:
                ranges.clear()  # on an error here, the helpers stop handing out ranges
                for helper in helpers:
                    helper.join()
        _merge(report, finished, progress)

    def check_chunk(self, streams: list[list[Event]], report: Report, contiguous: bool = True) -> list[Finding]:
        found: list[Finding] = []
        replayed: list[Candidate] = []
        for events in streams:
            report.streams += 1
            report.events += len(events)
            report.judged_under.update(judged_under(events, self.rules))
            problems, candidate = stream_findings(events, self.rules, self.calendar, self.orgs, self.verified)
            found += problems + self.actors.findings(events)
            if candidate is not None:
                replayed.append(self.orgs.placed(candidate))
        found += projection_check.compare_chunk(self.conn, replayed, contiguous)
        if self.checkpoint is not None:
            found += self.checkpoint.check_chunk(streams)
        return found


RANGES_PER_WORKER = 64  # small ranges: whoever is free takes the next, and the last one ends soon after the rest
Work = tuple[Bounds, list[str] | None]  # a range of the log, or (when given) only these streams


def _slices(items: list[str], parts: int) -> list[list[str]]:
    """`items` cut into at most `parts` slices of about the same length, in order."""
    size = max(1, -(-len(items) // parts))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _hand_out(pool: ProcessPoolExecutor, ranges: deque[Work], finished: SimpleQueue[Future[Report]]) -> None:
    """Keep one worker process busy (a thread that only waits): two ranges handed to it at a time, so that it
    never waits for this process to wake up and hand it the next one. Every range taken comes back as a
    finished job, its error included, so none is silently left out."""
    queued: deque[Future[Report]] = deque()
    while True:
        while len(queued) < 2:
            try:
                work = ranges.popleft()
            except IndexError:
                break
            try:
                job = pool.submit(_verify_range, *work)
            except Exception as err:  # noqa: BLE001 - a broken pool: the audit fails where the job is read
                job = Future()
                job.set_exception(err)
            queued.append(job)
        if not queued:
            return
        job = queued.popleft()
        wait([job])
        finished.put(job)


def _merge(report: Report, finished: SimpleQueue[Future[Report]], progress: Progress | None) -> None:
    """Add the ranges the workers have finished; a worker's error is raised here."""
    while not finished.empty():
        part = finished.get().result()
        report.streams += part.streams
        report.events += part.events
        report.judged_under.update(part.judged_under)
        report.add(part.findings)
        if progress is not None:
            progress(part.events)


_worker: "Verifier | None" = None  # in a worker process: its verifier, over its one snapshot, for every range
_worker_open = ExitStack()  # ... and the snapshot it reads, held open as long as the process lives


def _start_worker(url: str, shared: str | None, rulebook: RuleBook, calendar: WorkingCalendar, scope: Scope,
                  digest: str | None) -> None:
    """A worker's engine, snapshot (the audit's own on PostgreSQL) and verifier, opened once for all the ranges
    it is given; the process ending closes them."""
    global _worker
    conn = _worker_open.enter_context(snapshot(make_engine(url), shared))
    _worker = Verifier(conn, rulebook, calendar, scope, digest)


def _verify_range(bounds: Bounds, only: list[str] | None = None) -> Report:
    """One range of streams (or only the streams given), in a worker process."""
    assert _worker is not None, "a range is only checked in a worker started by _start_worker"
    part = Report()
    _worker.run_range(part, bounds, only)
    return part


def verify(engine: Engine, rulebook: RuleBook, calendar: WorkingCalendar, scope: Scope = Scope(),
           since_checkpoint: str | None = None, progress: Progress | None = None,
           workers: int | None = 1) -> Report:
    """The whole audit in one snapshot (`workers`: see `Verifier.run`).

    Raises:
        CandidateNotFound: `scope.candidate` has no events and nothing else is known about it.
        UnknownOrganisation: `scope.org` is not in the organisation table.
    """
    with snapshot(engine) as conn:
        return Verifier(conn, rulebook, calendar, scope, since_checkpoint).run(progress, workers)
