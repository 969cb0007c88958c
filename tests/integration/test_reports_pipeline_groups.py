"""The pipeline counted in SQL by groups (report_reads.pipeline_groups, issue 19) gives exactly what counting the
candidates one by one gives, on SQLite and PostgreSQL: a varied generated read model (every date missing or
not, in any order, removals from any stage) under a restructured tree with a merge and a branch split
candidate by candidate, for every scope, period, day and counting date."""

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from states.organisations import OrgChange
from storage import report_reads
from storage.report_model import FACTS
from tests.integration.test_reports_restructuring import ISSUER, build_district, restructure
from workflow.reports import pipeline
from workflow.reports.periods import Period, parse_period
from workflow.reports.scope import Scope
from workflow.service import Ketnap

BRANCHES = ["CB-01", "CB-02", "CB-A1", "CB-B1", "DU-CS", "XA-A"]
DATES = ["identified_on", "mentored_on", "enrolled_on", "vetted_on", "branch_vote_on", "admission_due_on",
         "decided_on", "ceremony_due_on", "ceremony_on", "recognised_on", "dropped_on"]
SPLIT_ON = date(2025, 9, 1)


def reference(conn: Any, scope: Scope, period: Period, as_of: date, counted_on: str) -> pipeline.Status:
    """The straightforward computation the grouped one replaced: every candidate read and judged in Python."""
    found = pipeline.Status(as_of, counted_on)
    for row in report_reads.on_list(conn, as_of, period.start, scope.codes(as_of, as_of)):
        if not scope.counts(scope.place(row.org, row.id, as_of)):
            continue
        stage = next((s for column, s in report_reads.STAGE_DATES
                      if getattr(row, column) is not None and getattr(row, column) <= as_of), None)
        if stage in pipeline.ACTIVE_STAGES:
            found.stages[stage] += 1
            if stage == "vetted" and row.branch_vote_on is not None and row.branch_vote_on <= as_of:
                found.past_vote += 1
                found.due_in_period += bool(row.admission_due_on and row.admission_due_on <= period.end)
            elif stage == "admitted" and counted_on == "ceremony":
                found.past_vote += 1
                found.due_in_period += bool(row.ceremony_due_on and row.ceremony_due_on <= period.end)
        if row.recognised_on is not None and period.contains(row.recognised_on):
            found.recognised += 1
        if row.dropped_stage == "probationary" and row.dropped_on and period.contains(row.dropped_on):
            found.left_probation[row.dropped_reason or "other"] += 1
    return found


def generated(n: int) -> list[dict[str, Any]]:
    rng, rows = random.Random(19), []
    for i in range(n):
        row: dict[str, Any] = {"id": f"g-{i:04d}", "version": 1, "org": rng.choice(BRANCHES), "stage": "identified",
                               "full_name": f"Người {i}", "sex": "F", "categories": []}
        for column in DATES:
            some = rng.random() < 0.6
            row[column] = date(2021, 1, 1) + timedelta(days=rng.randrange(6 * 365)) if some else None
        row["identified_on"] = row.get("identified_on") or date(2021, 6, 1)
        row["dropped_stage"] = rng.choice([None, "probationary", "probationary", "vetted"])
        row["dropped_reason"] = rng.choice([None, "", "removed_from_probation", "moved_away"])
        rows.append(row)
    return rows


def test_the_grouped_pipeline_counts_what_counting_each_candidate_counts(app: Ketnap) -> None:
    district = build_district(app)
    restructure(district)
    rows = generated(600)
    with district.engine.begin() as conn:
        conn.execute(FACTS.insert(), rows)
        in_cb02 = sorted(conn.execute(select(FACTS.c.id).where(FACTS.c.org == "CB-02")).scalars())
    district.organisations.change([OrgChange("split", "CB-02", SPLIT_ON, "107-QĐ/ĐU", ISSUER, parts={
        cid: ("CB-01" if i % 2 else "CB-A1") for i, cid in enumerate(in_cb02)})], "t")
    checked = 0
    with district.uow.reading() as tx:
        for org in ("TINH", "H", "X", "Y", "DU-CS", "XA-A", "CB-01", "CB-A1"):
            for predecessors in (True, False):
                scope = Scope(tx.org_history(), org, predecessors=predecessors)
                for label in ("2022", "2025", "2025-H2", "2021-2026", "2026"):
                    period = parse_period(label)
                    for as_of in (period.start + timedelta(days=40), SPLIT_ON, period.end):
                        for counted_on in ("decision", "ceremony"):
                            want = reference(tx.conn, scope, period, as_of, counted_on)
                            got = pipeline.status(tx.conn, scope, period, as_of, counted_on, district.calendar)
                            assert (got.stages, got.past_vote, got.due_in_period, got.recognised,
                                    got.left_probation) == (want.stages, want.past_vote, want.due_in_period,
                                                            want.recognised, want.left_probation), (org, label, as_of)
                            checked += sum(want.stages.values()) + want.recognised
    assert checked > 10_000  # the data set reaches every part of the count
    assert len(in_cb02) > 50
