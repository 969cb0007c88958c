"""The guidance in force by its own date, through the store and the audit (issue 13 item 1): each event is stamped
with its guidance, `audit verify` counts the events each rule set + guidance judged and flags a guidance stamp
that was not in force on the event's date, and a refusal at HD 06's first day writes nothing."""

from datetime import date

import pytest

from states.errors import RuleViolation
from tests.builders import PERSON
from tests.integration.support import record, record_path, snapshot
from tests.integration.test_audit_rules import audit, imported
from tests.unit.states.helpers import around, run
from workflow.audit.findings import RULE_SET_MISMATCH
from workflow.service import Ketnap

pytestmark = pytest.mark.integration

START = date(2025, 6, 2)


def _in_training(app: Ketnap) -> str:
    return record_path(app, [("identify", START, PERSON), ("assign_helper", START, {"helper": "Phạm Văn Bình"}),
                             ("enrol_training", START, {})])


def test_a_refusal_on_hd06s_first_day_writes_nothing(ketnap: Ketnap) -> None:
    candidate = _in_training(ketnap)
    record(ketnap, candidate, "declare_history", date(2025, 6, 8))  # HD 01/2021: accepted
    other = _in_training(ketnap)
    before = snapshot(ketnap.engine)
    with pytest.raises(RuleViolation) as refused:
        record(ketnap, other, "declare_history", date(2025, 6, 9))  # HD 06 §3: the letter first
    assert [(v.rule, v.rule_set, v.guidance) for v in refused.value.violations] == [
        ("history_before_application", "qd232-2025", "hd06-2025")]
    assert snapshot(ketnap.engine) == before


def test_verify_counts_the_events_each_rule_set_and_guidance_judged(ketnap: Ketnap) -> None:
    candidate = _in_training(ketnap)
    record(ketnap, candidate, "submit_application", date(2025, 6, 8))
    record(ketnap, candidate, "declare_history", date(2025, 6, 9))
    stored = ketnap.events(candidate)
    assert [e.derived["guidance"] for e in stored] == ["hd01-2021"] * 4 + ["hd06-2025"]
    report = audit(ketnap)
    assert report.ok, report.findings
    assert report.as_dict()["judged_under"] == {"qd232-2025 + hd01-2021": 4, "qd232-2025 + hd06-2025": 1}


def test_an_event_stamped_with_a_guidance_not_in_force_on_its_date_is_flagged(ketnap: Ketnap) -> None:
    events = run(around("declare_history", date(2025, 6, 5)), "hold_ceremony")
    history = next(e.version for e in events if e.type == "declare_history")
    stamped = [e._replace(derived={**e.derived, "guidance": "hd06-2025"}) if e.version == history else e
               for e in events]
    imported(ketnap.engine, stamped, "imp-g")
    found = [(f.kind, f.version, f.data) for f in audit(ketnap).findings]
    assert found == [(RULE_SET_MISMATCH, history, {"stored_guidance": "hd06-2025",
                                                    "in_force_guidance": "hd01-2021"})]


def test_an_old_log_without_guidance_stamps_verifies_by_the_guidance_of_each_date(ketnap: Ketnap) -> None:
    """Events an earlier release wrote carry no guidance: they verify clean, each counted under its date's."""
    events = run(around("declare_history", date(2025, 6, 5)), "hold_ceremony")
    old = [e._replace(derived={k: v for k, v in e.derived.items() if k != "guidance"}) for e in events]
    imported(ketnap.engine, old, "imp-old")
    report = audit(ketnap)
    assert report.ok, report.findings
    assert set(report.judged_under) <= {"qd232-2025 + hd01-2021", "qd232-2025 + hd06-2025",
                                        "qd294-2025 + hd06-2025"}
    assert sum(report.judged_under.values()) == len(events)
