"""Guidance in force by its own date (DOMAIN.md section 7 caveat, issue 13 item 1): HD 06-HD/TW took effect on
09/06/2025, before QĐ 294 on 01/07/2025, so a step is judged by the regulation AND the guidance each in force on
its date. Between the two dates the regulation is still QĐ 232, but HD 06's values apply."""

from datetime import date

import pytest
import yaml

from states.catalogue import violation
from states.decide import recheck
from states.errors import RuleViolation
from states.events import Event
from tests.builders import PERSON, calendar, record, rulebook
from workflow.config import DEFAULT_CONFIG, ConfigError, parse_settings


def _in_training(start: date) -> list[Event]:
    events = record([], "identify", start, PERSON)
    events = record(events, "assign_helper", start, {"helper": "Phạm Văn Bình"})
    return record(events, "enrol_training", start, {})


@pytest.mark.parametrize(("on", "rule_set", "guidance"), [
    (date(2016, 7, 25), "qd29-2016", "hd01-2012"),
    (date(2016, 9, 19), "qd29-2016", "hd01-2012"),
    (date(2016, 9, 20), "qd29-2016", "hd01-2016"),
    (date(2021, 7, 30), "qd24-2021", "hd01-2016"),
    (date(2021, 9, 27), "qd24-2021", "hd01-2016"),
    (date(2021, 9, 28), "qd24-2021", "hd01-2021"),
    (date(2025, 1, 20), "qd232-2025", "hd01-2021"),
    (date(2025, 6, 8), "qd232-2025", "hd01-2021"),
    (date(2025, 6, 9), "qd232-2025", "hd06-2025"),
    (date(2025, 6, 30), "qd232-2025", "hd06-2025"),
    (date(2025, 7, 1), "qd294-2025", "hd06-2025"),
])
def test_the_regulation_and_the_guidance_in_force_on_a_date(on: date, rule_set: str, guidance: str) -> None:
    rules = rulebook().for_date(on)
    assert (rules.id, rules.guidance) == (rule_set, guidance)


def test_hd06_judges_a_step_from_its_own_date_before_qd294_starts() -> None:
    """S3/S4 (HD 06 §3): on 08/06/2025 HD 01/2021 lets the history come before the letter; on 09/06/2025 HD 06
    refuses it, though QĐ 232 is the regulation on both days. Were the guidance tied to the regulation (as
    before: from 01/07/2025), the second step would be accepted."""
    day_before = record(_in_training(date(2025, 6, 2)), "declare_history", date(2025, 6, 8))
    accepted = day_before[-1]
    assert (accepted.rule_set, accepted.derived["guidance"]) == ("qd232-2025", "hd01-2021")

    events = _in_training(date(2025, 6, 2))
    with pytest.raises(RuleViolation) as refused:
        record(events, "declare_history", date(2025, 6, 9))
    [v] = refused.value.violations
    assert v.rule == "history_before_application"
    assert (v.rule_set, v.guidance, v.judged_by) == ("qd232-2025", "hd06-2025", "qd232-2025 + hd06-2025")
    assert v.as_dict()["guidance"] == "hd06-2025" and "qd232-2025 + hd06-2025" in str(v)

    after = record(record(events, "submit_application", date(2025, 6, 9)), "declare_history", date(2025, 6, 9))
    assert (after[-1].rule_set, after[-1].derived["guidance"]) == ("qd232-2025", "hd06-2025")


def test_a_refusal_at_the_boundary_changes_nothing() -> None:
    events = _in_training(date(2025, 6, 2))
    before = list(events)
    with pytest.raises(RuleViolation):
        record(events, "declare_history", date(2025, 6, 9))
    assert events == before  # the history the step was judged on is as it was; no event was made


def test_a_refusal_cites_the_guidance_in_force_for_a_value_the_guidance_sets() -> None:
    """G5/D2: the certificate's validity is the guidance's (HD 06 §5.4); its source names the guidance of the
    day, the regulation beside it."""
    rules_before, rules_after = rulebook().for_date(date(2025, 6, 8)), rulebook().for_date(date(2025, 6, 9))
    before = violation("certificate_expired", rules_before, issued_on=date(2020, 1, 1), valid=60,
                       expires=date(2025, 1, 1), on=date(2025, 6, 8))
    after = violation("certificate_expired", rules_after, issued_on=date(2020, 1, 1), valid=60,
                      expires=date(2025, 1, 1), on=date(2025, 6, 9))
    assert before.source == "HD 01-HD/TW 2021 §5.4; QĐ 232-QĐ/TW"
    assert after.source == "HD 06-HD/TW 2025 §5.4; QĐ 232-QĐ/TW"


