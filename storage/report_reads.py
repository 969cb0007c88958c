"""What the reports read from the read model (`report_candidate`) and the deadline projection: admissions by
their counted date, candidates on the list during a period, overdue deadlines, a class's roster.

`orgs` narrows a read to the branches a report's scope may place in it (None: every branch); the report then
places each row by the tree of its date (workflow/reports/scope.py). Rows stream from the cursor: a province's
report reads hundreds of thousands of them, fetched in batches (`_batched`: the driver's fetchmany, not one
fetchone per row, which cost a fifth of the admissions report).
"""

from collections.abc import Collection, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, literal_column, null, or_, select

from storage.projections import DEADLINES
from storage.report_model import FACTS

ADMISSION_DATES = frozenset({"decided_on", "ceremony_on"})  # the dates an admission may be counted on
# The dates each stage is entered, and what the pipeline needs beside them.
ON_LIST_COLUMNS = ("id", "org", "dropped_on", "recognised_on", "ceremony_on", "decided_on", "vetted_on",
                   "enrolled_on", "mentored_on", "identified_on", "branch_vote_on", "admission_due_on",
                   "ceremony_due_on", "dropped_stage", "dropped_reason")


BATCH = 5000  # rows per fetchmany: memory stays bounded, the per-row fetch overhead goes


def _batched(conn: Connection, query: Any) -> Iterator[Any]:
    for rows in conn.execute(query).partitions(BATCH):
        yield from rows


def _in(query: Any, column: Any, orgs: Collection[str] | None) -> Any:
    return query if orgs is None else query.where(column.in_(sorted(orgs)))


def admissions(conn: Connection, date_column: str, start: date, end: date,
               orgs: Collection[str] | None) -> Iterator[Any]:
    """Every admission decided and counted (on `date_column`, one of ADMISSION_DATES) between `start` and
    `end`: rows of id, admitted_org, on (the counted date), sex, birth_date, ethnicity, religion, youth_union,
    trade_union, categories and readmission.

    Raises:
        ValueError: `date_column` is not one of ADMISSION_DATES.
    """
    if date_column not in ADMISSION_DATES:
        raise ValueError(f"admissions are not counted on {date_column!r}")
    when = FACTS.c[date_column]
    query = select(FACTS.c.id, FACTS.c.admitted_org, when.label("on"), FACTS.c.sex, FACTS.c.birth_date,
                   FACTS.c.ethnicity, FACTS.c.religion, FACTS.c.youth_union, FACTS.c.trade_union,
                   FACTS.c.categories, FACTS.c.readmission).where(when >= start, when <= end,
                                                                  FACTS.c.decided_on.is_not(None))
    yield from _batched(conn, _in(query, FACTS.c.admitted_org, orgs))


def on_list(conn: Connection, as_of: date, since: date, orgs: Collection[str] | None) -> Iterator[Any]:
    """Candidates identified by `as_of` who had not left the list or become official before `since` (the rest
    have nothing to count in a period starting then): rows of ON_LIST_COLUMNS. The report counts them grouped
    (`pipeline_groups`); this per-candidate read is what the grouped count is tested against."""
    query = select(*(FACTS.c[name] for name in ON_LIST_COLUMNS)).where(
        FACTS.c.identified_on <= as_of, or_(FACTS.c.dropped_on.is_(None), FACTS.c.dropped_on >= since),
        or_(FACTS.c.recognised_on.is_(None), FACTS.c.recognised_on >= since))
    yield from _batched(conn, _in(query, FACTS.c.org, orgs))


# The date each stage is entered, latest first: a candidate is in the first stage whose date has come
# (workflow/reports/pipeline.py counts them).
STAGE_DATES = (("dropped_on", "dropped"), ("recognised_on", "official"), ("ceremony_on", "probationary"),
               ("decided_on", "admitted"), ("vetted_on", "vetted"), ("enrolled_on", "training_class"),
               ("mentored_on", "mentored"), ("identified_on", "identified"))


def pipeline_groups(conn: Connection, as_of: date, start: date, end: date, orgs: Collection[str] | None, *,
                    by_candidate: bool = False) -> Iterator[Any]:
    """The candidates of `on_list(as_of, start)` counted in SQL by what the pipeline looks at, so that a province
    sends a few thousand groups instead of every candidate: rows of branch, candidate (its id, only with
    `by_candidate`, for a branch split among successors candidate by candidate), stage (on `as_of`, by
    STAGE_DATES; None before identification), vote_passed (branch vote on or before `as_of`), admission_due and
    ceremony_due (their deadline on or before `end`), recognised (official between `start` and `end`),
    left_probation (left the list from probation between them), left_reason (the dropped_reason of those, else
    None) and n. Flags are 0/1 on every database; dates compare as dates (ISO text on SQLite)."""
    c = FACTS.c

    def flag(condition: Any) -> Any:
        return case((condition, 1), else_=0)

    stage = case(*((c[column] <= as_of, literal(name)) for column, name in STAGE_DATES), else_=null())
    left = and_(c.dropped_stage == "probationary", c.dropped_on >= start, c.dropped_on <= end)
    # Grouped by position: the expressions bind their dates again in GROUP BY, which PostgreSQL would not match.
    columns = [c.org.label("branch"), *([c.id.label("candidate")] if by_candidate else []), stage.label("stage"),
               flag(c.branch_vote_on <= as_of).label("vote_passed"),
               flag(c.admission_due_on <= end).label("admission_due"),
               flag(c.ceremony_due_on <= end).label("ceremony_due"),
               flag(and_(c.recognised_on >= start, c.recognised_on <= end)).label("recognised"),
               flag(left).label("left_probation"), case((left, c.dropped_reason), else_=null()).label("left_reason")]
    query = select(*columns, func.count().label("n")).where(
        c.identified_on <= as_of, or_(c.dropped_on.is_(None), c.dropped_on >= start),
        or_(c.recognised_on.is_(None), c.recognised_on >= start)).group_by(
        *(literal_column(str(n)) for n in range(1, len(columns) + 1)))
    yield from _batched(conn, _in(query, c.org, orgs))


def overdue(conn: Connection, as_of: date, leave_out: Collection[str], orgs: Collection[str] | None) -> Iterator[Any]:
    """Deadlines open on `as_of` and already past due, but those of a kind in `leave_out`, oldest first: rows of
    stream_id, org (the branch the candidate's events name, from the read model), kind, due_on and full_name."""
    query = (select(DEADLINES.c.stream_id, FACTS.c.org, DEADLINES.c.kind, DEADLINES.c.due_on, FACTS.c.full_name)
             .join(FACTS, FACTS.c.id == DEADLINES.c.stream_id)
             .where(DEADLINES.c.opened_on <= as_of, DEADLINES.c.due_on < as_of,
                    DEADLINES.c.kind.not_in(sorted(leave_out)),
                    or_(DEADLINES.c.closed_on.is_(None), DEADLINES.c.closed_on > as_of))
             .order_by(DEADLINES.c.due_on, DEADLINES.c.stream_id))
    yield from conn.execute(_in(query, FACTS.c.org, orgs))


def class_roster(conn: Connection, class_name: str) -> list[dict[str, Any]]:
    """Every read-model row of the candidates enrolled in the class named `class_name`, by branch and name."""
    query = (select(FACTS).where(FACTS.c.class_name == class_name)
             .order_by(FACTS.c.org, FACTS.c.full_name, FACTS.c.id))
    return [dict(r._mapping) for r in conn.execute(query)]
