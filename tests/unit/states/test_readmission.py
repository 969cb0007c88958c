"""Re-admission (kết nạp lại, DOMAIN.md R1-R3, D15, G12): the waiting times at their month boundaries, the five
reasons that bar it, only once, the provincial consent before the decision, and the full path to official."""

from datetime import date
from typing import Any

import pytest

from states.dates import add_months
from states.errors import RuleViolation
from states.fields import BARRED_REASONS, LeftReason
from states.labels import OPTIONS
from states.rules import RuleBook
from states.stages import Stage
from tests.builders import rulebook
from tests.unit.states.helpers import (
    STANDARD,
    around,
    date_of,
    decide_on,
    edit,
    fields_of,
    refusal,
    rule_ids,
    run,
    state,
)

DECISION = date_of(STANDARD, "decide_admission")  # 2024-08-01, QĐ 24 in force
CONSENT = {"document_no": "45-CV/TU", "signed_on": "2024-07-20"}


def previous(left_on: date, **extra: Any) -> dict[str, Any]:
    return {"admitted_on": "2010-05-19", "left_on": left_on.isoformat(), "left_reason": "struck_off", **extra}


def readmission_path(pm: dict[str, Any], path: list[Any] | None = None, **decision: Any) -> list[Any]:
    base = path or STANDARD
    path = edit(base, "identify", previous_membership=pm)
    consent = {**CONSENT, "signed_on": date_of(base, "committee_vote").isoformat()}
    return edit(path, "decide_admission", readmission_consent=consent, **decision)


@pytest.mark.parametrize(("left_on", "accepted"), [
    (add_months(DECISION, -36), True),                 # 36 months to the day of the decision
    (date(2021, 8, 2), False),                         # one day short: 35 full months
])
def test_36_months_since_leaving_counted_to_the_decision_date(left_on: date, accepted: bool) -> None:
    path = readmission_path(previous(left_on))
    events = run(path, stop="decide_admission")
    if accepted:
        decided = decide_on(events, "decide_admission", DECISION, fields_of(path, "decide_admission"))
        assert state(decided).stage is Stage.ADMITTED
        return
    found = refusal(events, "decide_admission", DECISION, fields_of(path, "decide_admission"))
    assert rule_ids(found) == ["readmission_too_soon"]
    assert "35 tháng" in found[0].message_vi and "02/08/2021" in found[0].message_vi
    assert found[0].field == "previous_membership.left_on"


@pytest.mark.parametrize(("cleared_on", "accepted"), [(date(2019, 8, 1), True), (date(2019, 8, 2), False)])
def test_60_months_after_a_cleared_record(cleared_on: date, accepted: bool) -> None:
    pm = previous(date(2014, 1, 1), left_reason="expelled", convicted=True, record_cleared_on=cleared_on.isoformat())
    path = readmission_path(pm)
    events = run(path, stop="decide_admission")
    if accepted:
        decide_on(events, "decide_admission", DECISION, fields_of(path, "decide_admission"))
        return
    found = refusal(events, "decide_admission", DECISION, fields_of(path, "decide_admission"))
    assert rule_ids(found) == ["readmission_too_soon_after_record"]
    assert "59 tháng" in found[0].message_vi


def test_a_conviction_without_a_cleared_record_is_refused() -> None:
    path = readmission_path(previous(date(2014, 1, 1), convicted=True))
    events = run(path, stop="decide_admission")
    found = refusal(events, "decide_admission", DECISION, fields_of(path, "decide_admission"))
    assert rule_ids(found) == ["readmission_record_not_cleared"]


@pytest.mark.parametrize("reason", sorted(BARRED_REASONS))
def test_each_reason_of_r2_is_refused_at_once_naming_it(reason: LeftReason) -> None:
    found = refusal([], "identify", date_of(STANDARD, "identify"),
                    {**fields_of(STANDARD, "identify"), "previous_membership": previous(date(2015, 1, 1),
                                                                                          left_reason=reason.value)})
    assert rule_ids(found) == ["readmission_barred"]
    assert found[0].field == "previous_membership.left_reason"
    assert OPTIONS[reason.value][0] in found[0].message_vi


