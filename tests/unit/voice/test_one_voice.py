"""One Vietnamese voice (issue 17): every rule sentence and every field error reads as Vietnamese, naming fields by
their label and dates dd/mm/yyyy, with no code name and no English word; the rule reference is complete and
docs/RULES.md is current."""

import re
import string
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from states.catalogue import RULES
from states.decide import validate_fields
from states.errors import RuleViolation, Violation
from states.labels import FIELDS, OPTIONS
from states.steps import STEPS
from workflow.config import load_settings
from workflow.rule_basis import TOPIC_OF, examples
from workflow.rule_reference import CATALOGUES, DOC, markdown, rule_ids

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ENGLISH = ("input", "should", "valid", "field", "missing", "required", "committee", "members", "member",
           "official", "the", "and", "or", "not", "of", "is", "must", "value", "string", "integer", "number",
           "list", "none", "true", "false", "error", "characters", "least", "greater", "less", "than", "date",
           "step", "expected", "object", "dictionary", "text", "extra", "permitted", "whole")


def _model_keys(model: type[BaseModel], found: set[str]) -> set[str]:
    for name, info in model.model_fields.items():
        found.add(name)
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _model_keys(arg, found)
    return found


FIELD_KEYS = set().union(*(_model_keys(s.fields, set()) for s in STEPS.values()))
CODES = {k for k in OPTIONS if "_" in k} | set(STEPS) | {"consent_ref", "decision_no", "vetting_failed"}


def assert_vietnamese(sentence: str) -> None:
    assert not ISO_DATE.search(sentence), f"ISO date in {sentence!r}"
    words = set(re.findall(r"[A-Za-z_]+", sentence))
    keys = words & (FIELD_KEYS | CODES)
    assert not keys, f"code names {keys} in {sentence!r}"
    english = {w for w in words if w.lower() in ENGLISH}
    assert not english, f"English {english} in {sentence!r}"


def all_rules() -> list[Any]:
    return [rule for c in CATALOGUES for rule in c.rules.values()]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_sentence_reads_as_vietnamese_with_sample_values(rule: Any) -> None:
    params = examples().get(rule.id, {})
    placeholders = {n for t in (rule.vi, rule.en) for _, n, _, _ in string.Formatter().parse(t) if n} - {"field"}
    assert placeholders <= set(params), f"{rule.id}: the example lacks {placeholders - set(params)}"
    said = rule.sentences(**params)
    assert_vietnamese(said.vi)
    assert said.en and said.en != said.vi


def test_the_issues_examples_now_read_as_vietnamese() -> None:
    future = RULES["date_in_future"].sentences(field="on", value=date(2099, 1, 15), today=date(2026, 12, 6))
    assert future.vi == "“Ngày ghi trên văn bản” (15/01/2099) là một ngày trong tương lai (hôm nay là 06/12/2026)."
    assert "2099-01-15" in future.en
    missing = RULES["field_missing"].sentences(field="probation_helper")
    assert missing.vi == "Chưa điền “Đảng viên giúp đỡ thời kỳ dự bị” (bắt buộc)." and "probation_helper" in missing.en


def refusals(step: str, raw: dict[str, Any]) -> list[Violation]:
    try:
        validate_fields(STEPS[step], raw, None)
    except RuleViolation as err:
        return list(err.violations)
    return []


BAD_VALUES: tuple[Any, ...] = ("không phải", 12345, True, "x" * 600, [], {"a": 1}, -1, 10**7, 1.5, "2024-02-30",
                               None, "", "   ", "A\nB", "\u202e", ["không phải"])
BAD_ITEM = {"name": 5, "official_since": "x", "months_together": "abc", "body": "đoàn", "number": "", "on": 7,
            "unknown": 1}


@pytest.mark.parametrize("step", list(STEPS))
def test_pydantic_errors_on_every_field_of_every_step_read_as_vietnamese(step: str) -> None:
    """Invalid input of every kind for every field (and a nested item full of wrong values) gives sentences in
    Vietnamese; pydantic's English is kept in message_en."""
    model = STEPS[step].fields
    seen: set[str] = set()
    found = refusals(step, {"khong_co": 1})  # and every required field missing
    for name in model.model_fields:
        for bad in (*BAD_VALUES, [BAD_ITEM], BAD_ITEM):
            found += refusals(step, {name: bad})
    for v in found:
        assert_vietnamese(v.message_vi)
        assert v.message_en and v.ref == f"/rules#{v.rule}"
        seen.add(v.rule)
    if model.model_fields:
        assert "field_invalid" in seen or "field_missing" in seen


def test_an_enum_error_names_the_allowed_values_by_their_labels() -> None:
    [found] = refusals("conclude_vetting", {"conclusion": "ok", "certified_by": "Đảng ủy"})
    assert found.message_vi == "“Kết luận” không hợp lệ: chỉ nhận một trong các giá trị: “Đạt”, “Không đạt”."
    assert "Input should be 'cleared' or 'not_cleared'" in found.message_en


def test_a_nested_field_is_named_by_its_labels() -> None:
    found = refusals("introduce", {"introducers": [{"name": "Nguyễn Văn A", "official_since": "2020-01-01",
                                                    "months_together": "hai"}]})
    assert [v.message_vi for v in found] == [
        "“Số tháng cùng công tác (Người giới thiệu thứ 1)” không hợp lệ: phải là một số nguyên."]


def test_every_field_of_every_step_has_a_vietnamese_label() -> None:
    assert FIELD_KEYS <= set(FIELDS)


def test_every_rule_has_a_topic_and_the_reference_lists_it() -> None:
    ids = rule_ids()
    assert all(r.id in TOPIC_OF for r in all_rules())
    assert len(ids) == len(set(ids)), "one anchor per id"
    assert set(ids) >= {r.id for r in all_rules()}


def test_docs_rules_md_is_current() -> None:
    """Regenerate with `python -m workflow.rule_reference` after changing a rule, a topic or a rule set."""
    assert DOC.read_text(encoding="utf-8") == markdown(load_settings(environ={}).rulebook())


def test_every_organisation_rule_is_listed_under_its_entry() -> None:
    """The organisation rules are judged where they are met (states/org_changes.py, workflow/access.py), each
    citing /rules#organisation-changes: that entry names every one of their ids."""
    from pathlib import Path

    from workflow.rule_reference import GROUPED

    root = Path(__file__).resolve().parents[3]
    source = (root / "states/org_changes.py").read_text() + (root / "workflow/access.py").read_text()
    assert set(re.findall(r'_v\(\s*"([a-z_]+)"', source)) == set(GROUPED["organisation-changes"])


def test_every_vietnamese_refusal_message_belongs_to_a_code_of_the_table() -> None:
    from workflow.refusals import HTTP_CODES, MESSAGES_VI, TABLE

    assert set(MESSAGES_VI) <= {row.code for row in TABLE} | set(HTTP_CODES.values())
    for sentence in MESSAGES_VI.values():
        assert_vietnamese(sentence)


def test_values_are_said_the_way_each_language_reads_them() -> None:
    from datetime import UTC, datetime

    from states.labels import said

    assert said(date(2026, 12, 6)).vi == "06/12/2026" and said(date(2026, 12, 6)).en == "2026-12-06"
    moment = said(datetime(2026, 12, 6, 16, 36, tzinfo=UTC))
    assert moment.vi == "06/12/2026 23:36 (giờ Việt Nam)" and moment.en == "2026-12-06T16:36+00:00"
    assert said(True).vi == "có" and said([date(2024, 1, 2), 3]).vi == "02/01/2024, 3"
