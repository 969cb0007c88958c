"""Bitemporal views of one candidate's stream: as things stood on a business date, or as the system knew them
at a moment (ARCHITECTURE.md decision 2). Pure: the events are passed in."""

from collections.abc import Sequence
from datetime import date, datetime

from states.candidate import Candidate, corrections_of, replay
from states.events import Event


def history_view(events: Sequence[Event], as_of: date | None,
                 known_at: datetime | None) -> tuple[Candidate, list[Event]]:
    """Bitemporal filter: `known_at` keeps what was recorded by then; `as_of` keeps what had happened by then
    (corrections recorded later still apply to the events they correct)."""
    kept = [e for e in events if known_at is None or e.recorded_at <= known_at]
    if as_of is not None:
        moved = {v: date.fromisoformat(fix["fields"]["on"]) for v, fix in corrections_of(kept).items()
                 if "on" in fix["fields"]}  # a corrected date is when the step happened
        versions = {e.version for e in kept if e.type != "correct" and moved.get(e.version, e.effective_on) <= as_of}
        kept = [e for e in kept if e.version in versions
                or (e.type == "correct" and int(e.payload["corrects"]) in versions)]
    if not kept:
        return Candidate(id=events[0].stream_id if events else ""), []
    return replay(kept), kept  # versions stay as recorded: gaps show what was left out
