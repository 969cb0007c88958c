"""Whom a branch's 2/3 is counted of (DOMAIN.md V1, V5; QĐ294 §9.3.2), by the rule set of the vote's date.

QĐ294 §9.3.2: the official members convened are all the branch's official members, less those introduced for
temporary activity elsewhere and the exempted members who are absent (an exempted member who attends and votes
is counted). Earlier rule sets count every official member (config.yaml `vote_denominator`).
"""

from typing import Any

from states.rules import RuleSet


def not_convened(f: Any) -> int:
    """The official members a branch vote does not convene (V1): temporarily elsewhere, exempted and absent."""
    return (getattr(f, "temporarily_elsewhere", None) or 0) + (getattr(f, "exempted_absent", None) or 0)


def convened(f: Any) -> int:
    """The official members convened (QĐ294 §9.3.2); all of them when the vote records no one left out."""
    return int(f.official_members) - not_convened(f)


def denominator(f: Any, rules: RuleSet) -> int:
    """The number 2/3 is counted of for a branch vote recorded with fields `f`, under `rules` (V1, V5)."""
    return convened(f) if rules.vote_denominator == "convened" else int(f.official_members)
