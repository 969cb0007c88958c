"""`ketnap audit verify`: recompute every hash chain, re-judge every step under the rules of its date, and
compare the projections with the replay, one chunk of streams at a time (ARCHITECTURE.md decisions 3, 4, 6).

Nothing here writes. Memory holds one chunk of streams, the organisation tree and the findings.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

from sqlalchemy import Connection, Engine

from states.calendar import WorkingCalendar
from states.candidate import Candidate, replay
from states.decide import recheck
from states.errors import CandidateNotFound, NoRuleSetInForce
from states.events import Event
from states.rules import RuleBook
from storage.engine import make_engine
from workflow.audit import projection_check
from workflow.audit.chain import check_stream
from workflow.audit.checkpoint import CheckpointCheck
from workflow.audit.findings import REPLAY_FAILED, RULE_BROKEN, RULE_SET_MISMATCH, Finding, Report
from workflow.audit.orgs import OrgDirectory
from workflow.audit.reader import Bounds, count_events, iter_chunks, split

Progress = Callable[[int], None]


class UnknownOrganisation(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(f"no organisation with code {code!r}")
        self.code = code


@dataclass(frozen=True)
class Scope:
    """Which streams to audit: one candidate, an organisation and everything under it, or all."""

    candidate: str | None = None
    org: str | None = None


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent, read-only view of the log for the whole audit (a single snapshot on both databases)."""
    options: dict[str, str] = ({"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql"
                               else {"sqlite_begin": "DEFERRED"})
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def orgs_of(events: list[Event]) -> set[str]:
    """Every organisation the candidate belonged to: the one that identified them and each transfer's."""
    found = set()
    for e in events:
        org = e.payload.get("org") if e.type == "identify" else e.payload.get("to_org") if e.type == "transfer" \
            else None
        if isinstance(org, str):
            found.add(org)
    return found


def rule_findings(events: list[Event], rulebook: RuleBook, calendar: WorkingCalendar,
                  orgs: OrgDirectory) -> list[Finding]:
    """Steps that break a rule of the rule set in force on their date, and events stamped with another one."""
    found: list[Finding] = []
    for e in events:
        try:
            in_force = rulebook.for_date(e.effective_on).id
        except NoRuleSetInForce as err:
            found.append(Finding(RULE_SET_MISMATCH, e.stream_id, e.version, str(err), {"stored": e.rule_set}))
            continue
        if e.rule_set != in_force:
            found.append(Finding(RULE_SET_MISMATCH, e.stream_id, e.version, f"stored under {e.rule_set}, but "
                                 f"{in_force} was in force on {e.effective_on}",
                                 {"stored": e.rule_set, "in_force": in_force}))
    for e, violations in recheck(events, rulebook, calendar, orgs.facts_for):
        found.append(Finding(RULE_BROKEN, e.stream_id, e.version, f"{e.type} on {e.effective_on}: "
                             + "; ".join(f"{v.rule}: {v.message_en}" for v in violations),
                             {"step": e.type, "on": e.effective_on, "rule_set": _in_force(rulebook, e),
                              "violations": [v.as_dict() for v in violations]}))
    return found


def _in_force(rulebook: RuleBook, e: Event) -> str | None:
    try:
        return rulebook.for_date(e.effective_on).id
    except NoRuleSetInForce:
        return None


def _replayed(events: list[Event]) -> tuple[Candidate | None, list[Finding]]:
    try:
        return replay(events), []
    except Exception as err:  # noqa: BLE001 - a log that cannot be replayed is a finding, not a crash
        return None, [Finding(REPLAY_FAILED, events[0].stream_id, None, f"the stream cannot be replayed: {err!r}")]


class Verifier:
    def __init__(self, conn: Connection, rulebook: RuleBook, calendar: WorkingCalendar, scope: Scope,
                 since_checkpoint: str | None = None) -> None:
        self.conn, self.rulebook, self.calendar, self.scope = conn, rulebook, calendar, scope
        self.orgs = OrgDirectory.load(conn)
        if scope.org is not None and scope.org not in self.orgs.by_code:
            raise UnknownOrganisation(scope.org)
        self.in_scope = self.orgs.subtree(scope.org) if scope.org else None
        self.checkpoint = CheckpointCheck(conn, since_checkpoint) if since_checkpoint else None

    def total(self) -> int:
        return count_events(self.conn, [self.scope.candidate] if self.scope.candidate else None)

    def run(self, progress: Progress | None = None, workers: int = 1) -> Report:
        """The whole audit; with `workers` > 1 the streams are split into ranges checked by other processes."""
        report = Report()
        if self.checkpoint is not None:
            report.checkpoint = self.checkpoint.summary
            report.add(self.checkpoint.findings)
        only = [self.scope.candidate] if self.scope.candidate else None
        if workers > 1 and only is None:
            self._run_in_workers(report, workers, progress)
        else:
            self.run_range(report, (None, None), only, progress)
        report.add(projection_check.rows_without_streams(self.conn, self.in_scope, only))
        if self.checkpoint is not None:
            report.add(self.checkpoint.deleted_streams(only))
        if only and report.streams == 0 and not report.findings:
            raise CandidateNotFound(only[0])
        report.findings.sort(key=lambda f: (f.stream_id, f.version or 0, f.kind))
        return report

    def run_range(self, report: Report, bounds: Bounds, only: list[str] | None = None,
                  progress: Progress | None = None) -> None:
        """The per-stream checks for the streams in `bounds` (or `only`), one chunk at a time."""
        for chunk in iter_chunks(self.conn, only, bounds=bounds):
            kept = [s for s in chunk if self.in_scope is None or orgs_of(s) & self.in_scope]
            report.add(self.check_chunk(kept, report))
            if progress is not None:
                progress(sum(len(s) for s in chunk))

    def _run_in_workers(self, report: Report, workers: int, progress: Progress | None) -> None:
        ranges = split(self.conn, workers * RANGES_PER_WORKER)
        url = self.conn.engine.url.render_as_string(hide_password=False)
        digest = self.checkpoint.digest if self.checkpoint is not None else None
        jobs = [(url, self.rulebook, self.calendar, self.scope, digest, bounds) for bounds in ranges]
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            for part in pool.map(_verify_range, jobs):
                report.streams += part.streams
                report.events += part.events
                report.add(part.findings)
                if progress is not None:
                    progress(part.events)

    def check_chunk(self, streams: list[list[Event]], report: Report) -> list[Finding]:
        found: list[Finding] = []
        replayed: list[Candidate] = []
        for events in streams:
            report.streams += 1
            report.events += len(events)
            found += check_stream(events)
            found += rule_findings(events, self.rulebook, self.calendar, self.orgs)
            candidate, problems = _replayed(events)
            found += problems
            if candidate is not None:
                replayed.append(candidate)
        found += projection_check.compare_chunk(self.conn, replayed)
        if self.checkpoint is not None:
            found += self.checkpoint.check_chunk(streams)
        return found


RANGES_PER_WORKER = 4  # more ranges than workers: the progress bar moves and a slow range does not hold all


def _verify_range(job: tuple[str, RuleBook, WorkingCalendar, Scope, str | None, Bounds]) -> Report:
    """One range of streams in a worker process, with its own engine and snapshot."""
    url, rulebook, calendar, scope, digest, bounds = job
    engine = make_engine(url)
    try:
        with snapshot(engine) as conn:
            verifier = Verifier(conn, rulebook, calendar, scope, digest)
            part = Report()
            verifier.run_range(part, bounds)
            return part
    finally:
        engine.dispose()


def verify(engine: Engine, rulebook: RuleBook, calendar: WorkingCalendar, scope: Scope = Scope(),
           since_checkpoint: str | None = None, progress: Progress | None = None, workers: int = 1) -> Report:
    """The whole audit in one snapshot.

    Raises:
        CandidateNotFound: `scope.candidate` has no events and nothing else is known about it.
        UnknownOrganisation: `scope.org` is not in the organisation table.
    """
    with snapshot(engine) as conn:
        return Verifier(conn, rulebook, calendar, scope, since_checkpoint).run(progress, workers)
