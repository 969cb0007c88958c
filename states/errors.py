"""Domain errors: a rule of the procedure was not met; safe to show to the user."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


class ProcedureError(Exception):
    """A rule of the procedure was violated; the message is safe to show."""


@dataclass(frozen=True)
class Violation:
    """One unmet rule: its id, its entry in the rule reference, the regulation, and a sentence in vi and en."""

    rule: str
    ref: str  # its entry in the rule reference (workflow/rule_reference.py), e.g. "/rules#age_minimum"
    source: str  # the regulation in force, e.g. "QĐ 294-QĐ/TW 1.1.1"
    message_vi: str
    message_en: str
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "rule": self.rule,
            "field": self.field,
            "ref": self.ref,
            "source": self.source,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.rule}{where}: {self.message_en} / {self.message_vi} ({self.ref}; {self.source})"


class RuleViolation(ProcedureError):
    """A step broke one or more rules; every one is listed, not just the first."""

    def __init__(self, step: str, violations: Sequence[Violation]) -> None:
        self.step = step
        self.violations = tuple(violations)
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{step} refused:\n{lines}")


class StepNotAllowed(ProcedureError):
    def __init__(self, candidate_id: str, stage: str | None, step: str, allowed: Sequence[str]) -> None:
        where = stage or "(new)"
        super().__init__(
            f"{step} is not a step from stage {where} (candidate {candidate_id}); "
            f"allowed here: {', '.join(allowed) or 'none'}"
        )
        self.candidate_id, self.stage, self.step, self.allowed = candidate_id, stage, step, tuple(allowed)


class UnknownStep(ProcedureError):
    def __init__(self, step: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown step {step!r}; steps are: {', '.join(known)}")
        self.step = step


class CandidateNotFound(ProcedureError, LookupError):
    def __init__(self, candidate_id: str) -> None:
        super().__init__(f"no candidate with id {candidate_id!r}")
        self.candidate_id = candidate_id


class NoRuleSetInForce(ProcedureError):
    def __init__(self, on: date, first: date) -> None:
        super().__init__(f"no rule set is in force on {on}: the first one starts on {first}")
        self.on, self.first = on, first
