"""Field validation: every problem is a violation naming the field; `decide` never leaks a pydantic error."""

from datetime import date
from typing import Any

import pytest

from states.candidate import Candidate
from states.decide import decide, decide_correction
from states.errors import RuleViolation
from states.events import Event
from states.steps import STEPS
from tests.builders import PERSON, calendar, make_step, rulebook
from tests.unit.states.helpers import STANDARD, date_of, decide_on, fields_of, run, state

VOTE = {"official_members": 20, "in_favour": 14}


def _refused_fields(events: list[Event], step: str, fields: dict[str, Any]) -> list[tuple[str, str | None]]:
    with pytest.raises(RuleViolation) as err:
        decide_on(events, step, date_of(STANDARD, step), fields)
    return [(v.rule, v.field) for v in err.value.violations]


@pytest.mark.parametrize(("step", "fields", "expected"), [
    ("identify", {k: v for k, v in PERSON.items() if k != "full_name"}, [("field_missing", "full_name")]),
    ("identify", {**PERSON, "nickname": "Hoà"}, [("field_unknown", "nickname")]),
    ("identify", {**PERSON, "birth_date": "2000-13-01"}, [("field_invalid", "birth_date")]),
    ("identify", {**PERSON, "birth_date": "15/03/2000"}, [("field_invalid", "birth_date")]),
    ("identify", {**PERSON, "birth_date": "2000-3-15"}, [("field_invalid", "birth_date")]),
    ("identify", {**PERSON, "birth_date": 0}, [("field_invalid", "birth_date")]),  # not 1970-01-01
    ("identify", {**PERSON, "sex": "X"}, [("field_invalid", "sex")]),
    ("identify", {**PERSON, "education": "phd"}, [("field_invalid", "education")]),
    ("identify", {**PERSON, "birth_date": "2030-01-01"}, [("date_in_future", "birth_date")]),
    ("branch_vote", {"official_members": 20}, [("field_missing", "in_favour")]),
    ("branch_vote", {**VOTE, "in_favour": "mười bốn"}, [("field_invalid", "in_favour")]),
    ("branch_vote", {**VOTE, "in_favour": True}, [("field_invalid", "in_favour")]),  # not the count 1
    ("branch_vote", {**VOTE, "in_favour": 13.5}, [("field_invalid", "in_favour")]),
    ("branch_vote", {**VOTE, "in_favour": -1}, [("field_invalid", "in_favour")]),
    ("branch_vote", {**VOTE, "official_members": 0}, [("field_invalid", "official_members")]),
    ("certify_training", {"certificate_no": "CN-1", "issued_on": 86400}, [("field_invalid", "issued_on")]),
    ("certify_training", {"certificate_no": "CN-1", "issued_on": ""}, [("field_invalid", "issued_on")]),
    ("certify_training", {"certificate_no": "", "issued_on": "2024-03-15"}, [("field_invalid", "certificate_no")]),
    ("introduce", {"introducers": [{"name": "A", "official_since": "2010-02-30", "months_together": 18}]},
     [("field_invalid", "introducers[0].official_since")]),
    ("introduce", {"introducers": [{"name": "A", "months_together": 18}]},
     [("field_missing", "introducers[0].official_since")]),
    ("introduce", {"introducers": "Lê Văn Cường"}, [("field_invalid", "introducers")]),
    ("collect_comments", {"sources": []}, [("field_invalid", "sources")]),
    ("collect_comments", {"sources": ["neighbours"]}, [("field_invalid", "sources[0]")]),
    ("decide_admission", {"decision_no": "1", "decided_by": "DU XA"}, [("field_invalid", "decided_by")]),
])
def test_a_bad_field_gives_a_violation_naming_it(step: str, fields: dict[str, Any],
                                                 expected: list[tuple[str, str]]) -> None:
    events = run(STANDARD, stop=step)
    assert _refused_fields(events, step, fields) == expected


def test_every_field_problem_is_reported_at_once() -> None:
    fields = {k: v for k, v in PERSON.items() if k not in ("full_name", "sex")}
    found = _refused_fields([], "identify", {**fields, "birth_date": "2000-02-30", "nickname": "x"})
    assert sorted(found) == sorted([("field_missing", "full_name"), ("field_missing", "sex"),
                                    ("field_invalid", "birth_date"), ("field_unknown", "nickname")])


def test_field_violations_carry_both_languages_and_a_reference() -> None:
    with pytest.raises(RuleViolation) as err:
        decide_on([], "identify", date(2024, 1, 10), {**PERSON, "birth_date": "2000-13-01"})
    v = err.value.violations[0]
    assert "“Ngày sinh”" in v.message_vi and "birth_date" in v.message_en
    assert v.ref and v.source
    assert "birth_date" in str(err.value)


JUNK: list[Any] = [None, "", "x", -1, 0, 10**12, 1.5, True, [], {}, [{}], {"a": {}}, "2024-02-30", [None]]


def _stage_before(step: str) -> Candidate:
    if step in ("drop", "transfer", "extend_deadline"):
        return state(run(STANDARD, stop="branch_vote"))
    if step in ("transfer_probationary", "transfer_received"):  # issue 13 item 6: during probation
        return state(run(STANDARD, stop="review_vote"))
    return state(run(STANDARD, stop=step))


@pytest.mark.parametrize("step", [s for s in STEPS if s != "correct"])
def test_decide_never_raises_a_pydantic_error(step: str) -> None:
    """Whatever arrives in a field, the answer is a RuleViolation naming it (or the step is accepted)."""
    candidate = _stage_before(step)
    rules, cal = rulebook().for_date(date(2025, 9, 20)), calendar()
    names = list(STEPS[step].fields.model_fields) or ["anything"]
    payloads = [dict.fromkeys(names, junk) for junk in JUNK]
    payloads += [{name: junk} for name in names for junk in JUNK]
    payloads += [{"unknown": 1}, {}]
    for payload in payloads:
        try:
            decide(candidate, make_step(step, date(2025, 9, 20), payload), rules, cal)
        except RuleViolation as refused:
            assert all(v.field for v in refused.violations if v.rule.startswith("field_")), payload


@pytest.mark.parametrize("junk", JUNK)
def test_decide_correction_never_raises_a_pydantic_error(junk: Any) -> None:
    history = run(STANDARD, stop="recognise_official")
    for fields in ({"birth_date": junk}, {"on": junk}, junk):
        step = make_step("correct", date(2025, 9, 20), {"corrects": 1, "fields": fields, "reason": "x"})
        try:
            decide_correction(history, step, rulebook(), calendar())
        except RuleViolation:
            pass
    step = make_step("correct", date(2025, 9, 20), {"corrects": junk, "fields": {"on": "2024-01-11"},
                                                   "reason": junk})
    with pytest.raises(RuleViolation):
        decide_correction(history, step, rulebook(), calendar())


def test_on_is_not_a_field_of_any_step() -> None:
    events = run(STANDARD, stop="assign_helper")
    found = _refused_fields(events, "assign_helper", {**fields_of(STANDARD, "assign_helper"), "on": "2024-01-20"})
    assert found == [("field_unknown", "on")]
