"""Rule sets: the numbers of the procedure as the documents in force on a step's date fix them.

Two kinds of document set them, each in force from its own date (DOMAIN.md section 7 and its caveat): the
implementing regulation (Quy định thi hành Điều lệ, config.yaml `rule_sets`) and the Secretariat's guidance
(Hướng dẫn, config.yaml `guidance`). HD 06-HD/TW took effect on 09/06/2025, before QĐ 294 on 01/07/2025, so
a step is judged by the regulation AND the guidance in force on its date. The values a guidance sets are the
fields of `Guidance` (GUIDED); every other value is the regulation's. A `RuleSet` is one period in which both
stay the same; this module only says what the values mean and picks the period of a date (ARCHITECTURE.md
decision 6).
"""

from collections.abc import Iterable
from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from states.errors import NoRuleSetInForce
from states.events import Event


class Threshold(BaseModel):
    """A qualified majority written as a fraction, compared in integers: `den * yes >= num * members`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    numerator: int = Field(gt=0)
    denominator: int = Field(gt=0)

    @model_validator(mode="after")
    def _proper(self) -> "Threshold":
        if self.numerator > self.denominator:
            raise ValueError("numerator must not exceed denominator")
        return self

    def reached(self, in_favour: int, members: int) -> bool:
        return self.denominator * in_favour >= self.numerator * members

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


class WorkingDayDeadlines(BaseModel):
    """Working days allowed for each deadline kind of PROCEDURE.md (D6, D8, D9, D11, D12)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    admission_decision: int = Field(gt=0)
    admission_decision_extension: int = Field(ge=0)
    ceremony: int = Field(gt=0)
    member_history: int = Field(gt=0)
    probation_review: int = Field(gt=0)
    recognition_decision: int = Field(gt=0)
    recognition_decision_extension: int = Field(ge=0)
    transfer_presentation: int = Field(default=60, gt=0)  # D16: a transfer is presented within 60 working days


class Readmission(BaseModel):
    """Re-admission (DOMAIN.md R1-R3): the waiting times, and how a re-admitted member's party age counts."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    months_since_leaving: int = Field(gt=0)          # R1, D15: at least 36 months after leaving
    months_after_record_cleared: int = Field(gt=0)   # R1, D15: 60 months after a criminal record is cleared
    # first_admission_less_gap: from the first admission decision, less the time outside the Party;
    # new_decision: from the re-admission decision like any member (D14)
    party_age: Literal["first_admission_less_gap", "new_decision"] = "new_decision"


class Regulation(BaseModel):
    """What an implementing regulation sets (config.yaml `rule_sets`): every value but the guidance's."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str  # the rule-set id stamped on each event (`rule_set`), e.g. "qd294-2025"
    in_force_from: date
    regulation: str  # e.g. "QĐ 294-QĐ/TW"
    min_age_months: int = Field(gt=0)
    max_age_months: int = Field(gt=0)
    youth_age_max_months: int = Field(gt=0)
    introducer_months_together: int = Field(ge=0)
    probation_months: int = Field(gt=0)
    vote_threshold: Threshold
    # V1, V5: whom a branch's 2/3 counts: every official member, or those convened (QĐ294 §9.3.2: less the members
    # temporarily active elsewhere and the exempted members who are absent). states/votes.py
    vote_denominator: Literal["official_members", "convened"] = "official_members"
    review_failures_before_report: int = Field(gt=0)
    # P9 (UNVERIFIED which branch votes on a transferred probationary member's recognition): receiving, the branch
    # that received the transfer (the member's branch when the review is voted); sending, the branch that sent it,
    # before the receiving one records the reception. states/guards.py review_by_transfer_branch
    recognition_vote_by: Literal["receiving", "sending"] = "receiving"
    education_minimum: str
    education_equivalent_accepted: bool
    ceremony_overdue_report: bool = True
    # S6, S7 before S8: branch votes entered from this date on may not be dated before the introduction or the
    # comments they consider; votes entered earlier are judged as they were then (None: not checked).
    vote_after_dossier_from: date | None = None
    decision_vote_from: date | None = None  # V3: an authorised grassroots committee's decisions entered since then
    working_days: WorkingDayDeadlines
    readmission: Readmission | None = None  # None: the rule set has no re-admission rules (refused)

    @model_validator(mode="after")
    def _ages(self) -> "Regulation":
        if self.min_age_months >= self.max_age_months:
            raise ValueError("min_age_months must be below max_age_months")
        return self