def test_an_event_recorded_before_the_guidance_stamp_takes_the_guidance_of_its_date() -> None:
    """Old logs have no `derived.guidance`: nothing is rewritten, the guidance of the event's date is read."""
    book = rulebook()
    events = record(_in_training(date(2025, 6, 2)), "submit_application", date(2025, 6, 9))
    old = [e._replace(derived={k: v for k, v in e.derived.items() if k != "guidance"}) for e in events]
    assert [book.guidance_of(e) for e in old] == ["hd01-2021", "hd01-2021", "hd01-2021", "hd06-2025"]
    assert book.of_event(old[-1]).application_before_history is True
    assert book.of_event(old[0]).application_before_history is False
    assert recheck(old, book, calendar()) == []


def test_a_stamped_guidance_is_read_back_even_with_another_regulation() -> None:
    book = rulebook()
    e = record([], "identify", date(2025, 6, 8), PERSON)[-1]
    assert book.of_event(e).guidance == "hd01-2021"
    moved = e._replace(derived={**e.derived, "guidance": "hd06-2025"})
    rules = book.of_event(moved)
    assert (rules.id, rules.guidance, rules.application_before_history) == ("qd232-2025", "hd06-2025", True)
    assert book.get("qd29-2016", "hd06-2025").guidance_title == "HD 06-HD/TW 2025"  # never in force together


def test_the_audit_rejudges_an_old_event_under_the_guidance_of_its_date() -> None:
    """An event recorded (by an earlier release) with the history before the letter on 10/06/2025, judged then
    under HD 01/2021 with QĐ 232: the audit now judges it under HD 06 and reports it."""
    events = _in_training(date(2025, 6, 2))
    earlier = record(events, "declare_history", date(2025, 6, 8))[-1]
    old = earlier._replace(effective_on=date(2025, 6, 10),
                           derived={k: v for k, v in earlier.derived.items() if k != "guidance"})
    problems = recheck([*events, old], rulebook(), calendar())
    assert [(e.version, [v.rule for v in vs]) for e, vs in problems] == [(4, ["history_before_application"])]
    assert problems[0][1][0].guidance == "hd06-2025"


def _raw() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))


def test_a_value_of_the_guidance_written_in_a_regulation_is_refused() -> None:
    raw = _raw()
    raw["rule_sets"]["qd294-2025"]["application_before_history"] = False
    with pytest.raises(ConfigError, match="rule_sets.qd294-2025: application_before_history is set by the guidance"):
        parse_settings(yaml.safe_dump(raw, allow_unicode=True))


def test_a_first_regulation_without_a_guidance_in_force_is_refused() -> None:
    raw = _raw()
    raw["guidance"]["hd01-2016"] = {**raw["guidance"]["hd01-2012"], **raw["guidance"]["hd01-2016"]}
    del raw["guidance"]["hd01-2016"]["base"]
    del raw["guidance"]["hd01-2012"]
    with pytest.raises(ConfigError, match="no guidance is in force on 2016-07-25"):
        parse_settings(yaml.safe_dump(raw, allow_unicode=True))


def test_each_guided_value_comes_from_the_guidance_not_the_regulation() -> None:
    """A guidance that changes a value changes it from its own date, whichever regulation is in force."""
    raw = _raw()
    raw["guidance"]["hd99-2025"] = {"base": "hd06-2025", "in_force_from": date(2025, 6, 20),
                                    "title": "HD 99 (test)", "certificate_valid_months": 36}
    book = parse_settings(yaml.safe_dump(raw, allow_unicode=True)).rulebook()
    assert book.for_date(date(2025, 6, 19)).certificate_valid_months == 60
    assert (book.for_date(date(2025, 6, 20)).id, book.for_date(date(2025, 6, 20)).certificate_valid_months) == (
        "qd232-2025", 36)
    assert book.for_date(date(2025, 7, 1)).certificate_valid_months == 36
