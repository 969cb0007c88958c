"""The fields each step records (PROCEDURE.md, Steps), validated with pydantic before any guard runs."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from states.text import Name, Text
from states.vocabulary import Category as Category  # re-exported: the fields' home is still here
from states.vocabulary import Education as Education

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")]


class DropReason(StrEnum):
    OFF_LIST = "off_list"
    VETTING_FAILED = "vetting_failed"
    VOTE_FAILED = "vote_failed"
    NOT_ADMITTED = "not_admitted"
    REMOVED_FROM_PROBATION = "removed_from_probation"
    WITHDREW = "withdrew"
    DECEASED = "deceased"
    OTHER = "other"


class LeftReason(StrEnum):
    """How a former member left the Party (DOMAIN.md R2: the first five bar re-admission for ever)."""

    ABANDONED_ACTIVITIES = "abandoned_activities"        # R2 (1) tự ý bỏ sinh hoạt đảng
    ASKED_TO_LEAVE = "asked_to_leave"                    # R2 (2) xin ra khỏi Đảng
    SERIOUS_DISUNITY = "serious_disunity"                # R2 (3) gây mất đoàn kết nội bộ nghiêm trọng
    CORRUPTION_CONVICTION = "corruption_conviction"      # R2 (4) bị kết án về tội tham nhũng
    SERIOUS_CRIME_CONVICTION = "serious_crime_conviction"  # R2 (5) bị kết án về tội nghiêm trọng trở lên
    FAMILY_HARDSHIP = "family_hardship"                  # R2 (2) exception: especially difficult family reasons
    POPULATION_POLICY = "population_policy"              # R4: population / family-planning violations
    EXPELLED = "expelled"                                # khai trừ for another reason
    STRUCK_OFF = "struck_off"                            # xóa tên for another reason
    OTHER = "other"


BARRED_REASONS = frozenset({LeftReason.ABANDONED_ACTIVITIES, LeftReason.ASKED_TO_LEAVE,
                            LeftReason.SERIOUS_DISUNITY, LeftReason.CORRUPTION_CONVICTION,
                            LeftReason.SERIOUS_CRIME_CONVICTION})


def _no_number(value: Any) -> Any:
    """pydantic would read a number as a Unix timestamp (0 -> 1970-01-01); a CLI value such as `issued_on=0`
    parses as JSON, so it must be refused, naming the field."""
    if isinstance(value, int | float):
        raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD, not a number")
    return value


def _no_boolean(value: Any) -> Any:
    """pydantic would read `true` as the count 1."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a whole number, not true or false")
    return value


Day = Annotated[date, BeforeValidator(_no_number)]
Count = Annotated[int, BeforeValidator(_no_boolean)]


class Fields(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True,
                              defer_build=True)


class NoFields(Fields):
    pass


class PreviousMembership(Fields):
    """Issue 12: a candidate who was a member before (DOMAIN.md R1-R3). Optional on identify, so events recorded
    without it keep their meaning: a first admission."""

    admitted_on: Day
    left_on: Day
    left_reason: LeftReason
    convicted: bool = False              # R1: a less serious crime; 60 months after the record is cleared
    record_cleared_on: Day | None = None
    readmitted_before: bool = False      # R3: re-admission is allowed only once


class Identify(Fields):
    org: Code
    full_name: Name
    birth_date: Day
    sex: Literal["F", "M"]
    education: Education
    ethnicity: Text | None = None
    religion: Text | None = None
    youth_union: bool = False
    trade_union: bool = False
    categories: list[Category] = Field(default_factory=list, max_length=10)
    remote_area: bool = False
    village_elder: bool = False
    previous_membership: PreviousMembership | None = None


class AssignHelper(Fields):
    helper: Name


class EnrolTraining(Fields):
    class_name: Text | None = None


class Certificate(Fields):
    certificate_no: Text
    issued_on: Day


class ConcludeVetting(Fields):
    conclusion: Literal["cleared", "not_cleared"]
    certified_by: Name


class Introducer(Fields):
    name: Name
    official_since: Day
    months_together: Count = Field(ge=0, le=1200)


class UnionResolution(Fields):
    body: Literal["youth_union", "trade_union"]
    number: Text
    on: Day


class Introduce(Fields):
    introducers: list[Introducer] = Field(max_length=5)
    union_resolution: UnionResolution | None = None


