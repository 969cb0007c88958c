"""The correction form: pick a recorded step, see its values in that step's own inputs, change what was wrong.

No secretary writes JSON (issue 17, item 7). The page shows the chosen step's form under the prefix `fields.`,
filled with the values on record (later corrections applied); what comes back is compared with them and only
the changed values go into an ordinary `correct` step (`corrects`, `fields`, `reason`), which the service judges
as it judges a correction sent by the API.
"""

from dataclasses import dataclass, replace
from typing import Any

from starlette.datastructures import FormData

from states.candidate import corrections_of
from states.catalogue import violation
from states.errors import Violation
from states.events import Event
from states.steps import STEPS
from workflow.web import forms

PREFIX = "fields."


@dataclass(frozen=True)
class Correctable:
    version: int
    step: str
    on: str  # ISO date of the step, as corrected


def correctable(events: list[Event]) -> list[Correctable]:
    """Every recorded step a correction may name (not a correction itself), newest first."""
    moved = corrections_of(events)
    return [Correctable(e.version, e.type, str(moved.get(e.version, {}).get("fields", {}).get(
        "on", e.effective_on.isoformat()))) for e in reversed(events) if e.type != "correct"]


def target_of(events: list[Event], raw: object) -> Event | None:
    version = forms.version_number(raw)
    if version is None or not 0 < version <= len(events):
        return None
    event = events[version - 1]
    return event if event.type != "correct" else None


def recorded(events: list[Event], target: Event) -> dict[str, Any]:
    """The target's values as they stand (its payload with every later correction), with its date as `on`."""
    fix = corrections_of(events).get(target.version, {}).get("fields", {})
    return {**target.payload, "on": target.effective_on.isoformat(), **fix}


def inputs(step: str) -> list[forms.FormField]:
    """The target step's inputs, named `fields.<key>`, its own date first."""
    return [forms.FormField(PREFIX + "on", "on", "date", True), *forms.model_fields(STEPS[step].fields,
                                                                                    PREFIX)]


def form_values(values: dict[str, Any]) -> dict[str, Any]:
    """Recorded values by input name, as the inputs show them (dotted names for lists and objects)."""
    flat: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                put(f"{name}.{k}", v)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, v in enumerate(value):
                put(f"{name}.{i}", v)
        elif isinstance(value, bool):
            flat[name] = "on" if value else ""
        elif value is not None:
            flat[name] = value if isinstance(value, list) else str(value)

    for key, value in values.items():
        put(PREFIX + key, value)
    return flat


def _same(value: Any) -> Any:
    """A value as compared: "21" and 21 are the same count, an unticked box and a missing flag the same."""
    if value in (None, False, "", [], {}):
        return None
    if isinstance(value, dict):
        return {k: _same(v) for k, v in value.items() if _same(v) is not None}
    if isinstance(value, list):
        return [_same(v) for v in value]
    return str(value)


def changes(events: list[Event], target: Event, form: FormData) -> tuple[dict[str, Any], list[Violation]]:
    """The values typed that differ from the record (each whole: a list of introducers is sent entire), and the
    problems found reading them (a date that is not one)."""
    problems: list[Violation] = []
    before = recorded(events, target)
    changed: dict[str, Any] = {}
    for f in inputs(target.type):
        typed = forms.read_value(f, form, problems)
        if _same(typed) != _same(before.get(f.key)):
            changed[f.key] = typed
    if not changed and not problems:
        found = violation("field_missing", None, field="fields")
        problems.append(replace(found, message_vi="Chưa có giá trị nào được sửa: hãy sửa ít nhất một ô so với "
                                                  "giá trị đã ghi.",
                                message_en="Nothing was changed: change at least one value from the record."))
    return changed, problems
