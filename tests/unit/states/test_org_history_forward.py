"""A history carried forward change by change (`OrgHistory.followed_by`, what a restructuring of hundreds of changes
uses) judges every change and gives every tree exactly as the history rebuilt from the whole log does."""

import random
from datetime import date, timedelta

import pytest

from states.org_changes import check_change
from states.organisations import SINCE_ALWAYS, OrgChange, OrgHistory, Tree

D = date(2025, 7, 1)
KINDS = ["created", "renamed", "moved", "level_changed", "authorised", "merged", "split", "dissolved"]
LEVELS = ["commune", "upper", "grassroots", "branch"]


def province() -> list[OrgChange]:
    found = [OrgChange("created", "T", SINCE_ALWAYS, name="T", level="province")]
    for d in range(3):
        found.append(OrgChange("created", f"H{d}", SINCE_ALWAYS, name=f"H{d}", level="upper", parent="T"))
        for g in range(3):
            found.append(OrgChange("created", f"G{d}{g}", SINCE_ALWAYS, name=f"G{d}{g}", level="grassroots",
                                   parent=f"H{d}"))
            found += [OrgChange("created", f"B{d}{g}{b}", SINCE_ALWAYS, name=f"B{d}{g}{b}", level="branch",
                                parent=f"G{d}{g}") for b in range(3)]
    return found


def random_change(rng: random.Random, codes: list[str], day: date, n: int) -> OrgChange:
    """Any change, sensible or not: about half are refused, and the refusals must agree too."""
    kind, code, other = rng.choice(KINDS), rng.choice(codes), rng.choice(codes)
    if kind == "created":
        return OrgChange(kind, f"N{n}", day, name=f"N{n}", level=rng.choice(LEVELS), parent=other)
    extra = {"renamed": {"name": f"{code} {n}"}, "moved": {"parent": other}, "level_changed":
             {"level": rng.choice(LEVELS)}, "authorised": {"admits": rng.random() < 0.5}, "merged": {"into": other},
             "split": {"parts": {c: rng.choice(codes) for c in rng.sample(codes, 2)}}}.get(kind, {})
    return OrgChange(kind, code, day, **extra)  # type: ignore[arg-type]


def same(a: Tree, b: Tree) -> bool:
    return a.orgs == b.orgs and a.carried == b.carried


@pytest.mark.parametrize("seed", range(12))
def test_carried_forward_and_rebuilt_histories_agree_on_every_judgement_and_every_tree(seed: int) -> None:
    rng = random.Random(seed)
    base = province()
    forward, known = OrgHistory(base), list(base)
    codes = [c.code for c in base]
    in_flight = {"B000": ["c1", "c2"], "B111": ["c3"], "G22": ["c4"]}
    day = D
    for n in range(120):
        day = day + timedelta(days=rng.choice([0, 0, 0, 1])) if rng.random() > 0.1 else day - timedelta(days=3)
        change = random_change(rng, codes, day, n)
        rebuilt = OrgHistory(known)

        judged = check_change(forward, change, in_flight)

        assert judged == check_change(rebuilt, change, in_flight), (n, change)
        if judged:
            continue
        forward, known = forward.followed_by(change), [*known, change]
        if change.kind == "created":
            codes.append(change.code)
        rebuilt = OrgHistory(known)
        for on in ({c.on for c in known} | {date.max}) if n % 3 else ():  # not always asked: trees left unbuilt
            assert same(forward.tree_on(on), rebuilt.tree_on(on)), (n, change, on)
        assert forward.last_change_on(change.code) == rebuilt.last_change_on(change.code) == max(
            c.on for c in known if c.code == change.code)
