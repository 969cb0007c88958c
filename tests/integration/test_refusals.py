"""Every kind of bad input of issue 2 (point 6) is refused with the field and the rule named, and leaves every
table byte-for-byte as it was, on SQLite and on PostgreSQL."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from states.errors import CandidateNotFound, ProcedureError, RuleViolation, StepNotAllowed
from states.stages import Stage
from tests.builders import introducers
from tests.fakes import FrozenClock
from tests.integration.support import FULL_PATH, Path, record, record_path, snapshot, steps_until
from workflow.commands import RecordStep
from workflow.service import Ketnap

TODAY = date(2026, 11, 20)  # the `clock` fixture's date in Vietnam

# The standard path with the awareness-course certificate issued on 2019-03-15: valid 60 months (D2, G5),
# until 2024-03-15, so a branch vote on 2024-03-16 is too late.
OLD_CERTIFICATE: Path = [
    ("identify", date(2019, 1, 10), FULL_PATH[0][2]),
    ("assign_helper", date(2019, 1, 20), {"helper": "Phạm Văn Bình"}),
    ("enrol_training", date(2019, 3, 1), {"class_name": "Lớp NTVĐ 03/2019"}),
    ("certify_training", date(2019, 3, 20), {"certificate_no": "CN-19", "issued_on": "2019-03-15"}),
    ("submit_application", date(2024, 1, 5), {}),
    ("declare_history", date(2024, 1, 8), {}),
    ("conclude_vetting", date(2024, 2, 1), {"conclusion": "cleared", "certified_by": "Đảng ủy phường"}),
    ("introduce", date(2024, 2, 10), introducers()),
    ("collect_comments", date(2024, 2, 15), {"sources": ["residence", "mass_organisations"]}),
]
VOTE = {"official_members": 20, "in_favour": 18}
UNKNOWN = "khong-co-ai"


@dataclass(frozen=True)
class Bad:
    """A refused step: where the candidate stands (`before` a step of `path`; None: a new candidate;
    UNKNOWN: no such candidate), the step, and the (rule, field) pairs the refusal must name."""

    before: str | None
    step: str
    on: date
    fields: dict[str, Any]
    error: type[ProcedureError]
    reasons: set[tuple[str, str]] = field(default_factory=set)
    path: Path = field(default_factory=lambda: FULL_PATH)


PERSON = FULL_PATH[0][2]
CASES = {
    "unknown candidate": Bad(UNKNOWN, "assign_helper", date(2024, 1, 20), {"helper": "Phạm Văn Bình"},
                             CandidateNotFound),
    "identify in a missing org": Bad(None, "identify", date(2024, 1, 10), {**PERSON, "org": "CB-99"},
                                     RuleViolation, {("org_not_found", "org")}),
    "transfer to a missing org": Bad("enrol_training", "transfer", date(2024, 2, 1), {"to_org": "CB-99"},
                                     RuleViolation, {("org_not_found", "to_org")}),
    "step not allowed in the stage": Bad("branch_vote", "hold_ceremony", date(2024, 7, 1),
                                         {"probation_helper": "Phạm Văn Bình"}, StepNotAllowed),
    "missing field": Bad("branch_vote", "branch_vote", date(2024, 7, 1), {"official_members": 20},
                         RuleViolation, {("field_missing", "in_favour")}),
    "malformed date": Bad(None, "identify", date(2024, 1, 10), {**PERSON, "birth_date": "2000-02-30"},
                          RuleViolation, {("field_invalid", "birth_date")}),
    "sex X": Bad(None, "identify", date(2024, 1, 10), {**PERSON, "sex": "X"},
                 RuleViolation, {("field_invalid", "sex")}),
    "date in the future": Bad("assign_helper", "assign_helper", date(2026, 11, 21), {"helper": "Phạm Văn Bình"},
                              RuleViolation, {("date_in_future", "on")}),
    "ceremony before the decision was received": Bad(
        "hold_ceremony", "hold_ceremony", date(2024, 8, 4), {"probation_helper": "Phạm Văn Bình"},
        RuleViolation, {("ceremony_before_decision", "on")}),
    "more in favour than members": Bad("branch_vote", "branch_vote", date(2024, 7, 1),
                                       {"official_members": 20, "in_favour": 21},
                                       RuleViolation, {("vote_counts", "in_favour")}),
    "certificate older than 60 months at the branch vote": Bad(
        "branch_vote", "branch_vote", date(2024, 3, 16), VOTE, RuleViolation,
        {("certificate_expired", "certificate")}, [*OLD_CERTIFICATE, ("branch_vote", date(2024, 3, 16), VOTE)]),
    "introducers with 11 months together": Bad(
        "introduce", "introduce", date(2024, 6, 10), introducers(months=11), RuleViolation,
        {("introducer_months_together", "introducers[0].months_together"),
         ("introducer_months_together", "introducers[1].months_together")}),
}


def candidate_for(ketnap: Ketnap, bad: Bad) -> str | None:
    if bad.before is None:
        return None
    if bad.before == UNKNOWN:
        return UNKNOWN
    return record_path(ketnap, steps_until(bad.before, bad.path))


@pytest.mark.parametrize("bad", CASES.values(), ids=CASES.keys())
def test_a_refused_step_names_field_and_rule_and_changes_nothing(ketnap: Ketnap, bad: Bad) -> None:
    candidate_id = candidate_for(ketnap, bad)
    if candidate_id in (None, UNKNOWN):
        record_path(ketnap, FULL_PATH[:4], full_name="Trần Thị Bích")  # someone else, so no table is empty
    before = snapshot(ketnap.engine)

    with pytest.raises(bad.error) as caught:
        ketnap.record_step(RecordStep(candidate_id=candidate_id, step=bad.step, on=bad.on, fields=bad.fields))

    assert snapshot(ketnap.engine) == before
    err = caught.value
    if isinstance(err, RuleViolation):
        assert {(v.rule, v.field) for v in err.violations} == bad.reasons
        assert all(v.ref and v.message_vi and v.message_en for v in err.violations)
    elif isinstance(err, StepNotAllowed):
        assert (err.step, err.stage) == ("hold_ceremony", Stage.VETTED)
        assert "hold_ceremony" in str(err) and "vetted" in str(err)
    else:
        assert UNKNOWN in str(err)


def test_the_snapshot_sees_a_change(ketnap: Ketnap) -> None:
    """The byte-for-byte comparison above can fail: one accepted step changes it."""
    candidate_id = record_path(ketnap, FULL_PATH[:3])
    before = snapshot(ketnap.engine)

    record(ketnap, candidate_id, *FULL_PATH[3])

    assert snapshot(ketnap.engine) != before


def test_the_certificate_is_still_valid_on_the_last_day_of_its_60_months(ketnap: Ketnap) -> None:
    candidate_id = record_path(ketnap, OLD_CERTIFICATE)

    result = record(ketnap, candidate_id, "branch_vote", date(2024, 3, 15), VOTE)

    assert result.events[0].derived["passed"] is True


@pytest.mark.parametrize(("utc_now", "on", "refused"), [
    (datetime(2026, 11, 20, 3, 0, tzinfo=UTC), date(2026, 11, 20), False),  # today is allowed
    (datetime(2026, 11, 20, 16, 59, tzinfo=UTC), date(2026, 11, 21), True),  # 23:59 in Hanoi, still the 20th
    (datetime(2026, 11, 20, 17, 0, tzinfo=UTC), date(2026, 11, 21), False),  # midnight in Hanoi
])
def test_the_future_starts_tomorrow_in_vietnam(ketnap: Ketnap, clock: FrozenClock, utc_now: datetime, on: date,
                                               refused: bool) -> None:
    candidate_id = record_path(ketnap, FULL_PATH[:1])
    clock.current = utc_now

    if refused:
        with pytest.raises(RuleViolation) as caught:
            record(ketnap, candidate_id, "assign_helper", on, {"helper": "Phạm Văn Bình"})
        assert [(v.rule, v.field) for v in caught.value.violations] == [("date_in_future", "on")]
    else:
        assert record(ketnap, candidate_id, "assign_helper", on, {"helper": "Phạm Văn Bình"}).candidate.version == 2
