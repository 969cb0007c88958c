"""Commands: what a user asks the engine to do, validated at the edge (pydantic, frozen)."""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from states.organisations import CHANGE_KINDS, LEVELS
from states.text import Line, NameLine


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecordStep(Command):
    """Record one step of PROCEDURE.md; `candidate_id` is None only for `identify`."""

    candidate_id: str | None
    step: str
    on: date
    fields: dict[str, Any] = Field(default_factory=dict)
    actor: str = "cli"
    expected_version: int | None = None  # the version the user saw; a mismatch is a conflict
    meta: dict[str, Any] = Field(default_factory=dict)  # provenance, e.g. {"imported": {"file": ..., "sha256": ...}}


ORG_CODE = r"^[A-Za-z0-9._/-]+$"


def _one_of(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}")
    return value


class AddOrganisation(Command):
    code: str = Field(min_length=1, max_length=64, pattern=ORG_CODE)
    name: NameLine = Field(min_length=1, max_length=300)
    level: str
    parent: str | None = None
    admits: bool = False
    org_type: str | None = Field(default=None, max_length=40)  # config.yaml `org_types` (issue 20)
    on: date | None = None  # the date in the founding decision; None: before anything recorded
    decision: Line = Field(default="", max_length=200)
    issuer: Line = Field(default="", max_length=300)

    _level = field_validator("level")(lambda v: _one_of(v, LEVELS, "level"))


class ChangeOrganisation(Command):
    """One dated change of the organisation tree, as the decision says (states/organisations.py)."""

    kind: str
    code: str = Field(min_length=1, max_length=64, pattern=ORG_CODE)
    on: date
    decision: Line = Field(default="", max_length=200)
    issuer: Line = Field(default="", max_length=300)
    name: NameLine | None = Field(default=None, min_length=1, max_length=300)
    level: str | None = None
    parent: str | None = Field(default=None, max_length=64, pattern=ORG_CODE)
    admits: bool | None = None
    into: str | None = Field(default=None, max_length=64, pattern=ORG_CODE)
    parts: dict[str, str] = Field(default_factory=dict)
    org_type: str | None = Field(default=None, max_length=40)  # created, typed: config.yaml `org_types`

    _kind = field_validator("kind")(lambda v: _one_of(v, CHANGE_KINDS, "kind"))
    _level = field_validator("level")(lambda v: _one_of(v, LEVELS, "level"))
