"""Events: the immutable record of one step (ARCHITECTURE.md decision 1).

`payload` holds what the secretary entered (validated, JSON-ready); `derived` holds what the engine computed
from it at decision time (vote passed, late marks, deadlines opened and closed with the calendar version),
so that a replay never depends on today's calendar or today's rules.
"""

from datetime import date, datetime
from typing import Any, NamedTuple


class Event(NamedTuple):
    """Immutable as a tuple is; a tuple because every step reads back its whole stream and every audit the
    whole log, and a frozen dataclass costs four times as much to build. Change one with `_replace`."""

    stream_id: str
    version: int
    type: str  # the step's name (PROCEDURE.md vocabulary)
    effective_on: date  # the business date written on the document
    recorded_at: datetime  # UTC, when it was entered
    actor: str
    rule_set: str
    payload: dict[str, Any]
    derived: dict[str, Any]
    prev_hash: str = ""
    hash: str = ""
    position: int | None = None  # global position, assigned by the store

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream_id": self.stream_id,
            "version": self.version,
            "type": self.type,
            "effective_on": self.effective_on.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "rule_set": self.rule_set,
            "payload": self.payload,
            "derived": self.derived,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "position": self.position,
        }
