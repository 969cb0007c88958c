"""HTML forms generated from each step's pydantic fields (states/fields.py), and form data turned back into them.

The form never validates a rule itself: it only reshapes what was typed (dotted names such as
`introducers.0.name` become nested lists and objects) and hands it to the service, whose violations name the
same dotted fields, so each reason can be shown next to its input.
"""

import json
import types
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import FormData

from states.catalogue import violation
from states.errors import Violation
from states.fields import Fields
from states.labels import Said
from states.steps import STEPS

LIST_ROWS = 2  # rows shown for a list of objects (introducers: two official members, PROCEDURE.md S6)
TEXT_LIMIT = 20_000  # longer input is cut before parsing; the field's own limit then refuses it


@dataclass
class FormField:
    name: str  # dotted path, as the service's violations name it
    key: str  # the last part, for the label
    kind: str  # text, date, number, checkbox, select, multi, json, group
    required: bool
    options: tuple[str, ...] = ()
    max_length: int | None = None
    children: list["FormField"] = field(default_factory=list)  # for a group (one row of a list or an object)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the inner type, whether None is allowed)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        inner, _ = _unwrap(args[0])
        return inner, len(args) < len(get_args(annotation))
    return annotation, False


def _choices(annotation: Any) -> tuple[str, ...] | None:
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(m.value) for m in annotation)
    return None


def _max_length(metadata: list[Any], annotation: Any) -> int | None:
    found = [getattr(m, "max_length", None) for m in metadata]
    if get_origin(annotation) is Annotated:
        found += [getattr(m, "max_length", None) for m in get_args(annotation)[1:]]
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            if get_origin(arg) is Annotated:
                found += [getattr(m, "max_length", None) for m in get_args(arg)[1:]]
    return next((n for n in found if isinstance(n, int)), None)


def _field(name: str, key: str, annotation: Any, required: bool, metadata: list[Any]) -> FormField:
    inner, optional = _unwrap(annotation)
    required = required and not optional
    choices = _choices(inner)
    if choices is not None:
        return FormField(name, key, "select", required, choices)
    if get_origin(inner) is list:
        (item,) = get_args(inner)
        item_inner, _ = _unwrap(item)
        if isinstance(item_inner, type) and issubclass(item_inner, BaseModel):
            rows = [FormField(f"{name}.{i}", key, "group", required and i == 0,
                              children=model_fields(item_inner, f"{name}.{i}.")) for i in range(LIST_ROWS)]
            return FormField(name, key, "rows", required, children=rows)
        return FormField(name, key, "multi", required, _choices(item_inner) or ())
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return FormField(name, key, "group", required, children=model_fields(inner, f"{name}."))
    if inner is date:
        return FormField(name, key, "date", required)
    if inner is bool:
        return FormField(name, key, "checkbox", False)
    if inner is int:
        return FormField(name, key, "number", required)
    if get_origin(inner) is dict or inner is dict:
        return FormField(name, key, "json", required)
    return FormField(name, key, "text", required, max_length=_max_length(metadata, annotation))


def model_fields(model: type[BaseModel], prefix: str = "") -> list[FormField]:
    return [_field(prefix + key, key, info.annotation, info.is_required(), list(info.metadata))
            for key, info in model.model_fields.items()]


def step_form(step: str) -> list[FormField]:
    """The inputs of a step's form, besides its date `on`."""
    fields_model: type[Fields] = STEPS[step].fields
    return model_fields(fields_model)


# --- reading a submitted form ---------------------------------------------------------------------------------

def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:TEXT_LIMIT].strip() if isinstance(value, str) else ""


def _value(f: FormField, form: FormData, problems: list[Violation]) -> Any:
    """The value typed for `f`, or None when nothing was typed (the service then reports it if required)."""
    if f.kind == "checkbox":
        return _text(form, f.name) in ("on", "true", "1", "yes")
    if f.kind == "multi":
        return [v[:TEXT_LIMIT] for v in form.getlist(f.name) if isinstance(v, str) and v.strip()] or None
    if f.kind == "rows":
        rows = [_group(child, form, problems) for child in f.children]
        kept = [r for r in rows if r is not None]
        return kept or None
    if f.kind == "group":
        return _group(f, form, problems)
    raw = _text(form, f.name)
    if not raw:
        return None
    if f.kind == "json":
        try:
            return json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(violation("field_invalid", None, field=f.name,
                                      detail=Said("không đọc được giá trị", f"not JSON ({err.msg})")))
            return None
    return raw


def _group(f: FormField, form: FormData, problems: list[Violation]) -> dict[str, Any] | None:
    values = {child.key: _value(child, form, problems) for child in f.children}
    typed = {k: v for k, v in values.items() if v not in (None, False)}
    return {k: v for k, v in values.items() if v is not None} if typed else None


def parse_form(step: str, form: FormData) -> tuple[dict[str, Any], list[Violation]]:
    """The step's fields from a submitted form, and the problems found while reading it (bad JSON)."""
    problems: list[Violation] = []
    values = {f.key: _value(f, form, problems) for f in step_form(step)}
    return {k: v for k, v in values.items() if v is not None}, problems


def submitted_values(form: FormData) -> dict[str, Any]:
    """What was typed, by input name, to fill the form again after a refusal or a conflict (nothing is lost)."""
    values: dict[str, Any] = {}
    for key in form:
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 else (items[0][:TEXT_LIMIT] if items else "")
    return values


def parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def form_token(form: FormData) -> str | None:
    """The step form's one-time token as an idempotency key (a form without one records as before)."""
    token = form.get("form_token")
    return f"form:{token}" if isinstance(token, str) and 0 < len(token) <= 100 else None