class Guidance(BaseModel):
    """What a guidance of the Secretariat sets (config.yaml `guidance`), in force from its own date."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str  # stamped on each event (`derived.guidance`), e.g. "hd06-2025"
    in_force_from: date
    title: str  # e.g. "HD 06-HD/TW 2025"
    application_before_history: bool  # S3/S4: the application letter before the history form (HD 06 §3)
    certificate_valid_months: int = Field(gt=0)  # D2, G5
    committee_threshold: Threshold  # V2, V3
    education_minimum_remote: str  # G3a


GUIDED: tuple[str, ...] = ("application_before_history", "certificate_valid_months", "committee_threshold",
                           "education_minimum_remote")


class RuleSet(Regulation):
    """One period: the regulation and the guidance in force from `in_force_from` until either changes. `id` is
    the regulation's (the machine and the `rule_set` stamp follow it), `guidance` the guidance's."""

    in_force_from: date  # the later of the two documents' dates
    application_before_history: bool
    certificate_valid_months: int = Field(gt=0)
    committee_threshold: Threshold
    education_minimum_remote: str
    guidance: str  # the guidance's id, e.g. "hd06-2025"
    guidance_title: str  # e.g. "HD 06-HD/TW 2025"
    regulation_from: date
    guidance_from: date

    @property
    def basis(self) -> str:
        """Both documents, as a decision cites them: "QĐ 294-QĐ/TW; HD 06-HD/TW 2025"."""
        return f"{self.regulation}; {self.guidance_title}"

    @property
    def label(self) -> str:
        """The two ids, as histories and audits show them: "qd294-2025 + hd06-2025"."""
        return f"{self.id} + {self.guidance}"


def combine(regulation: Regulation, guidance: Guidance) -> RuleSet:
    """The rules of a day on which `regulation` and `guidance` are both in force."""
    own = regulation.model_dump()
    return RuleSet.model_validate({
        **own, **{name: getattr(guidance, name) for name in GUIDED},
        "in_force_from": max(regulation.in_force_from, guidance.in_force_from),
        "guidance": guidance.id, "guidance_title": guidance.title,
        "regulation_from": regulation.in_force_from, "guidance_from": guidance.in_force_from})


def periods(regulations: Iterable[Regulation], guidance: Iterable[Guidance]) -> list[RuleSet]:
    """Every period from the first regulation on: a new one starts whenever a regulation or a guidance does.

    Raises:
        ValueError: no guidance is in force on the first regulation's date.
    """
    regs = sorted(regulations, key=lambda r: r.in_force_from)
    guides = sorted(guidance, key=lambda g: g.in_force_from)
    if not regs:
        raise ValueError("a rule book needs at least one regulation")
    first = regs[0].in_force_from
    if not guides or guides[0].in_force_from > first:
        raise ValueError(f"no guidance is in force on {first.isoformat()}, when the first regulation starts: "
                         f"add the guidance then in force")
    starts = sorted({first, *(r.in_force_from for r in regs), *(g.in_force_from for g in guides
                                                                  if g.in_force_from > first)})
    return [combine(_latest(regs, day), _latest(guides, day)) for day in starts]


_Doc = TypeVar("_Doc", Regulation, Guidance)


def _latest(documents: list[_Doc], on: date) -> _Doc:
    return [d for d in documents if d.in_force_from <= on][-1]


class RuleBook:
    """Every period (a regulation and a guidance in force together), ordered by the date it starts."""

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        self.versions: tuple[RuleSet, ...] = tuple(sorted(rule_sets, key=lambda r: r.in_force_from))
        if not self.versions:
            raise ValueError("a rule book needs at least one rule set")
        self._by_pair = {(r.id, r.guidance): r for r in self.versions}

    def for_date(self, on: date) -> RuleSet:
        """The rule set in force on `on`: a step is judged by the rules of its own date.

        Raises:
            NoRuleSetInForce: when `on` is before the first version.
        """
        current: RuleSet | None = None
        for rules in self.versions:
            if rules.in_force_from <= on:
                current = rules
            else:
                break
        if current is None:
            raise NoRuleSetInForce(on, self.versions[0].in_force_from)
        return current

    def get(self, rule_set_id: str, guidance: str | None = None, on: date | None = None) -> RuleSet:
        """The rules of regulation `rule_set_id` with `guidance` (by default the guidance in force on `on`, or
        the latest one the regulation was in force with): how a stored event or deadline was judged.

        Raises:
            KeyError: no period has this regulation or this guidance.
        """
        if guidance is None and on is not None:
            try:
                guidance = self.for_date(on).guidance
            except NoRuleSetInForce:
                guidance = None
        if guidance is None:
            matching = [r for r in self.versions if r.id == rule_set_id]
            if not matching:
                raise KeyError(rule_set_id)
            return matching[-1]
        found = self._by_pair.get((rule_set_id, guidance))
        if found is not None:
            return found
        # a pair that was never in force together (an event stamped with the wrong rule set, which the audit
        # reports): the regulation's values with the guidance's
        regulation = next((r for r in self.versions if r.id == rule_set_id), None)
        guide = next((r for r in self.versions if r.guidance == guidance), None)
        if regulation is None or guide is None:
            raise KeyError((rule_set_id, guidance))
        return regulation.model_copy(update={name: getattr(guide, name) for name in (
            *GUIDED, "guidance", "guidance_title", "guidance_from")})

    def guidance_of(self, event: Event) -> str | None:
        """The guidance an event was judged under: its stamp (`derived.guidance`, from this release on), or for an
        event recorded before guidance was stamped, the guidance in force on its date (None before any)."""
        stamped = event.derived.get("guidance")
        if isinstance(stamped, str):
            return stamped
        try:
            return self.for_date(event.effective_on).guidance
        except NoRuleSetInForce:
            return None

    def of_event(self, event: Event) -> RuleSet:
        """The rules a stored event was judged by: its regulation (`rule_set`) with its guidance.

        Raises:
            KeyError: the event names a regulation or guidance this configuration does not have.
        """
        return self.get(event.rule_set, self.guidance_of(event), event.effective_on)

    def ids(self) -> list[str]:
        """The regulations' ids, each once, in the order they came into force."""
        return list(dict.fromkeys(r.id for r in self.versions))