@pytest.mark.parametrize("reason", ["family_hardship", "population_policy", "expelled", "struck_off", "other"])
def test_the_other_reasons_may_be_readmitted(reason: str) -> None:
    path = readmission_path(previous(date(2015, 1, 1), left_reason=reason))
    assert state(run(path, stop="hold_ceremony")).stage is Stage.ADMITTED


def test_a_second_readmission_is_refused() -> None:
    found = refusal([], "identify", date_of(STANDARD, "identify"),
                    {**fields_of(STANDARD, "identify"),
                     "previous_membership": previous(date(2015, 1, 1), readmitted_before=True)})
    assert rule_ids(found) == ["readmission_once"]


def test_contradicting_dates_are_refused_naming_the_field() -> None:
    pm = previous(date(2009, 1, 1), convicted=True, record_cleared_on="2008-01-01")
    found = refusal([], "identify", date_of(STANDARD, "identify"), {**fields_of(STANDARD, "identify"),
                                                                     "previous_membership": pm})
    assert rule_ids(found) == ["previous_membership_dates", "record_cleared_before_admission"]
    assert "“Ngày ra khỏi Đảng" in found[0].message_vi and "01/01/2009" in found[0].message_vi


def test_consent_missing_or_dated_after_the_decision_is_refused_at_decide_admission() -> None:
    path = readmission_path(previous(date(2015, 1, 1)))
    events = run(path, stop="decide_admission")
    without = {k: v for k, v in fields_of(path, "decide_admission").items() if k != "readmission_consent"}
    found = refusal(events, "decide_admission", DECISION, without)
    assert rule_ids(found) == ["readmission_consent_missing"] and found[0].field == "readmission_consent"
    late = {**without, "readmission_consent": {**CONSENT, "signed_on": "2024-08-02"}}
    assert rule_ids(refusal(events, "decide_admission", DECISION, late)) == ["readmission_consent_after_decision"]


def test_a_first_admission_needs_no_consent() -> None:
    assert state(run(STANDARD, stop="hold_ceremony")).previous_membership is None


@pytest.mark.parametrize("decided", [date(2017, 9, 5), date(2024, 8, 1), date(2025, 3, 3), date(2025, 9, 2)],
                         ids=["qd29", "qd24", "qd232", "qd294"])
def test_r1_applies_under_every_rule_set(decided: date) -> None:
    moved = edit(around("decide_admission", decided), "identify", birth_date="1985-03-02")
    path = readmission_path(previous(add_months(decided, -36)), moved)
    events = run(path, stop="decide_admission")
    decide_on(events, "decide_admission", decided, fields_of(path, "decide_admission"))
    short = readmission_path(previous(add_months(decided, -35)), moved)
    events = run(short, stop="decide_admission")
    assert rule_ids(refusal(events, "decide_admission", decided, fields_of(short, "decide_admission"))) == \
        ["readmission_too_soon"]


def test_a_rule_set_without_readmission_rules_refuses_it() -> None:
    book = RuleBook([r.model_copy(update={"readmission": None}) for r in rulebook().versions])
    pm = previous(date(2015, 1, 1))
    with pytest.raises(RuleViolation) as refused:
        decide_on([], "identify", date_of(STANDARD, "identify"),
                  {**fields_of(STANDARD, "identify"), "previous_membership": pm}, book=book)
    assert [v.rule for v in refused.value.violations] == ["readmission_not_in_rules"]


def test_a_readmitted_candidate_serves_the_full_probation_and_becomes_official() -> None:
    path = readmission_path(previous(date(2015, 1, 1)))
    c = state(run(path))
    assert c.stage is Stage.OFFICIAL and c.readmission
    ceremony = date_of(path, "hold_ceremony")
    assert c.probation_ends_on == add_months(ceremony, 12) == c.official_on
    # party age: from the first admission less the time outside the Party (config.yaml, UNVERIFIED)
    served = date(2015, 1, 1) - date(2010, 5, 19)
    assert c.party_age_from == DECISION - served
    events = run(path, stop="hold_ceremony")
    assert events[-1].derived["party_age_from"] == (DECISION - served).isoformat()
