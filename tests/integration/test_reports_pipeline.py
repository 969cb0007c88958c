"""The report's read model follows the log (corrections, transfers, later steps), written by every step, and
the parts of the report about candidates still on their way: stages, overdue steps, the forecast, recognitions
and removals."""

from datetime import date

from sqlalchemy import select

from states.events import Event
from storage import migrate, report_model
from storage.event_store import EVENTS
from storage.report_model import FACTS
from tests.builders import record
from tests.integration.reports_data import admit, clone, insert, path_deciding_on, people, template
from tests.integration.support import record_path
from workflow.commands import RecordStep
from workflow.reports.admissions import admissions_report
from workflow.reports.periods import parse_period
from workflow.service import Ketnap


def report(app: Ketnap, org: str, period: str) -> dict:  # type: ignore[type-arg]
    return admissions_report(app, org, parse_period(period))


def test_a_corrected_decision_date_moves_the_admission_to_the_other_year(ketnap: Ketnap) -> None:
    candidate = record_path(ketnap, path_deciding_on(date(2024, 12, 30), until="decide_admission"))
    assert (report(ketnap, "DU-XA", "2024")["admissions"], report(ketnap, "DU-XA", "2025")["admissions"]) == (1, 0)
    decision = next(e for e in ketnap.events(candidate) if e.type == "decide_admission")
    ketnap.record_step(RecordStep(candidate_id=candidate, step="correct", on=date(2025, 1, 6), fields={
        "corrects": decision.version, "fields": {"on": "2025-01-02"}, "reason": "ngày ghi nhầm"}))
    assert (report(ketnap, "DU-XA", "2024")["admissions"], report(ketnap, "DU-XA", "2025")["admissions"]) == (0, 1)


def test_an_admission_stays_with_the_branch_that_admitted_after_a_transfer(ketnap: Ketnap) -> None:
    candidate = record_path(ketnap, path_deciding_on(date(2024, 5, 6)), org="CB-01")
    ketnap.record_step(RecordStep(candidate_id=candidate, step="transfer", on=date(2024, 9, 2),
                                  fields={"to_org": "CB-02"}))
    assert (report(ketnap, "CB-01", "2024")["admissions"], report(ketnap, "CB-02", "2024")["admissions"]) == (1, 0)
    assert ketnap.show(candidate).candidate.org == "CB-02"


def test_a_report_read_right_after_a_step_counts_it(ketnap: Ketnap) -> None:
    steps = path_deciding_on(date(2024, 5, 6))
    decide = next(i for i, (name, _, _) in enumerate(steps) if name == "decide_admission")
    candidate = record_path(ketnap, steps[:decide], org="CB-01")
    assert report(ketnap, "DU-XA", "2024")["admissions"] == 0
    name, on, fields = steps[decide]
    ketnap.record_step(RecordStep(candidate_id=candidate, step=name, on=on, fields=fields))
    assert report(ketnap, "DU-XA", "2024")["admissions"] == 1


def _facts(app: Ketnap) -> list[dict]:  # type: ignore[type-arg]
    with app.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(FACTS).order_by(FACTS.c.id))]


def test_the_rows_steps_keep_are_the_rows_a_rebuild_folds(ketnap: Ketnap) -> None:
    corrected = record_path(ketnap, path_deciding_on(date(2024, 12, 30), until="decide_admission"))
    decision = next(e for e in ketnap.events(corrected) if e.type == "decide_admission")
    ketnap.record_step(RecordStep(candidate_id=corrected, step="correct", on=date(2025, 1, 6), fields={
        "corrects": decision.version, "fields": {"on": "2025-01-02"}, "reason": "ngày ghi nhầm"}))
    moved = record_path(ketnap, path_deciding_on(date(2024, 5, 6)), org="CB-01")
    ketnap.record_step(RecordStep(candidate_id=moved, step="transfer", on=date(2024, 9, 2),
                                  fields={"to_org": "CB-02"}))
    dropped = record_path(ketnap, path_deciding_on(date(2024, 5, 6), until="assign_helper"), org="CB-02")
    ketnap.record_step(RecordStep(candidate_id=dropped, step="drop", on=date(2024, 6, 1),
                                  fields={"reason": "withdrew"}))
    kept, doc = _facts(ketnap), report(ketnap, "DU-XA", "2024")
    assert len(kept) == 3 and {r["id"]: r["dropped_stage"] for r in kept}[dropped] == "mentored"
    with ketnap.uow.transaction() as tx:
        assert report_model.rebuild(tx.conn, ketnap.clock.now()) == 3
    assert _facts(ketnap) == kept
    assert report(ketnap, "DU-XA", "2024") == doc


def test_init_folds_once_the_log_recorded_before_steps_kept_the_rows(ketnap: Ketnap) -> None:
    """A database of an earlier release: its report rows were folded on a report's read, up to a checkpoint."""
    admit(ketnap.engine, date(2024, 4, 2), people(5, org="CB-01", sex="F"))
    with ketnap.engine.begin() as conn:
        conn.execute(FACTS.delete())
        conn.execute(report_model.CHECKPOINTS.delete())
    assert report(ketnap, "DU-XA", "2024")["admissions"] == 0  # a read folds nothing
    migrate.upgrade(ketnap.engine)
    assert report(ketnap, "DU-XA", "2024")["admissions"] == 5
    with ketnap.engine.begin() as conn:
        conn.execute(FACTS.delete())
    migrate.upgrade(ketnap.engine)  # once only: a later init leaves the rows to the steps and `report rebuild`
    assert report(ketnap, "DU-XA", "2024")["admissions"] == 0


