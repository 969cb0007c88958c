"""Domain errors: a rule of the procedure was not met; safe to show to the user."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


class ProcedureError(Exception):
    """A rule of the procedure was violated; the message is safe to show."""


@dataclass(frozen=True)
class Violation:
    """One unmet rule: its id, its entry in the rule reference, the regulation, and a sentence in vi and en;
    for a rule of the procedure, the rule set (regulation) and the guidance in force on the step's date."""

    rule: str
    ref: str  # its entry in the rule reference (workflow/rule_reference.py), e.g. "/rules#age_minimum"
    source: str  # the regulation or guidance in force, e.g. "QĐ 294-QĐ/TW 1.1.1"
    message_vi: str
    message_en: str
    field: str | None = None
    rule_set: str | None = None  # the regulation's rule-set id that judged, e.g. "qd232-2025"
    guidance: str | None = None  # the guidance in force with it, e.g. "hd06-2025" (DOMAIN.md section 7 caveat)

    @property
    def judged_by(self) -> str | None:
        """"qd232-2025 + hd06-2025": the two documents in force on the step's date; None for ketnap's own rules."""
        if self.rule_set is None:
            return None
        return f"{self.rule_set} + {self.guidance}" if self.guidance else self.rule_set

    def as_dict(self) -> dict[str, str | None]:
        """The keys every refusal has; `rule_set` and `guidance` only for a rule judged under a rule set."""
        judged = {} if self.rule_set is None else {"rule_set": self.rule_set, "guidance": self.guidance}
        return {
            "rule": self.rule,
            "field": self.field,
            "ref": self.ref,
            "source": self.source,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            **judged,
        }

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        judged = f"; {self.judged_by}" if self.judged_by else ""
        return f"{self.rule}{where}: {self.message_en} / {self.message_vi} ({self.ref}; {self.source}{judged})"


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
