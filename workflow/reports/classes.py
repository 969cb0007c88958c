"""Training classes (lớp bồi dưỡng nhận thức về Đảng, DOMAIN.md S2) as records with an organiser, dates and a
roster; enrolling candidates of several branches in one class, and certifying a whole class at once.

A class's roster is read from the log: the candidates whose `enrol_training` names the class. Enrolling and
certifying record one PROCEDURE.md event per candidate, judged by the same guards, every candidate before any is
written: if any candidate is refused, nobody is recorded and every refusal is listed. The events are then written
in short transactions (workflow/slices.py), so the web does not wait for a whole class.
"""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import Connection

from states.candidate import replay
from states.errors import CandidateNotFound, RuleViolation, StepNotAllowed, Violation
from states.organisations import Tree
from states.text import Line, NameLine
from storage import report_reads, training_classes
from storage.errors import DuplicateRowError
from storage.unit_of_work import JudgingTransaction, Transaction
from workflow.commands import Command, RecordStep
from workflow.errors import BatchRefused as BatchRefused  # re-exported: its home is workflow/errors.py (no tables)
from workflow.errors import ClassError as ClassError  # re-exported: its home is workflow/errors.py (no tables)
from workflow.reports.categories import categories_of, groups_of
from workflow.reports.periods import Period
from workflow.reports.rules import not_allowed, violation
from workflow.reports.scope import Scope
from workflow.service import Ketnap, StepPermit
from workflow.slices import write_in_slices


@dataclass(frozen=True)
class Refusal:
    candidate_id: str
    full_name: str
    violations: tuple[Violation, ...]


@dataclass
class BatchResult:
    recorded: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (candidate id, why)


@dataclass(frozen=True)
class TrainingClass:
    code: str
    name: str
    organiser: str
    starts_on: date
    ends_on: date
    place: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class AddClass(Command):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    name: NameLine = Field(min_length=1, max_length=500)
    organiser: str = Field(min_length=1, max_length=64)
    starts_on: date
    ends_on: date
    place: Line | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _dates(self) -> "AddClass":
        if self.ends_on < self.starts_on:
            raise ValueError("the class ends before it starts")
        return self


def _class(row: Any) -> TrainingClass:
    return TrainingClass(row.code, row.name, row.organiser, row.starts_on, row.ends_on, row.place)


def add_class(app: Ketnap, cmd: AddClass, actor: str) -> TrainingClass:
    """Raises: ClassError when the code or the name is taken, or the organiser does not exist."""
    with app.uow.transaction() as tx:
        if tx.org(cmd.organiser) is None:
            raise ClassError(f"no organisation with code {cmd.organiser!r}")
        try:
            training_classes.add(tx.conn, {**cmd.model_dump(), "created_at": app.clock.now(), "actor": actor})
        except DuplicateRowError:
            raise ClassError(f"a class with code {cmd.code!r} or name {cmd.name!r} already exists") from None
    return TrainingClass(cmd.code, cmd.name, cmd.organiser, cmd.starts_on, cmd.ends_on, cmd.place)


def get_class(conn: Connection, code: str) -> TrainingClass:
    row = training_classes.find(conn, code)
    if row is None:
        raise ClassError(f"no training class with code {code!r}")
    return _class(row)


def list_classes(conn: Connection, organisers: set[str] | None = None,
                 period: Period | None = None) -> list[TrainingClass]:
    starting = None if period is None else (period.start, period.end)
    return [_class(r) for r in training_classes.class_rows(conn, organisers, starting)]


def roster(conn: Connection, klass: TrainingClass) -> list[dict[str, Any]]:
    """The candidates enrolled in the class (from the read model of the log), by branch and name."""
    return report_reads.class_roster(conn, klass.name)


# --- batches: one event per candidate, judged whole, then written in short transactions ------------------------

MakeStep = Callable[[str], RecordStep | None]  # the step for one candidate, or None to skip them


