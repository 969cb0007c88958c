"""Rule sets chosen by the step's date (ARCHITECTURE.md decision 6) and qualified majorities in integers (V1)."""

from datetime import date

import pytest
from pydantic import ValidationError

from states.decide import recheck
from states.errors import NoRuleSetInForce
from states.rules import RuleBook, RuleSet, Threshold
from tests.builders import PERSON, calendar, rulebook, settings
from tests.unit.states.helpers import around, by_rule, decide_on, edit, refusal, rule_ids, run


@pytest.mark.parametrize(("on", "rule_set"), [
    (date(2016, 7, 25), "qd29-2016"),
    (date(2021, 7, 29), "qd29-2016"),
    (date(2021, 7, 30), "qd24-2021"),
    (date(2025, 1, 19), "qd24-2021"),
    (date(2025, 1, 20), "qd232-2025"),
    (date(2025, 6, 30), "qd232-2025"),
    (date(2025, 7, 1), "qd294-2025"),
    (date(2030, 1, 1), "qd294-2025"),
])
def test_rule_set_in_force_on_a_date(on: date, rule_set: str) -> None:
    assert rulebook().for_date(on).id == rule_set


def test_no_rule_set_before_the_first_one() -> None:
    with pytest.raises(NoRuleSetInForce) as err:
        rulebook().for_date(date(2016, 7, 24))
    assert err.value.first == date(2016, 7, 25)


def test_a_step_before_any_rule_set_is_refused_with_that_reason() -> None:
    with pytest.raises(NoRuleSetInForce):
        decide_on([], "identify", date(2016, 7, 24), {**PERSON, "birth_date": "1990-01-01"})
    accepted = decide_on([], "identify", date(2016, 7, 25), {**PERSON, "birth_date": "1990-01-01"})
    assert accepted[-1].rule_set == "qd29-2016"


@pytest.mark.parametrize(("before", "after", "id_before", "id_after"), [
    (date(2021, 7, 29), date(2021, 7, 30), "qd29-2016", "qd24-2021"),
    (date(2025, 1, 19), date(2025, 1, 20), "qd24-2021", "qd232-2025"),
    (date(2025, 6, 30), date(2025, 7, 1), "qd232-2025", "qd294-2025"),
])
def test_each_event_records_the_rule_set_of_its_own_date(before: date, after: date, id_before: str,
                                                         id_after: str) -> None:
    path = edit(around("introduce", before), "collect_comments", on=after)
    events = run(path, stop="branch_vote")
    kinds = {e.type: e.rule_set for e in events}
    assert (kinds["introduce"], kinds["collect_comments"]) == (id_before, id_after)


def _stricter_2025() -> RuleBook:
    """The config's rule book, but both 2025 rule sets ask 24 months together with an introducer."""
    changed = []
    for rules in settings().rulebook().versions:
        if rules.in_force_from >= date(2025, 1, 1):
            rules = RuleSet.model_validate({**rules.model_dump(), "introducer_months_together": 24})
        changed.append(rules)
    return RuleBook(changed)


def test_a_2023_step_is_judged_by_the_2021_rules_even_when_2025_numbers_change() -> None:
    book = _stricter_2025()
    path_2023 = around("introduce", date(2023, 5, 10))
    events = run(path_2023, stop="introduce", book=book)
    name, on, fields = next(s for s in path_2023 if s[0] == "introduce")
    accepted = decide_on(events, name, on, fields, book=book)
    assert accepted[-1].rule_set == "qd24-2021"

    path_2025 = around("introduce", date(2025, 8, 11))
    events = run(path_2025, stop="introduce", book=book)
    name, on, fields = next(s for s in path_2025 if s[0] == "introduce")
    found = refusal(events, name, on, fields, book=book)
    assert set(rule_ids(found)) == {"introducer_months_together"}
    assert "24" in by_rule(found, "introducer_months_together").message_en


def test_recheck_judges_each_step_by_the_rule_set_of_its_date() -> None:
    book = _stricter_2025()
    history_2023 = run(around("introduce", date(2023, 5, 10)))  # recorded under the config's rules
    assert recheck(history_2023, book, calendar()) == []
    history_2025 = run(around("introduce", date(2025, 8, 11)), stop="decide_admission")
    problems = recheck(history_2025, book, calendar())
    assert [(e.type, rule_ids(list(vs))) for e, vs in problems] == [
        ("introduce", ["introducer_months_together", "introducer_months_together"])]


@pytest.mark.parametrize(("in_favour", "members", "reached"), [
    (13, 20, False),  # 39 < 40
    (14, 20, True),  # 42 >= 40
    (2, 3, True),  # exactly two thirds
    (1, 3, False),
    (6, 9, True),
    (5, 9, False),
    (0, 1, False),
    (1, 1, True),
    (66_666, 100_000, False),  # a float 0.66666 >= 2/3 slip would not show here, integers do
    (66_667, 100_000, True),
])
def test_two_thirds_in_integer_arithmetic(in_favour: int, members: int, reached: bool) -> None:
    assert Threshold(numerator=2, denominator=3).reached(in_favour, members) is reached


def test_a_threshold_above_one_is_refused() -> None:
    with pytest.raises(ValidationError):
        Threshold(numerator=4, denominator=3)
