"""Training classes: candidates of several branches in one class, the certificates of a whole class in one
operation (one event each, all or nothing), and the statistics committees publish."""

from datetime import date

import pytest
from sqlalchemy import func, select

from storage.event_store import EVENTS
from tests.integration.support import record, record_path, snapshot, steps_until
from workflow.reports.classes import AddClass, BatchRefused, ClassError, add_class, certify, class_stats, enrol
from workflow.reports.periods import parse_period
from workflow.service import Ketnap

CLASS = AddClass(code="BD-2024-03", name="Lớp bồi dưỡng nhận thức về Đảng khóa 3/2024", organiser="DU-XA",
                 starts_on=date(2024, 3, 1), ends_on=date(2024, 3, 6))


def waiting(app: Ketnap, org: str, n: int, **person: object) -> list[str]:
    """n candidates of `org` with a helper assigned, waiting for a class (stage mentored)."""
    return [record_path(app, steps_until("enrol_training"), org=org, full_name=f"Học viên {org} {i}", **person)
            for i in range(n)]


def events_of(app: Ketnap, step: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(EVENTS).where(EVENTS.c.type == step)).scalar_one())


def test_candidates_of_two_branches_are_enrolled_in_one_class_and_certified_together(ketnap: Ketnap) -> None:
    add_class(ketnap, CLASS, "test")
    ids = waiting(ketnap, "CB-01", 3) + waiting(ketnap, "CB-02", 2)
    enrolled = enrol(ketnap, CLASS.code, ids, None, "test")
    assert sorted(enrolled.recorded) == sorted(ids)
    result = certify(ketnap, CLASS.code, date(2024, 3, 6), {ids[0]: "NTVĐ-0001"}, prefix="NTVĐ-", first_number=7)
    assert sorted(result.recorded) == sorted(ids)
    for candidate_id in ids:
        shown = ketnap.show(candidate_id)
        assert (shown.candidate.stage, shown.candidate.class_name) == ("training_class", CLASS.name)
        assert shown.candidate.certificate_issued_on == date(2024, 3, 6)
    numbers = {ketnap.show(i).candidate.certificate_no for i in ids}
    assert numbers == {"NTVĐ-0001", "NTVĐ-7", "NTVĐ-8", "NTVĐ-9", "NTVĐ-10"}
    again = certify(ketnap, CLASS.code, date(2024, 3, 6), {}, prefix="X-")
    assert again.recorded == [] and {why for _, why in again.skipped} == {"already certified"}


def test_a_class_whose_code_or_name_is_taken_is_refused_and_the_first_one_stays(ketnap: Ketnap) -> None:
    add_class(ketnap, CLASS, "test")
    for taken in (CLASS.model_copy(update={"name": "Lớp khác"}), CLASS.model_copy(update={"code": "BD-OTHER"})):
        with pytest.raises(ClassError, match="already exists"):
            add_class(ketnap, taken, "test")
    held = class_stats(ketnap, "DU-XA", parse_period("2024"))["classes"]
    assert [(k["code"], k["name"]) for k in held] == [(CLASS.code, CLASS.name)]


def test_one_refused_candidate_enrols_nobody_and_every_refusal_is_listed(ketnap: Ketnap) -> None:
    add_class(ketnap, CLASS, "test")
    ready = waiting(ketnap, "CB-01", 3)
    too_early = record_path(ketnap, steps_until("assign_helper"), full_name="Chưa có người giúp đỡ")
    before = snapshot(ketnap.engine)
    with pytest.raises(BatchRefused) as refused:
        enrol(ketnap, CLASS.code, [*ready, too_early, "no-such-id"], None, "test")
    assert [(r.candidate_id, r.violations[0].rule) for r in refused.value.refusals] == [
        (too_early, "step_not_allowed"), ("no-such-id", "candidate_not_found")]
    assert snapshot(ketnap.engine) == before


def test_certificates_dated_in_the_future_are_refused_for_the_whole_class(ketnap: Ketnap) -> None:
    add_class(ketnap, CLASS, "test")
    ids = waiting(ketnap, "CB-01", 2) + waiting(ketnap, "CB-02", 2)
    enrol(ketnap, CLASS.code, ids, None, "test")
    tomorrow = date(2026, 11, 21)  # the test clock's today is 2026-11-20 in Hanoi
    with pytest.raises(BatchRefused) as refused:
        certify(ketnap, CLASS.code, tomorrow, {}, prefix="N-")
    assert {r.candidate_id for r in refused.value.refusals} == set(ids)
    assert {v.rule for r in refused.value.refusals for v in r.violations} >= {"certificate_issued_in_future"}
    assert events_of(ketnap, "certify_training") == 0
    assert len(certify(ketnap, CLASS.code, date(2026, 11, 20), {}, prefix="N-").recorded) == 4


def test_excluded_and_dropped_trainees_get_no_certificate(ketnap: Ketnap) -> None:
    add_class(ketnap, CLASS, "test")
    ids = waiting(ketnap, "CB-01", 4)
    enrol(ketnap, CLASS.code, ids, date(2024, 3, 2), "test")
    record(ketnap, ids[3], "drop", date(2024, 3, 4), {"reason": "withdrew"})
    result = certify(ketnap, CLASS.code, date(2024, 3, 6), {}, exclude=[ids[2]], prefix="C-")
    assert sorted(result.recorded) == sorted(ids[:2])
    assert dict(result.skipped) == {ids[2]: "excluded", ids[3]: "dropped"}
    with pytest.raises(ClassError, match="not enrolled"):
        certify(ketnap, CLASS.code, date(2024, 3, 6), {"stranger": "C-99"})


def test_class_statistics_count_classes_trainees_and_trainees_from_enterprises(ketnap: Ketnap) -> None:
    """ "mở 4 lớp bồi dưỡng nhận thức về Đảng cho 430 quần chúng ưu tú"; E6: workers of private enterprises."""
    second = CLASS.model_copy(update={"code": "BD-2024-09", "name": "Lớp khóa 9/2024", "organiser": "DU-CS",
                                      "starts_on": date(2024, 9, 3), "ends_on": date(2024, 9, 7)})
    other_year = CLASS.model_copy(update={"code": "BD-2023", "name": "Lớp 2023", "starts_on": date(2023, 9, 3),
                                          "ends_on": date(2023, 9, 7)})
    for klass in (CLASS, second, other_year):
        add_class(ketnap, klass, "test")
    private = waiting(ketnap, "CB-01", 3, categories=["private_enterprise"], sex="F")
    others = waiting(ketnap, "CB-02", 2, categories=["farmer"], sex="M")
    enrol(ketnap, CLASS.code, [*private[:2], *others], None, "test")
    enrol(ketnap, second.code, private[2:], None, "test")
    certify(ketnap, CLASS.code, date(2024, 3, 6), {}, prefix="A-", exclude=[others[0]])
    stats = class_stats(ketnap, "DU-XA", parse_period("2024"))
    assert (stats["classes_held"], stats["trainees"], stats["certified"]) == (2, 5, 3)
    assert (stats["from_enterprises"], stats["women"]) == (3, 3)
    first = next(k for k in stats["classes"] if k["code"] == CLASS.code)
    assert (first["trainees"], first["branches"]) == (4, 2)
    assert class_stats(ketnap, "DU-CS", parse_period("2024"))["classes_held"] == 1  # organised under DU-CS
