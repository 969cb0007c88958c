"""The settings of reports (config.yaml `reports:`): which date counts an admission and who counts in which
category. Every number a committee might change lives in config.yaml, not here."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class YoungAge(BaseModel):
    """The "aged 18-30" row of the reports (DOMAIN.md section 8, E1), in full years on the counting date."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min_years: int = Field(default=18, ge=0, le=120)
    max_years: int = Field(default=30, ge=0, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> "YoungAge":
        if self.min_years > self.max_years:
            raise ValueError("min_years must not exceed max_years")
        return self


class Group(BaseModel):
    """A group of categories counted as one (issue 20: "trong doanh nghiệp" = state + private + foreign-invested
    enterprises), usable wherever a category is: plan sub-targets, breakdowns, class statistics. A new member or
    a trainee is in the group when one of their `categories` is listed, or when the type of their grassroots
    organisation on the counted date is one of `org_types` (config.yaml `org_types`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    vi: str = Field(min_length=1)
    categories: list[str] = Field(default_factory=list)
    org_types: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> "Group":
        if not self.categories and not self.org_types:
            raise ValueError("a group lists categories, org_types or both")
        return self


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    groups: dict[str, Group] = Field(default_factory=dict)
    count_admissions_on: Literal["decision", "ceremony"] = "decision"
    young_age: YoungAge = Field(default_factory=YoungAge)
    majority_ethnicities: list[str] = Field(default_factory=lambda: ["Kinh"])
    no_religion: list[str] = Field(default_factory=lambda: ["Không", "không", "none", "-"])
    enterprise_categories: list[str] = Field(default_factory=lambda: ["private_enterprise", "state_enterprise"])
    percent_decimals: int = Field(default=1, ge=0, le=4)
