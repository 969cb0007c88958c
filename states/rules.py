"""Rule sets: the numbers of the procedure as each regulation fixes them, chosen by a step's date.

The values come from config.yaml (one block per rule-set version, DOMAIN.md section 7); this module only
says what they mean and picks the one in force on a date (ARCHITECTURE.md decision 6).
"""

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from states.errors import NoRuleSetInForce


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


class RuleSet(BaseModel):
    """One version of the rules, in force from `in_force_from` until the next version starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    in_force_from: date
    regulation: str  # e.g. "QĐ 294-QĐ/TW; HD 06-HD/TW 2025"
    min_age_months: int = Field(gt=0)
    max_age_months: int = Field(gt=0)
    youth_age_max_months: int = Field(gt=0)
    certificate_valid_months: int = Field(gt=0)
    introducer_months_together: int = Field(ge=0)
    probation_months: int = Field(gt=0)
    vote_threshold: Threshold
    # V1, V5: whom a branch's 2/3 counts: every official member, or those convened (QĐ294 §9.3.2: less the members
    # temporarily active elsewhere and the exempted members who are absent). states/votes.py
    vote_denominator: Literal["official_members", "convened"] = "official_members"
    committee_threshold: Threshold
    review_failures_before_report: int = Field(gt=0)
    # P9 (UNVERIFIED which branch votes on a transferred probationary member's recognition): receiving, the branch
    # that received the transfer (the member's branch when the review is voted); sending, the branch that sent it,
    # before the receiving one records the reception. states/guards.py review_by_transfer_branch
    recognition_vote_by: Literal["receiving", "sending"] = "receiving"
    education_minimum: str
    education_minimum_remote: str
    education_equivalent_accepted: bool
    application_before_history: bool
    ceremony_overdue_report: bool = True
    # S6, S7 before S8: branch votes entered from this date on may not be dated before the introduction or the
    # comments they consider; votes entered earlier are judged as they were then (None: not checked).
    vote_after_dossier_from: date | None = None
    decision_vote_from: date | None = None  # V3: an authorised grassroots committee's decisions entered since then
    working_days: WorkingDayDeadlines
    readmission: Readmission | None = None  # None: the rule set has no re-admission rules (refused)

    @model_validator(mode="after")
    def _ages(self) -> "RuleSet":
        if self.min_age_months >= self.max_age_months:
            raise ValueError("min_age_months must be below max_age_months")
        return self


class RuleBook:
    """All rule-set versions, ordered by the date they came into force."""

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        self.versions: tuple[RuleSet, ...] = tuple(sorted(rule_sets, key=lambda r: r.in_force_from))
        if not self.versions:
            raise ValueError("a rule book needs at least one rule set")
        self._by_id = {r.id: r for r in self.versions}

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

    def get(self, rule_set_id: str) -> RuleSet:
        return self._by_id[rule_set_id]

    def ids(self) -> list[str]:
        return [r.id for r in self.versions]