class CollectComments(Fields):
    sources: list[Literal["residence", "mass_organisations"]] = Field(min_length=1, max_length=2)


class Meeting(Fields):
    """What the minutes and the resolution of a meeting state besides the vote (issue 12): optional, so a vote
    recorded without them stays valid; a document made from the step leaves a dotted blank for each one."""

    present: Count | None = Field(default=None, ge=0, le=100000)
    against: Count | None = Field(default=None, ge=0, le=100000)
    chair: Name | None = None
    secretary: Name | None = None


class BranchVote(Meeting):
    """A branch's vote (V1, V5). Issue 13 item 3 (DOMAIN.md V1, QĐ294 §9.3.2): the members temporarily active
    elsewhere and the exempted members who are absent are not convened, so they leave the 2/3 denominator under
    the rule sets whose `vote_denominator` is `convened` (states/votes.py). Optional: a vote recorded without them
    counts none, and keeps its meaning."""

    official_members: Count = Field(gt=0, le=100000)
    in_favour: Count = Field(ge=0, le=100000)
    resolution_no: Text | None = None
    temporarily_elsewhere: Count | None = Field(default=None, ge=0, le=100000)
    exempted_absent: Count | None = Field(default=None, ge=0, le=100000)
    convened: Count | None = Field(default=None, ge=0, le=100000)  # when stated, it agrees with the two above


class CommitteeVote(Meeting):
    committee_members: Count = Field(gt=0, le=1000)
    in_favour: Count = Field(ge=0, le=1000)
    resolution_no: Text | None = None  # issue 12: the number of the committee's resolution (8-KNĐ, 15-KNĐ)


class Consent(Fields):
    document_no: Text
    signed_on: Day


class DecisionVote(Fields):
    """V3 (DOMAIN.md, HD06 §3.7a): an authorised grassroots committee decides only if at least 2/3 of ALL its
    committee members agree, so its decision records that vote. Optional: an upper committee's decision and the
    decisions entered before the rule set's `decision_vote_from` carry none (guards.decision_vote)."""

    committee_members: Count | None = Field(default=None, gt=0, le=1000)
    in_favour: Count | None = Field(default=None, ge=0, le=1000)


class DecideAdmission(DecisionVote):
    decision_no: Text
    decided_by: Code
    received_on: Day | None = None
    consent_ref: Text | None = None
    # R1: a re-admission needs the provincial standing committee's written consent, dated before the decision
    readmission_consent: Consent | None = None
    signer: Name | None = None  # issue 12: who signs the decision for the committee


class HoldCeremony(Fields):
    probation_helper: Name


class ReviewVote(BranchVote):
    recommendation: Literal["recognise", "remove"]


class RecogniseOfficial(DecisionVote):
    decision_no: Text
    decided_by: Code
    signer: Name | None = None  # issue 12: who signs the decision for the committee


class Drop(Fields):
    reason: DropReason
    decision_no: Text | None = None
    note: Text | None = None


class ExtendableDeadline(StrEnum):
    """The deadlines the competent committee may extend (DOMAIN.md D6, D12: "+ up to 30 working days")."""

    ADMISSION_DECISION = "admission_decision"      # D6: the admission decision
    RECOGNITION_DECISION = "recognition_decision"  # D12: the recognition decision


class ExtendDeadline(Fields):
    """The competent committee's decision extending its own deadline (D6, D12). The upper bound of
    `extra_working_days` is the rule set's (config.yaml), so a guard checks it, not this model."""

    deadline: ExtendableDeadline
    extra_working_days: Count = Field(gt=0)
    decision_no: Text
    reason: Text


class Transfer(Fields):
    to_org: Code


class TransferProbationary(Fields):
    """D16, P9 (issue 13 item 6): the transfer of a probationary member's party activities to another branch,
    effective on the step's date; the member presents it at the receiving branch within D16's working days."""

    to_org: Code
    transfer_ref: Text  # the number of the transfer paper (giấy giới thiệu sinh hoạt đảng)
    note: Text | None = None


class TransferReceived(Fields):
    """D16, P9: the receiving branch (`to_org`, the branch the transfer names) received the member's transfer."""

    to_org: Code
    note: Text | None = None


class Correct(Fields):
    corrects: Count = Field(gt=0)
    fields: dict[str, Any] = Field(min_length=1)
    reason: Text