def _refusal_of(candidate_id: str, names: Mapping[str, str], err: Exception) -> Refusal:
    if isinstance(err, RuleViolation):
        return Refusal(candidate_id, names.get(candidate_id, ""), err.violations)
    if isinstance(err, StepNotAllowed):
        return Refusal(candidate_id, names.get(candidate_id, ""), (not_allowed(err),))
    return Refusal(candidate_id, "", (violation("candidate_not_found", candidate=candidate_id),))


JUDGED = (RuleViolation, StepNotAllowed, CandidateNotFound)


def _judge(app: Ketnap, dry: JudgingTransaction, step_name: str, ids: Sequence[str], make: MakeStep,
           names: Mapping[str, str], permit: StepPermit | None = None) -> list[RecordStep]:
    """Every candidate's step judged in the read transaction `dry` (no write lock); the steps to record.
    `permit`: the actor is a user, who may record only what the API would let them (an AccessDenied ends the
    whole batch).

    Raises:
        BatchRefused: after judging all of them, when any is refused.
    """
    now, refusals, steps = app.clock.now(), [], []
    for candidate_id in ids:
        cmd = make(candidate_id)
        if cmd is None:
            continue
        try:
            if permit is not None:
                permit(dry, cmd)
            app.record_in(dry, cmd, now)
            steps.append(cmd)
        except JUDGED as err:
            refusals.append(_refusal_of(candidate_id, names, err))
    if refusals:
        raise BatchRefused(step_name, refusals)
    return steps


def _write(app: Ketnap, step_name: str, steps: Sequence[RecordStep], names: Mapping[str, str],
           result: BatchResult) -> None:
    """Record the judged steps, `database.write_slice_rows` per transaction (workflow/slices.py).

    Raises:
        BatchRefused: a step refused now (the candidate changed since it was judged); the candidates of the
            slices before it stay recorded, and the message says so.
    """
    now = app.clock.now()

    def write(tx: Transaction, cmd: RecordStep) -> str:
        assert cmd.candidate_id is not None
        try:
            app.record_in(tx, cmd, now)
        except JUDGED as err:
            raise BatchRefused(step_name, [_refusal_of(cmd.candidate_id, names, err)]) from None
        return cmd.candidate_id

    try:
        write_in_slices(app, steps, write, result.recorded, step_name)
    except BatchRefused as err:
        raise BatchRefused(step_name, err.refusals, written=len(result.recorded)) from None


def enrol(app: Ketnap, code: str, candidate_ids: Sequence[str], on: date | None, actor: str,
          permit: StepPermit | None = None) -> BatchResult:
    """Enrol candidates of any branches in the class (`enrol_training` with the class's name), all or none: every
    candidate is judged before any is recorded.

    Raises:
        ClassError, BatchRefused.
    """
    result, names = BatchResult(), {}
    with app.uow.judging() as dry:
        klass = get_class(dry.conn, code)

        def make(candidate_id: str) -> RecordStep | None:
            candidate = replay(dry.load(candidate_id), stream_id=candidate_id)
            names[candidate_id] = candidate.full_name
            if candidate.class_name == klass.name:
                result.skipped.append((candidate_id, "already enrolled"))
                return None
            return RecordStep(candidate_id=candidate_id, step="enrol_training", on=on or klass.starts_on,
                              fields={"class_name": klass.name}, actor=actor)

        steps = _judge(app, dry, "enrol_training", list(dict.fromkeys(candidate_ids)), make, names, permit)
    _write(app, "enrol_training", steps, names, result)
    return result


