"""Builders on top of tests/builders.py: move the standard path in time, edit one step, and collect refusals.

A test states only the dates and fields that matter to it; everything else is the valid standard path.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from states.calendar import WorkingCalendar
from states.candidate import Candidate, replay
from states.decide import decide
from states.errors import RuleViolation, Violation
from states.events import Event
from states.rules import RuleBook
from tests.builders import AFTER_VOTE, PATH_TO_VOTE, calendar, make_step, rulebook

Path = list[tuple[str, date, dict[str, Any]]]

STANDARD: Path = [*PATH_TO_VOTE, *AFTER_VOTE]
DATE_FIELDS = ("issued_on", "received_on")  # date-valued fields of the standard path that move with it


def _index(path: Path, step: str) -> int:
    return next(i for i, (name, _, _) in enumerate(path) if name == step)


def shifted(days: int, path: Path | None = None) -> Path:
    """The path with every date (and the date fields that belong to it) moved by `days`."""
    moved: Path = []
    for name, on, fields in path or STANDARD:
        new = dict(fields)
        for key in DATE_FIELDS:
            if key in new:
                new[key] = (date.fromisoformat(new[key]) + timedelta(days=days)).isoformat()
        moved.append((name, on + timedelta(days=days), new))
    return moved


def around(step: str, on: date, path: Path | None = None) -> Path:
    """The path moved so that `step` falls on `on`."""
    base = path or STANDARD
    return shifted((on - base[_index(base, step)][1]).days, base)


def edit(path: Path, step: str, on: date | None = None, **fields: Any) -> Path:
    """The path with one step's date and/or fields replaced (a field set to None is removed)."""
    i = _index(path, step)
    name, old_on, old_fields = path[i]
    merged = {k: v for k, v in {**old_fields, **fields}.items() if v is not None}
    return [*path[:i], (name, on or old_on, merged), *path[i + 1:]]


def leap_ceremony() -> Path:
    """The standard path moved so that the ceremony falls on 2024-02-29 (probation ends 2025-02-28)."""
    return around("hold_ceremony", date(2024, 2, 29))


def date_of(path: Path, step: str) -> date:
    return path[_index(path, step)][1]


def fields_of(path: Path, step: str) -> dict[str, Any]:
    return dict(path[_index(path, step)][2])


def decide_on(events: list[Event], name: str, on: date, fields: Mapping[str, Any] | None = None, *,
              book: RuleBook | None = None, cal: WorkingCalendar | None = None, **kw: Any) -> list[Event]:
    """The longer history after `name`, judged by `book` (the config's by default) on the rules of `on`."""
    candidate = replay(events, stream_id="c-1")
    rules = (book or rulebook()).for_date(on)
    return [*events, *decide(candidate, make_step(name, on, fields, **kw), rules, cal or calendar())]


def run(path: Path, stop: str | None = None, *, book: RuleBook | None = None,
        cal: WorkingCalendar | None = None) -> list[Event]:
    """The events of `path` up to (not including) the first step named `stop`."""
    events: list[Event] = []
    for name, on, fields in path:
        if name == stop:
            break
        events = decide_on(events, name, on, fields, book=book, cal=cal)
    return events


def state(events: list[Event]) -> Candidate:
    return replay(events, stream_id="c-1")


def refusal(events: list[Event], name: str, on: date, fields: Mapping[str, Any] | None = None,
            **kw: Any) -> list[Violation]:
    """The violations a refused step lists; fails the test when the step is accepted."""
    try:
        decide_on(events, name, on, fields, **kw)
    except RuleViolation as refused:
        assert refused.violations, "a refusal must list at least one violation"
        return list(refused.violations)
    raise AssertionError(f"{name} on {on} with {dict(fields or {})} was accepted")


def rule_ids(violations: list[Violation]) -> list[str]:
    return [v.rule for v in violations]


def by_rule(violations: list[Violation], rule: str) -> Violation:
    return next(v for v in violations if v.rule == rule)


def last(events: list[Event]) -> Event:
    return events[-1]
