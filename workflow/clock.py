"""Time is injected: only the workflow layer owns a clock (STYLE.md section 6)."""

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...  # always timezone-aware UTC


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def local_today(clock: Clock) -> date:
    """Today's date in Vietnam, where every business date lives."""
    return clock.now().astimezone(VIETNAM).date()
