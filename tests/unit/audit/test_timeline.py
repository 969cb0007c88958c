"""Corrections appear next to the value they correct, with reason and actor; forms come from DOMAIN.md §6."""

from datetime import date

from states.decide import decide_correction
from tests.builders import calendar, history_until, make_step, rulebook
from workflow.audit.timeline import forms_of, timeline


def test_a_correction_is_shown_on_the_event_it_corrects_with_before_and_after() -> None:
    history = history_until("hold_ceremony")
    target = next(e for e in history if e.type == "decide_admission")
    step = make_step("correct", date(2024, 8, 6), {"corrects": target.version, "fields": {
        "decision_no": "124-QĐ/ĐU"}, "reason": "số quyết định ghi nhầm"}, actor="văn phòng")
    events = [*history, *decide_correction(history, step, rulebook(), calendar())]
    entries = {e.event.version: e for e in timeline(events)}
    fix = entries[target.version].corrections[0]
    assert (fix.changes[0].field, fix.changes[0].before, fix.changes[0].after) == (
        "decision_no", "123-QĐ/ĐU", "124-QĐ/ĐU")
    assert (fix.reason, fix.actor) == ("số quyết định ghi nhầm", "văn phòng")
    assert entries[events[-1].version].correction is not None


def test_form_codes_follow_the_step_and_a_union_resolution_adds_its_own() -> None:
    history = history_until()
    forms = {e.type: forms_of(e) for e in history}
    assert forms["branch_vote"] == ["6-KNĐ"]
    assert forms["decide_admission"] == ["9-KNĐ"]
    assert forms["assign_helper"] == []
    introduce = next(e for e in history if e.type == "introduce")
    youth = introduce._replace(payload={**introduce.payload, "union_resolution": {"body": "youth_union"}})
    assert forms_of(youth) == ["3-KNĐ", "4-KNĐ"]
