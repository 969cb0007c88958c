"""Fakes for the ports the workflow owns: time."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class FrozenClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
