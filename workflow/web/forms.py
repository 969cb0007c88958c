"""HTML forms generated from each step's pydantic fields (states/fields.py), and form data turned back into them.

The form never validates a rule itself: it only reshapes what was typed (dotted names such as
`introducers.0.name` become nested lists and objects) and hands it to the service, whose violations name the
same dotted fields, so each reason can be shown next to its input.
"""

import json
import re
import types
from dataclasses import dataclass, field, replace
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
from workflow.web import i18n

LIST_ROWS = 2  # rows shown for a list of objects (introducers: two official members, PROCEDURE.md S6)
MAX_ROWS = 20  # rows read back at most (the page adds rows one at a time; the field's own limit refuses more)
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
    item: type[BaseModel] | None = None  # for rows: the model of one row, so any number of rows can be read
    max_rows: int = MAX_ROWS


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
            rows = [_row(name, key, item_inner, i, required) for i in range(LIST_ROWS)]
            limit = _max_length(metadata, annotation) or MAX_ROWS
            return FormField(name, key, "rows", required, children=rows, item=item_inner,
                             max_rows=min(limit, MAX_ROWS))
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


def _row(name: str, key: str, model: type[BaseModel], i: int, required: bool) -> FormField:
    """Row `i` of a list of objects; only the first of a required list is itself required."""
    return FormField(f"{name}.{i}", key, "group", required and i == 0, children=model_fields(model, f"{name}.{i}."))


def rows_of(f: FormField, names: Any) -> list[FormField]:
    """The rows to show or read: at least the usual ones, and as many as were typed (added on the page)."""
    if f.item is None:
        return f.children
    typed = [int(m.group(1)) for n in names if (m := re.match(re.escape(f.name) + r"\.(\d+)\.", str(n)))]
    count = min(max([len(f.children), *(i + 1 for i in typed)]), f.max_rows)
    return [_row(f.name, f.key, f.item, i, f.required) for i in range(count)]


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


def read_value(f: FormField, form: FormData, problems: list[Violation]) -> Any:
    """The value typed for `f`, or None when nothing was typed (the service then reports it if required)."""
    if f.kind == "checkbox":
        return _text(form, f.name) in ("on", "true", "1", "yes")
    if f.kind == "multi":
        return [v[:TEXT_LIMIT] for v in form.getlist(f.name) if isinstance(v, str) and v.strip()] or None
    if f.kind == "rows":
        rows = [_group(child, form, problems) for child in rows_of(f, list(form.keys()))]
        kept = [r for r in rows if r is not None]
        return kept or None
    if f.kind == "group":
        return _group(f, form, problems)
    raw = _text(form, f.name)
    if not raw:
        return None
    if f.kind == "date":
        day = parse_date(raw)
        if day is None:
            problems.append(date_problem(f.name, raw))
            return None
        return day.isoformat()  # ISO to the service, as the API sends it
    if f.kind == "json":
        try:
            return json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(violation("field_invalid", None, field=f.name,
                                      detail=Said("không đọc được giá trị", f"not JSON ({err.msg})")))
            return None
    return raw


def _group(f: FormField, form: FormData, problems: list[Violation]) -> dict[str, Any] | None:
    values = {child.key: read_value(child, form, problems) for child in f.children}
    typed = {k: v for k, v in values.items() if v not in (None, False)}
    return {k: v for k, v in values.items() if v is not None} if typed else None


def parse_form(step: str, form: FormData) -> tuple[dict[str, Any], list[Violation]]:
    """The step's fields from a submitted form, and the problems found while reading it (bad JSON)."""
    problems: list[Violation] = []
    values = {f.key: read_value(f, form, problems) for f in step_form(step)}
    return {k: v for k, v in values.items() if v is not None}, problems


def submitted_values(form: FormData) -> dict[str, Any]:
    """What was typed, by input name, to fill the form again after a refusal or a conflict (nothing is lost)."""
    values: dict[str, Any] = {}
    for key in form:
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 else (items[0][:TEXT_LIMIT] if items else "")
    return values


DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(raw: str | None) -> date | None:
    """A date typed the Vietnamese way (10/11/2026 is 10 November) or in ISO (2026-11-10), whatever the browser's
    locale: the page's date inputs are text, so mm/dd never sneaks in."""
    text = (raw or "").strip()
    found = DAY_MONTH_YEAR.fullmatch(text)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return date(year, month, day)
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def date_problem(name: str, raw: str) -> Violation:
    """A date that could not be read, named by its label in both languages (the field's key would mean nothing)."""
    key = name.split(".")[-1]
    label_vi, label_en = i18n.FIELDS.get(key, (key, key))
    found = violation("field_invalid", None, field=name, detail="not a date")
    return replace(found, message_vi=f"{label_vi}: “{raw[:40]}” không phải là ngày; hãy ghi theo dạng "
                                     f"ngày/tháng/năm, ví dụ 10/11/2026.",
                   message_en=f"{label_en}: “{raw[:40]}” is not a date; write it day/month/year, e.g. 10/11/2026.")


def shown_date(value: Any) -> str:
    """A value for a date input: an ISO date (a default, a recorded value) shown as dd/mm/yyyy; what the user
    typed stays as typed, so a refused form comes back exactly as filled."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        found = parse_date(value)
        return found.strftime("%d/%m/%Y") if found else value
    return str(value or "")


def form_token(form: FormData) -> str | None:
    """The step form's one-time token as an idempotency key (a form without one records as before)."""
    token = form.get("form_token")
    return f"form:{token}" if isinstance(token, str) and 0 < len(token) <= 100 else None


def version_number(raw: object) -> int | None:
    """A version typed or picked in a form ("12"), None when it is not a number."""
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isdigit() and len(text) < 10 else None
