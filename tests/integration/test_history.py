"""Two times (ARCHITECTURE.md decision 2): `as_of` replays what had happened by a business date, `known_at` what
the system had recorded by a moment; a back-dated step and a correction are seen as an auditor expects."""

from datetime import date, datetime, timedelta

import pytest

from states.stages import Stage
from tests.fakes import FrozenClock
from tests.integration.support import record, record_path, steps_until
from workflow.service import Ketnap

Audited = tuple[str, dict[str, datetime]]


@pytest.fixture
def audited(ketnap: Ketnap, clock: FrozenClock) -> Audited:
    """A candidate recorded in four sittings; returns its id and a moment between each pair of sittings."""
    moments: dict[str, datetime] = {}
    candidate_id = record_path(ketnap, steps_until("branch_vote"))  # vetted on 2024-06-01
    moments["before vote"] = clock.current + timedelta(minutes=30)
    clock.advance(hours=1)
    record(ketnap, candidate_id, "branch_vote", date(2024, 7, 1), {"official_members": 20, "in_favour": 18})
    moments["before late certificate"] = clock.current + timedelta(minutes=30)
    clock.advance(hours=1)
    # back-dated: a renewed certificate dated before the vote, entered after it
    record(ketnap, candidate_id, "certify_training", date(2024, 6, 20),
           {"certificate_no": "CN-200", "issued_on": "2024-06-18"})
    moments["before corrections"] = clock.current + timedelta(minutes=30)
    clock.advance(hours=1)
    versions = {e.type: e.version for e in ketnap.events(candidate_id)}
    record(ketnap, candidate_id, "correct", date(2026, 11, 19),
           {"corrects": versions["conclude_vetting"], "fields": {"on": "2024-05-20"},
            "reason": "biên bản ghi nhầm ngày"})
    record(ketnap, candidate_id, "correct", date(2026, 11, 19),
           {"corrects": versions["assign_helper"], "fields": {"on": "2024-01-25"}, "reason": "nhầm ngày"})
    return candidate_id, moments


def test_as_of_a_date_replays_what_had_happened_by_then(ketnap: Ketnap, audited: Audited) -> None:
    candidate_id, _ = audited

    candidate, events = ketnap.history(candidate_id, as_of=date(2024, 6, 25))

    assert candidate.stage is Stage.VETTED
    assert [e.type for e in events if e.type != "correct"][-1] == "certify_training"  # the back-dated step
    assert "branch_vote" not in [e.type for e in events]
    assert candidate.certificate_no == "CN-200"
    assert all(e.rule_set for e in events)


@pytest.mark.parametrize(("as_of", "stage"), [
    (date(2024, 1, 22), Stage.IDENTIFIED),  # assign_helper was moved from 01-20 to 01-25
    (date(2024, 1, 25), Stage.MENTORED),
    (date(2024, 5, 19), Stage.TRAINING_CLASS),
    (date(2024, 5, 20), Stage.VETTED),  # conclude_vetting was moved from 06-01 to 05-20
])
def test_as_of_uses_the_corrected_business_date(ketnap: Ketnap, audited: Audited, as_of: date,
                                                stage: Stage) -> None:
    candidate_id, _ = audited

    candidate, _ = ketnap.history(candidate_id, as_of=as_of)

    assert candidate.stage is stage


def test_known_at_a_moment_replays_what_the_system_showed_then(ketnap: Ketnap, audited: Audited) -> None:
    candidate_id, moments = audited

    before_vote, events_before_vote = ketnap.history(candidate_id, known_at=moments["before vote"])
    before_fix, events_before_fix = ketnap.history(candidate_id, known_at=moments["before corrections"])
    before_late, _ = ketnap.history(candidate_id, known_at=moments["before late certificate"])

    assert before_vote.stage is Stage.VETTED and before_vote.branch_votes == []
    assert [e.version for e in events_before_vote] == list(range(1, len(steps_until("branch_vote")) + 1))
    assert before_late.certificate_no == "CN-123" and len(before_late.branch_votes) == 1
    assert before_fix.certificate_no == "CN-200"
    assert before_fix.vetted_on == date(2024, 6, 1) and before_fix.corrections == []
    assert ketnap.history(candidate_id)[0].vetted_on == date(2024, 5, 20)
    assert "correct" not in [e.type for e in events_before_fix]


def test_known_at_and_as_of_together(ketnap: Ketnap, audited: Audited) -> None:
    """What the system showed before the corrections about 2024-05-25: vetting was still dated 06-01."""
    candidate_id, moments = audited

    then, _ = ketnap.history(candidate_id, as_of=date(2024, 5, 25), known_at=moments["before corrections"])
    now, _ = ketnap.history(candidate_id, as_of=date(2024, 5, 25))

    assert (then.stage, now.stage) == (Stage.TRAINING_CLASS, Stage.VETTED)
