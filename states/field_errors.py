"""pydantic's problems with a step's fields, said as the catalogue's sentences: Vietnamese by error type, with
pydantic's own English kept for message_en.

pydantic writes "Input should be 'cleared' or 'not_cleared'"; a secretary reads "chỉ nhận một trong các giá
trị: “Đạt”, “Không đạt”". Every error type a step's fields can raise has its words here; any other type gets a
plain Vietnamese sentence, never pydantic's English.
"""

import re
from collections.abc import Mapping
from typing import Any

from states import labels
from states.labels import Said

_QUOTED = re.compile(r"'([^']*)'")

_WHOLE_NUMBER = "phải là một số nguyên"
_A_DATE = "không phải là một ngày hợp lệ (ngày/tháng/năm)"
_YES_NO = "phải là Có hoặc Không"
_TEXT = "phải là chữ"

_PLAIN: dict[str, str] = {
    "int_parsing": _WHOLE_NUMBER, "int_type": _WHOLE_NUMBER, "int_from_float": _WHOLE_NUMBER,
    "float_parsing": "phải là một số", "float_type": "phải là một số",
    "date_parsing": _A_DATE, "date_type": _A_DATE, "date_from_datetime_parsing": _A_DATE,
    "date_from_datetime_inexact": _A_DATE, "datetime_parsing": _A_DATE, "datetime_type": _A_DATE,
    "bool_parsing": _YES_NO, "bool_type": _YES_NO,
    "string_type": _TEXT, "string_unicode": _TEXT, "string_sub_type": _TEXT,
    "string_pattern_mismatch": "chỉ được gồm chữ cái không dấu, chữ số và các dấu . _ / -",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một nhóm gồm các trường của nó", "model_attributes_type":
        "phải là một nhóm gồm các trường của nó", "dict_type": "phải là một nhóm gồm các trường và giá trị",
    "none_required": "phải để trống",
    "json_invalid": "không đọc được",
}


def _allowed(expected: str) -> str:
    """The values pydantic lists (`'a', 'b' or 'c'`) by their Vietnamese labels."""
    return ", ".join(f"“{labels.option(v).vi}”" for v in _QUOTED.findall(expected))


def _bounded(kind: str, ctx: Mapping[str, Any]) -> str | None:
    words = {
        "string_too_short": "không được để trống" if ctx.get("min_length") == 1
        else f"cần ít nhất {ctx.get('min_length')} ký tự",
        "string_too_long": f"dài quá {ctx.get('max_length')} ký tự cho phép",
        "too_short": f"cần ít nhất {ctx.get('min_length')} mục",
        "too_long": f"chỉ được nhiều nhất {ctx.get('max_length')} mục",
        "greater_than": f"phải lớn hơn {ctx.get('gt')}",
        "greater_than_equal": f"không được nhỏ hơn {ctx.get('ge')}",
        "less_than": f"phải nhỏ hơn {ctx.get('lt')}",
        "less_than_equal": f"không được lớn hơn {ctx.get('le')}",
    }
    return words.get(kind)


def explain(problem: Mapping[str, Any]) -> Said:
    """One pydantic error (an item of `ValidationError.errors()`) as the detail of the field_invalid rule."""
    kind, ctx = str(problem.get("type", "")), problem.get("ctx") or {}
    english = str(problem.get("msg", kind))
    if kind in ("literal_error", "enum"):
        allowed = _allowed(str(ctx.get("expected", "")))
        return Said(f"chỉ nhận một trong các giá trị: {allowed}" if allowed else "giá trị không có trong danh sách",
                    english)
    vi = _PLAIN.get(kind) or _bounded(kind, ctx) or "giá trị không hợp lệ"
    return Said(vi, english)
