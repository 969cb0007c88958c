"""What a person may type into a text field: one visible line, no control or text-direction characters.

Every free-text value (a candidate's or an organisation's name, a decision number, a reason, a class name) is
shown again on pages, in `ketnap show`, in documents and in spreadsheets. A NUL, an ESC or a CR/LF fakes lines
or crashes an export; a right-to-left override (U+202E) makes `A‮gnp.exe` read as something else; a name made
only of zero-width characters shows as nothing. Each is refused with a rule of states/catalogue.py, whose id is
the pydantic error type, so `validate_fields` turns it into that rule's violation and every other parser shows
its English sentence.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from states.catalogue import RULES

LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Embeddings, overrides (U+202A-202E) and isolates (U+2066-2069): they reorder what is displayed after them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refuse(rule_id: str, info: ValidationInfo, **ctx: str | int) -> PydanticCustomError:
    context = {"field": info.field_name or "text", **ctx}
    return PydanticCustomError(rule_id, RULES[rule_id].en, context)


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def one_visible_line(value: str, info: ValidationInfo) -> str:
    """NFC, trimmed; refuses line breaks, other control characters, direction controls and invisible text.

    Raises:
        PydanticCustomError: typed as the broken rule's id (text_line_break, text_control_character,
        text_bidi_character, text_invisible).
    """
    value = unicodedata.normalize("NFC", value.strip())
    for position, char in enumerate(value, start=1):
        if char in LINE_BREAKS:
            raise _refuse("text_line_break", info, char=_code_point(char), position=position)
        if unicodedata.category(char) == "Cc":
            raise _refuse("text_control_character", info, char=_code_point(char), position=position)
        if char in BIDI_CONTROLS:
            raise _refuse("text_bidi_character", info, char=_code_point(char), position=position)
    if value and not any(unicodedata.category(c)[0] in "LNPS" for c in value):
        raise _refuse("text_invisible", info)
    return value


def has_letter(value: str, info: ValidationInfo) -> str:
    """A person's or an organisation's name has at least one letter.

    Raises:
        PydanticCustomError: typed name_without_letter.
    """
    if value and not any(unicodedata.category(c).startswith("L") for c in value):
        raise _refuse("name_without_letter", info)
    return value


Line = Annotated[str, AfterValidator(one_visible_line)]
"""Any single-line text a person types; length limits are added where it is used."""
NameLine = Annotated[Line, AfterValidator(has_letter)]
"""The name of a person or an organisation."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(one_visible_line)]
Name = Annotated[Text, AfterValidator(has_letter)]
