"""The rule reference: every rule id of the catalogues with its sentences, its regulation per rule set and the
facts behind it, built from the catalogues themselves so it cannot drift from the code.

Served at /rules (workflow/web/rules_page.py) and written to docs/RULES.md (`python -m workflow.rule_reference`;
tests/unit/test_rule_reference.py checks the file is current). A refusal's `ref` is the rule's anchor here.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

from notifications.deadline_kinds import KINDS, rule_number, rule_sentence
from states.catalogue import RULES as PROCEDURE_RULES
from states.catalogue import Rule, rule_link
from states.history_records import RULES as HISTORY_RULES
from states.labels import Said
from states.rules import RuleBook
from workflow.config import load_settings
from workflow.reports.rules import RULES as IMPORT_RULES
from workflow.restructure.columns import RULES as RESTRUCTURE_RULES
from workflow.rule_basis import TOPIC_OF, TOPICS, Basis, examples

DOC = Path(__file__).resolve().parent.parent / "docs" / "RULES.md"

# Rules judged where they are met (states/org_changes.py, workflow/access.py, the web's scope check): one entry
# each, by topic, with the rule ids that point to it.
GROUPED: dict[str, tuple[str, ...]] = {
    "organisation-changes": (
        "org_change_unknown", "org_not_found", "org_exists", "org_name_missing", "org_level_invalid",
        "org_parent_missing", "org_parent_not_living", "org_change_before_founded", "org_change_after_end",
        "org_change_out_of_order", "org_move_cycle", "org_merge_into_self", "org_successor_missing",
        "org_successor_not_living", "org_split_empty", "org_split_part_missing", "org_split_candidate_missing",
        "org_dissolve_has_children", "org_dissolve_has_candidates", "org_level_keeps_candidates",
        "org_admits_missing", "org_no_competent_body", "org_change_admin_only", "org_change_no_upper",
        "org_change_out_of_scope", "org_change_scope_ended",
        "org_type_missing", "org_type_unknown"),
    "access": ("forbidden", "out_of_scope"),
}
GROUP_TOPIC = {"organisation-changes": "organisations", "access": "access"}


@dataclass(frozen=True)
class Catalogue:
    key: str
    title: Said
    rules: dict[str, Rule]


CATALOGUES = (
    Catalogue("procedure", Said("Quy trình kết nạp và công nhận", "Admission and recognition"), PROCEDURE_RULES),
    Catalogue("import", Said("Nhập Excel và thao tác hàng loạt", "Excel import and batch steps"), IMPORT_RULES),
    Catalogue("restructure", Said("Tệp sắp xếp tổ chức", "Restructuring workbook"), RESTRUCTURE_RULES),
    Catalogue("history", Said("Số liệu lịch sử", "Historical records"), HISTORY_RULES),
)


@dataclass(frozen=True)
class Entry:
    id: str
    catalogue: str
    example: Said | None  # the rule's sentences, filled with sample values
    points: tuple[tuple[str, str], ...]  # (rule sets, regulation and article)
    ids: tuple[str, ...] = ()  # for a grouped entry: the rule ids it explains

    @property
    def link(self) -> str:
        return rule_link(self.id)


@dataclass(frozen=True)
class Section:
    """One topic: the facts behind its rules, then the rules."""

    key: str
    basis: Basis
    entries: tuple[Entry, ...]


def _points(rule: Rule, rulebook: RuleBook) -> tuple[tuple[str, str], ...]:
    """The regulation (or guidance) and article of `rule` in each period, periods with the same text together."""
    by_text: dict[str, list[str]] = {}
    for rules in rulebook.versions:
        text = rule.point.format(regulation=rules.regulation, guidance=rules.guidance_title)
        labels = by_text.setdefault(text, [])
        if rules.label not in labels:
            labels.append(rules.label)
    if len(by_text) == 1:
        return (("*", next(iter(by_text))),)
    return tuple((", ".join(ids), text) for text, ids in by_text.items())


def sections(rulebook: RuleBook) -> list[Section]:
    """Every rule of every catalogue under its topic, topics in the order of the procedure."""
    samples = examples()
    by_topic: dict[str, list[Entry]] = {key: [] for key in TOPICS}
    for catalogue in CATALOGUES:
        for rule in catalogue.rules.values():
            entry = Entry(rule.id, catalogue.key, rule.sentences(**samples.get(rule.id, {})),
                          _points(rule, rulebook))
            by_topic[TOPIC_OF[rule.id]].append(entry)
    for key, ids in GROUPED.items():
        by_topic[GROUP_TOPIC[key]].append(Entry(key, "ketnap", None, (), ids))
    by_topic["deadlines"] = [_deadline(k, rulebook) for k in KINDS]
    return [Section(key, TOPICS[key], tuple(found)) for key, found in by_topic.items() if found]


def _deadline(kind: str, rulebook: RuleBook) -> Entry:
    """A deadline a reminder cites: its rule with the number of the latest rule set, the number per rule set."""
    latest = rulebook.versions[-1]
    sentence = Said(rule_sentence(kind, latest, "vi"), rule_sentence(kind, latest, "en"))
    by_number: dict[int, list[str]] = {}
    for rules in rulebook.versions:
        by_number.setdefault(rule_number(kind, rules), []).append(rules.label)  # D2 is the guidance's number
    points = tuple((", ".join(ids), str(n)) for n, ids in by_number.items())
    return Entry(f"deadline-{kind}", "deadlines", sentence, points)


def rule_ids() -> list[str]:
    """Every id a refusal may cite: the catalogues' rules and the grouped entries."""
    return [r for c in CATALOGUES for r in c.rules] + list(GROUPED) + [f"deadline-{k}" for k in KINDS]


def markdown(rulebook: RuleBook) -> str:
    """docs/RULES.md: the same sections as /rules, in Markdown."""
    out = ["# The rules ketnap enforces", "",
           "Generated from the rule catalogues (`python -m workflow.rule_reference`); do not edit by hand. The web",
           "interface shows the same reference at `/rules`, and every refusal links to its entry (`/rules#<id>`).",
           "Each topic says what the regulations require, in our words, and the public pages we read it in; most",
           "quote or restate the Party's documents, none is the official text. ĐL is the Party Charter (Điều lệ Đảng).",
           "", "Rule sets: the implementing regulation (its id is the rule set stamped on each step) and the",
           "Secretariat's guidance, each in force from its own date; a step is judged by both as in force on its",
           "date, so a new period starts whenever either changes:", ""]
    out += [f"- `{r.label}`, from {r.in_force_from.isoformat()}: {r.basis}" for r in rulebook.versions]
    out.append("")
    for section in sections(rulebook):
        basis = section.basis
        out += [f"## {basis.title_en} ({basis.title_vi})", "", basis.en, "", basis.vi, "", "Sources:", ""]
        out += [f"- {s}" for s in basis.sources]
        out.append("")
        for entry in section.entries:
            out += [f"### {entry.id}", ""]
            if entry.example is not None:
                out += [f"- vi: {entry.example.vi}", f"- en: {entry.example.en}"]
            if entry.ids:
                out.append("- rule ids: " + ", ".join(f"`{i}`" for i in entry.ids))
            out += [f"- regulation ({'every rule set' if sets == '*' else sets}): {text}"
                    for sets, text in entry.points]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    """Write docs/RULES.md from the catalogues and config.yaml's rule sets."""
    DOC.write_text(markdown(load_settings(environ={}).rulebook()), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")


if __name__ == "__main__":
    main()