def certify(app: Ketnap, code: str, issued_on: date, numbers: Mapping[str, str], *, prefix: str = "",
            first_number: int = 1, exclude: Sequence[str] = (), on: date | None = None,
            actor: str = "cli", permit: StepPermit | None = None) -> BatchResult:
    """Record the course certificate of every enrolled candidate: one `certify_training` event each (DOMAIN.md
    S2, D2), numbered from `numbers` or `prefix` + a running number. Candidates excluded (they did not pass),
    dropped, or already holding a certificate from this class are skipped. Every candidate is judged before any
    is recorded; the certificates are then written in short transactions (workflow/slices.py).

    Raises:
        ClassError, BatchRefused.
    """
    result = BatchResult()
    with app.uow.judging() as dry:
        klass = get_class(dry.conn, code)
        members = roster(dry.conn, klass)
        names = {m["id"]: m["full_name"] for m in members}
        strangers = sorted((set(numbers) | set(exclude)) - set(names))
        if strangers:
            raise ClassError(f"not enrolled in {code}: {', '.join(strangers)}")
        running = iter(range(first_number, first_number + len(members)))

        def make(candidate_id: str) -> RecordStep | None:
            member = next(m for m in members if m["id"] == candidate_id)
            why = ("excluded" if candidate_id in exclude else "dropped" if member["stage"] == "dropped"
                   else "already certified" if (member["certified_on"] or date.min) >= klass.starts_on else None)
            if why:
                result.skipped.append((candidate_id, why))
                return None
            number = numbers.get(candidate_id) or f"{prefix}{next(running)}"
            return RecordStep(candidate_id=candidate_id, step="certify_training", on=on or issued_on,
                              fields={"certificate_no": number, "issued_on": issued_on.isoformat()}, actor=actor)

        steps = _judge(app, dry, "certify_training", [m["id"] for m in members], make, names, permit)
    _write(app, "certify_training", steps, names, result)
    return result


# --- statistics --------------------------------------------------------------------------------------------------

def _groups(app: Ketnap, tree: Tree, on: date, members: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Trainees per group of config.yaml reports.groups (issue 20): by a category, or by the type of their
    branch on the class's first day."""
    settings = app.settings.reports
    counts = dict.fromkeys(settings.groups, 0)
    for m in members:
        for key in groups_of(categories_of(m, on, settings), tree.type_of(m["org"]), settings):
            counts[key] += 1
    return counts


def class_stats(app: Ketnap, org: str, period: Period) -> dict[str, Any]:
    """Classes held by organisers in the subtree and starting in the period, with trainees, certificates,
    trainees from enterprises and branches ("mở 4 lớp ... cho 430 quần chúng ưu tú", E6). A class stays with the
    organisation that held it: it counts here when the subtree held its organiser on its first day (the tree of
    that day), never as a predecessor's.

    Raises:
        OrganisationError: no organisation `org`.
    """
    enterprise = set(app.settings.reports.enterprise_categories)
    with app.uow.reading() as tx:
        scope = Scope(tx.org_history(), org, predecessors=False)
        rows = []
        for klass in list_classes(tx.conn, scope.codes(period.start, period.end), period):
            if not scope.counts(scope.place(klass.organiser, "", klass.starts_on)):
                continue
            members = roster(tx.conn, klass)
            groups = _groups(app, scope.history.tree_on(klass.starts_on), klass.starts_on, members)
            rows.append({**klass.as_dict(), "trainees": len(members), "groups": groups,
                         "certified": sum(1 for m in members if (m["certified_on"] or date.min) >= klass.starts_on),
                         "from_enterprises": sum(1 for m in members if enterprise & set(m["categories"])),
                         "women": sum(1 for m in members if m["sex"] == "F"),
                         "branches": len({m["org"] for m in members})})
    totals = Counter[str]()
    for row in rows:
        totals.update({k: row[k] for k in ("trainees", "certified", "from_enterprises", "women")})
    groups = {key: sum(row["groups"][key] for row in rows) for key in app.settings.reports.groups}
    return {"org": org, "period": {"label": period.label, "start": period.start, "end": period.end},
            "classes_held": len(rows), "groups": groups,
            **{k: totals.get(k, 0) for k in ("trainees", "certified", "from_enterprises", "women")},
            "classes": rows}
