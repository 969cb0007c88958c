"""Builders for candidates and steps, so tests state only what matters to them."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from states.calendar import WorkingCalendar
from states.candidate import Candidate, replay
from states.decide import decide
from states.events import Event
from states.rules import RuleBook
from states.step import OrgFacts, Step
from workflow.config import Settings, load_settings

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # recorded_at for tests: 10:00 in Hanoi on 2026-11-20


@cache
def settings() -> Settings:
    return load_settings()


def rulebook() -> RuleBook:
    return settings().rulebook()


@cache
def calendar() -> WorkingCalendar:
    return settings().working_calendar()


FACTS = OrgFacts(org_level="branch", competent_body="DU-XA", committee_vote_required=True)


def make_step(name: str, on: date, fields: Mapping[str, Any] | None = None, *,
              recorded_at: datetime | None = None, facts: OrgFacts = FACTS, actor: str = "secretary") -> Step:
    moment = recorded_at or max(NOW, datetime.combine(on + timedelta(days=1), time(3), UTC))
    return Step(name, on, dict(fields or {}), moment, actor, facts)


def record(events: list[Event], name: str, on: date, fields: Mapping[str, Any] | None = None,
           **kw: Any) -> list[Event]:
    """Decide `name` on the state the events give and return the longer history."""
    candidate = replay(events, stream_id="c-1")
    step = make_step(name, on, fields, **kw)
    return [*events, *decide(candidate, step, rulebook().for_date(on), calendar())]


PERSON = {"org": "CB-01", "full_name": "Nguyễn Thị Hoà", "birth_date": "2000-03-15", "sex": "F",
          "education": "university", "youth_union": False, "categories": ["student"]}


def introducers(on_since: str = "2010-01-01", months: int = 18) -> dict[str, Any]:
    return {"introducers": [{"name": "Lê Văn Cường", "official_since": on_since, "months_together": months},
                            {"name": "Trần Minh Đức", "official_since": on_since, "months_together": months}]}


# Steps in order with a date each: from identification to the passed branch and committee votes.
PATH_TO_VOTE: list[tuple[str, date, dict[str, Any]]] = [
    ("identify", date(2024, 1, 10), PERSON),
    ("assign_helper", date(2024, 1, 20), {"helper": "Phạm Văn Bình"}),
    ("enrol_training", date(2024, 3, 1), {"class_name": "Lớp NTVĐ 03/2024"}),
    ("certify_training", date(2024, 3, 20), {"certificate_no": "CN-123", "issued_on": "2024-03-15"}),
    ("submit_application", date(2024, 4, 1), {}),
    ("declare_history", date(2024, 4, 5), {}),
    ("conclude_vetting", date(2024, 6, 1), {"conclusion": "cleared", "certified_by": "Đảng ủy phường"}),
    ("introduce", date(2024, 6, 10), introducers()),
    ("collect_comments", date(2024, 6, 15), {"sources": ["residence", "mass_organisations"]}),
    ("branch_vote", date(2024, 7, 1), {"official_members": 20, "in_favour": 18, "resolution_no": "06-NQ/CB"}),
    ("committee_vote", date(2024, 7, 10), {"committee_members": 9, "in_favour": 7}),
]

AFTER_VOTE: list[tuple[str, date, dict[str, Any]]] = [
    ("decide_admission", date(2024, 8, 1), {"decision_no": "123-QĐ/ĐU", "decided_by": "DU-XA",
                                            "received_on": "2024-08-05"}),
    ("hold_ceremony", date(2024, 8, 20), {"probation_helper": "Phạm Văn Bình"}),
    ("submit_member_history", date(2024, 9, 10), {}),
    ("certify_new_member_course", date(2024, 12, 1), {"certificate_no": "DVM-9", "issued_on": "2024-11-30"}),
    ("review_vote", date(2025, 8, 25), {"official_members": 21, "in_favour": 20, "recommendation": "recognise"}),
    ("committee_review_vote", date(2025, 9, 3), {"committee_members": 9, "in_favour": 8}),
    ("recognise_official", date(2025, 9, 20), {"decision_no": "456-QĐ/ĐU", "decided_by": "DU-XA"}),
]


def history_until(stop: str | None = None, path: list[tuple[str, date, dict[str, Any]]] | None = None,
                  ) -> list[Event]:
    """The events of the standard path, up to (not including) the step named `stop`."""
    events: list[Event] = []
    for name, on, fields in path or [*PATH_TO_VOTE, *AFTER_VOTE]:
        if name == stop:
            break
        events = record(events, name, on, fields)
    return events


def candidate_at(stop: str | None = None) -> Candidate:
    return replay(history_until(stop), stream_id="c-1")