def _removed_in_probation(decided_on: date) -> list[Event]:
    events = template(decided_on, until="certify_new_member_course")
    events = record(events, "review_vote", date(2025, 4, 7),
                    {"official_members": 20, "in_favour": 18, "recommendation": "remove"})
    return record(events, "drop", date(2025, 4, 20), {"reason": "removed_from_probation", "decision_no": "9-QĐ"})


def test_recognitions_and_removals_during_probation_are_counted_in_their_period(ketnap: Ketnap) -> None:
    recognised = template(date(2024, 8, 1), until="recognise_official")  # recognised on 2025-09-20
    removed = _removed_in_probation(date(2024, 3, 1))  # probation from 2024-03-20, removed 2025-04-20
    insert(ketnap.engine, [clone(recognised, f"rec-{i}", {"org": "CB-01"}) for i in range(4)]
           + [clone(removed, f"rem-{i}", {"org": "CB-02"}) for i in range(2)])
    doc = report(ketnap, "DU-XA", "2025")
    assert (doc["probation"]["recognised"], doc["probation"]["removed"]) == (4, 2)
    assert doc["probation"]["left_by_reason"] == {"removed_from_probation": 2}
    assert report(ketnap, "DU-XA", "2024")["probation"] == {"recognised": 0, "removed": 0, "left_by_reason": {}}


def test_pipeline_counts_candidates_per_stage_on_the_last_day_of_a_past_period(ketnap: Ketnap) -> None:
    stops = {"assign_helper": 2, "conclude_vetting": 3, "branch_vote": 4, "hold_ceremony": 1}
    for stop, n in stops.items():
        base = template(date(2024, 8, 1), until=stop)
        insert(ketnap.engine, [clone(base, f"{stop}-{i}", {"org": "CB-01"}) for i in range(n)])
    stages = report(ketnap, "DU-XA", "2024-Q2")["pipeline"]["stages"]  # on 2024-06-30
    # identify 01-10, helper 01-20, class 03-01, vetting concluded 06-01, branch vote 07-01, decision 08-01
    assert stages == {"identified": 0, "mentored": 2, "training_class": 0, "vetted": 3 + 4 + 1, "admitted": 0,
                      "probationary": 0}
    march = report(ketnap, "DU-XA", "2024-03")["pipeline"]["stages"]
    assert (march["mentored"], march["training_class"]) == (2, 3 + 4 + 1)
    assert report(ketnap, "DU-XA", "2024-02")["pipeline"]["stages"]["mentored"] == 2 + 3 + 4 + 1


def test_overdue_steps_and_the_forecast_of_an_open_period(ketnap: Ketnap) -> None:
    """Today is 2026-11-20. Admissions due within D6's 60 working days of the branch vote are expected."""
    admit(ketnap.engine, date(2026, 3, 2), people(5, org="CB-01"))
    soon = template(date(2026, 10, 1), until="committee_vote")  # branch vote 2026-08-31: due before year end
    late = record(template(date(2026, 12, 1), until="collect_comments"), "branch_vote", date(2026, 11, 18),
                  {"official_members": 20, "in_favour": 18})  # due in February 2027
    waiting = template(date(2026, 6, 1), until="decide_admission")  # ceremony due early July 2026: overdue
    insert(ketnap.engine, [clone(soon, "soon-1", {}), clone(soon, "soon-2", {}), clone(late, "late-1", {}),
                           clone(waiting, "wait-1", {})])
    due = {cid: ketnap.show(cid).candidate.deadlines for cid in ("soon-1", "late-1", "wait-1")}
    assert due["soon-1"]["admission_decision"].due_on <= date(2026, 12, 31) < due["late-1"][
        "admission_decision"].due_on
    doc = report(ketnap, "DU-XA", "2026")
    assert doc["admissions"] == 5 + 1  # the five, and the one waiting for a ceremony (decided 2026-06-01)
    assert doc["forecast"] == {"open_period": True, "counted": 6, "past_branch_vote": 3, "due_in_period": 2,
                               "expected_total": 6 + 2}
    ceremony_due = due["wait-1"]["ceremony"].due_on
    overdue = [o for o in doc["pipeline"]["overdue_items"] if o["id"] == "wait-1"]
    assert overdue == [{"id": "wait-1", "full_name": "Nguyễn Thị Hoà", "org": "CB-01", "kind": "ceremony",
                        "due_on": ceremony_due,
                        "working_days_overdue": ketnap.calendar.working_days_between(ceremony_due,
                                                                                     date(2026, 11, 20))}]
    assert report(ketnap, "DU-XA", "2025")["forecast"]["open_period"] is False


def test_the_read_model_is_rebuilt_from_events_only(ketnap: Ketnap) -> None:
    admit(ketnap.engine, date(2024, 4, 2), people(2, org="CB-01"))
    report(ketnap, "DU-XA", "2024")
    with ketnap.engine.connect() as conn:
        ids = set(conn.execute(select(FACTS.c.id)).scalars())
        streams = set(conn.execute(select(EVENTS.c.stream_id).distinct()).scalars())
    assert ids == streams
