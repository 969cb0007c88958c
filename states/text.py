"""What a person may type into a text field: one visible line, no control or text-direction characters.

Every free-text value (a candidate's or an organisation's name, a decision number, a reason, a class name) is
shown again on pages, in `ketnap show`, in documents and in spreadsheets. A NUL, an ESC or a CR/LF fakes lines
or crashes an export; a right-to-left override (U+202E) reverses what follows it on screen; a name made
only of zero-width characters shows as nothing. Each is refused with a rule of states/catalogue.py, whose id is
the pydantic error type, so `validate_fields` turns it into that rule's violation and every other parser shows
its English sentence.
"""

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from states.catalogue import RULES

LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Embeddings, overrides (U+202A-202E) and isolates (U+2066-2069): they reorder what is displayed after them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Every character the loop below can refuse: the control characters (category Cc is exactly U+0000-001F and
# U+007F-009F), the two line breaks outside them and the direction controls. A value without one skips the loop,
# which is most of the cost of an audit's re-validation of every stored event.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_problem(value: str, *, is_name: bool = False) -> tuple[str, dict[str, str | int]] | None:
    """The first rule `value` breaks, with the parameters of its sentences; None when it may be recorded."""
    for position, char in enumerate(value if _SUSPECT.search(value) else "", start=1):
        if char in LINE_BREAKS:
            return "text_line_break", {"char": _code_point(char), "position": position}
        if unicodedata.category(char) == "Cc":
            return "text_control_character", {"char": _code_point(char), "position": position}
        if char in BIDI_CONTROLS:
            return "text_bidi_character", {"char": _code_point(char), "position": position}
    if value and not any(unicodedata.category(c)[0] in "LNPS" for c in value):
        return "text_invisible", {}
    if is_name and value and not any(unicodedata.category(c).startswith("L") for c in value):
        return "name_without_letter", {}
    return None


def _checked(value: str, info: ValidationInfo, *, is_name: bool) -> str:
    value = unicodedata.normalize("NFC", value.strip())
    found = text_problem(value, is_name=is_name)
    if found:
        rule_id, params = found
        raise PydanticCustomError(rule_id, RULES[rule_id].en, {"field": info.field_name or "text", **params})
    return value


def one_visible_line(value: str, info: ValidationInfo) -> str:
    """NFC, trimmed; refuses line breaks, other control characters, direction controls and invisible text.

    Raises:
        PydanticCustomError: typed as the broken rule's id (text_line_break, text_control_character,
        text_bidi_character, text_invisible).
    """
    return _checked(value, info, is_name=False)


def a_name(value: str, info: ValidationInfo) -> str:
    """One visible line with at least one letter: the name of a person or an organisation.

    Raises:
        PydanticCustomError: as one_visible_line, or typed name_without_letter.
    """
    return _checked(value, info, is_name=True)


Line = Annotated[str, AfterValidator(one_visible_line)]
"""Any single-line text a person types; length limits are added where it is used."""
NameLine = Annotated[str, AfterValidator(a_name)]
"""The name of a person or an organisation."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(one_visible_line)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(a_name)]
