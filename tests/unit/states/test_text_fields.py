"""Issue 11, break 5: typed text refuses control characters, line breaks, text-direction controls and names
without a letter, each with its own rule naming the field (states/text.py, states/catalogue.py)."""

from typing import Any

import pytest
from pydantic import ValidationError

from states.catalogue import RULES
from states.errors import RuleViolation
from states.text import _SUSPECT, text_problem
from tests.builders import PERSON
from tests.unit.states.helpers import STANDARD, date_of, decide_on, fields_of, run
from workflow.commands import AddOrganisation, ChangeOrganisation

HOSTILE_NAMES = [  # as the issue lists them: NUL, ESC, CR/LF, right-to-left override, zero-width only
    ("Nguyễn\x00Văn An", "text_control_character"),
    ("\x1b[2J\x1b[31mNguyễn Văn An", "text_control_character"),
    ("Nguyễn Văn An\r\nstage: official", "text_line_break"),
    ("Nguyễn Văn An\nGiai đoạn: đảng viên chính thức", "text_line_break"),
    ("Nguyễn \u202eAn Văn", "text_bidi_character"),
    ("Nguyễn \u2067An\u2069", "text_bidi_character"),
    ("\u200b\u200b\u200b", "text_invisible"),
    ("\u200d", "text_invisible"),
    ("12345", "name_without_letter"),
    ("Nguyễn\x85Văn", "text_line_break"),
    ("Nguyễn\x9bVăn", "text_control_character"),  # C1 CSI
    ("Nguyễn\tVăn", "text_control_character"),
]


def _refused(step: str, fields: dict[str, Any]) -> list[tuple[str, str | None]]:
    events = run(STANDARD, stop=step)
    with pytest.raises(RuleViolation) as err:
        decide_on(events, step, date_of(STANDARD, step), fields)
    return [(v.rule, v.field) for v in err.value.violations]


@pytest.mark.parametrize(("name", "rule"), HOSTILE_NAMES)
def test_a_hostile_candidate_name_is_refused_with_its_rule(name: str, rule: str) -> None:
    assert _refused("identify", {**PERSON, "full_name": name}) == [(rule, "full_name")]


@pytest.mark.parametrize(("step", "field", "value", "rule"), [
    ("assign_helper", "helper", "Phạm Văn\r\nBình", "text_line_break"),
    ("assign_helper", "helper", "\u200b", "text_invisible"),
    ("enrol_training", "class_name", "Lớp\x1b[0m 03", "text_control_character"),
    ("decide_admission", "decision_no", "123-QĐ/ĐU\u202e", "text_bidi_character"),
    ("hold_ceremony", "probation_helper", "2024", "name_without_letter"),
])
def test_every_free_text_step_field_refuses_hostile_text(step: str, field: str, value: str, rule: str) -> None:
    assert _refused(step, {**fields_of(STANDARD, step), field: value}) == [(rule, field)]


def test_an_introducers_name_is_named_by_its_place_in_the_list() -> None:
    introducer = {"name": "Lê\nVăn Cường", "official_since": "2010-02-01", "months_together": 18}
    assert _refused("introduce", {"introducers": [introducer]}) == [("text_line_break", "introducers[0].name")]


def test_the_violation_says_which_character_where_in_both_languages() -> None:
    events = run(STANDARD, stop="identify")
    with pytest.raises(RuleViolation) as err:
        decide_on(events, "identify", date_of(STANDARD, "identify"), {**PERSON, "full_name": "An\x1bB"})
    found = err.value.violations[0]
    assert "U+001B" in found.message_en and "position 3" in found.message_en and "'full_name'" in found.message_en
    assert "U+001B" in found.message_vi and "vị trí 3" in found.message_vi
    assert found.source == "ketnap (dữ liệu nhập)"


@pytest.mark.parametrize("name", ["Nguyễn Thị Hoà", "Ê Đê", "Lò Văn Ón", "Nguyen Van A  ", "H'Hen Niê",
                                  "Chi bộ 3 - Thôn Tân Lập"])
def test_ordinary_names_are_still_accepted(name: str) -> None:
    decide_on(run(STANDARD, stop="identify"), "identify", date_of(STANDARD, "identify"),
              {**PERSON, "full_name": name})


def test_a_decision_number_without_a_letter_is_accepted() -> None:
    step = "decide_admission"
    decide_on(run(STANDARD, stop=step), step, date_of(STANDARD, step), {**fields_of(STANDARD, step),
                                                                       "decision_no": "123/2024"})


@pytest.mark.parametrize(("name", "rule"), HOSTILE_NAMES)
def test_an_organisation_name_refuses_the_same_text(name: str, rule: str) -> None:
    with pytest.raises(ValidationError) as err:
        AddOrganisation(code="CB-09", name=name, level="branch")
    (problem,) = err.value.errors()
    assert problem["type"] == rule and problem["loc"] == ("name",)
    assert problem["msg"] == RULES[rule].en.format(**problem["ctx"])


@pytest.mark.parametrize("field", ["decision", "issuer", "name"])
def test_an_organisation_change_refuses_a_line_break_in_any_text(field: str) -> None:
    with pytest.raises(ValidationError) as err:
        ChangeOrganisation(kind="renamed", code="CB-01", on="2025-01-01", **{field: "Quyết định\r\n số 1"})
    assert [e["type"] for e in err.value.errors()] == ["text_line_break"]


def test_the_fast_path_lets_through_no_character_the_rules_refuse() -> None:
    """A value without a `_SUSPECT` character skips the character loop: so every character the loop refuses on
    its own (line breaks, control characters, direction controls) must be one `_SUSPECT` finds, and no other."""
    refused = {chr(c) for c in range(0x110000)
               if not 0xD800 <= c <= 0xDFFF and text_problem(f"a{chr(c)}b") is not None}
    suspect = {chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and _SUSPECT.search(chr(c))}

    assert refused == suspect
    assert text_problem("Nguyễn Thị\u202eA") == ("text_bidi_character", {"char": "U+202E", "position": 11})
