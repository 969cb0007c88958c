"""HD 06/2025 §3 puts the application letter before the personal-history form; earlier rules did not."""

from datetime import date

import pytest

from states.errors import RuleViolation
from tests.builders import PERSON, record


def _in_training(start: date) -> list:  # type: ignore[type-arg]
    events = record([], "identify", start, PERSON)
    events = record(events, "assign_helper", start, {"helper": "Phạm Văn Bình"})
    return record(events, "enrol_training", start, {})


def test_history_before_application_is_accepted_under_the_2021_rules() -> None:
    events = _in_training(date(2024, 3, 1))
    events = record(events, "declare_history", date(2024, 3, 5))
    assert events[-1].type == "declare_history" and events[-1].rule_set == "qd24-2021"


def test_history_before_application_is_refused_from_hd06_2025() -> None:
    events = _in_training(date(2025, 7, 1))
    with pytest.raises(RuleViolation) as refused:
        record(events, "declare_history", date(2025, 7, 2))
    assert [v.rule for v in refused.value.violations] == ["history_before_application"]
    events = record(events, "submit_application", date(2025, 7, 2))
    assert record(events, "declare_history", date(2025, 7, 3))[-1].rule_set == "qd294-2025"
