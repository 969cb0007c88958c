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

from sqlalchemy import Connection, or_, select

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
    have nothing to count in a period starting then): rows of ON_LIST_COLUMNS."""
    query = select(*(FACTS.c[name] for name in ON_LIST_COLUMNS)).where(
        FACTS.c.identified_on <= as_of, or_(FACTS.c.dropped_on.is_(None), FACTS.c.dropped_on >= since),
        or_(FACTS.c.recognised_on.is_(None), FACTS.c.recognised_on >= since))
    yield from _batched(conn, _in(query, FACTS.c.org, orgs))


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
