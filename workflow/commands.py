"""Commands: what a user asks the engine to do, validated at the edge (pydantic, frozen)."""

import unicodedata
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storage.organisations import LEVELS


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


class AddOrganisation(Command):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    name: str = Field(min_length=1, max_length=300)
    level: str
    parent: str | None = None
    admits: bool = False

    @field_validator("name")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return unicodedata.normalize("NFC", value.strip())

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}")
        return value
