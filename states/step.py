"""What a secretary asks for (a Step) and what a guard sees while judging it (a Check)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from states.calendar import WorkingCalendar
from states.candidate import Candidate
from states.fields import Fields
from states.rules import RuleSet

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
BRANCH_LEVELS = frozenset({"branch", "grassroots"})


@dataclass(frozen=True)
class OrgFacts:
    """Facts about organisations that the workflow looks up before deciding (states/ reads no database)."""

    org_level: str | None = None  # level of the org named by identify/transfer; None when it does not exist
    competent_body: str | None = None  # the committee that decides admissions for the candidate's branch
    committee_vote_required: bool = True  # False when the branch's own authorised grassroots committee decides
    decides_as_grassroots: bool = False  # V3: the competent body is a grassroots committee authorised to admit


_NO_FACTS = OrgFacts()
_NO_META: Mapping[str, Any] = MappingProxyType({})


class Step(NamedTuple):
    """What the secretary asks for. A tuple (immutable, and built for every step and every audited event at
    a fraction of a frozen dataclass's cost)."""

    name: str
    on: date
    fields: Mapping[str, Any]
    recorded_at: datetime
    actor: str
    facts: OrgFacts = _NO_FACTS
    meta: Mapping[str, Any] = _NO_META  # provenance stored in the event's derived["meta"]

    @property
    def today(self) -> date:
        """The local date in Vietnam when the step is recorded: a document cannot be dated after it."""
        return self.recorded_at.astimezone(VIETNAM).date()


@dataclass(slots=True)
class Check:
    """Everything a guard may look at; `f` is None when only the prerequisites are asked for.

    Made for one judgement and read by its guards only: not frozen (a frozen dataclass costs twice as much
    to build, and every step and every audited event builds one)."""

    c: Candidate
    step: Step
    f: Fields | None
    rules: RuleSet
    cal: WorkingCalendar
    _today: date | None = None

    @property
    def on(self) -> date:
        return self.step.on

    @property
    def today(self) -> date:
        """`step.today`, worked out once: several guards ask, and the zone conversion is not free."""
        if self._today is None:
            self._today = self.step.today
        return self._today
