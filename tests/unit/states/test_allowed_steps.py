"""`allowed_steps`: what the secretary can do next, and for each step what is still missing."""

from datetime import date

from states.decide import Allowed, allowed_steps
from states.stages import Stage
from states.step import OrgFacts
from tests.builders import calendar, rulebook
from tests.unit.states.helpers import STANDARD, Path, edit, leap_ceremony, run, state

LEAP_CEREMONY = leap_ceremony()


def _allowed(stop: str | None, on: date, path: Path = STANDARD, facts: OrgFacts | None = None) -> dict[str, Allowed]:
    c = state(run(path, stop=stop))
    return {a.step: a for a in allowed_steps(c, rulebook().for_date(on), calendar(), on, facts)}


def _missing(a: Allowed) -> list[str]:
    return [v.rule for v in a.missing]


def test_a_new_candidate_can_only_be_identified() -> None:
    allowed = _allowed("identify", date(2024, 1, 10))
    assert list(allowed) == ["identify"]
    assert allowed["identify"].ready and allowed["identify"].moves_to == "identified"


def test_right_after_vetting_every_missing_piece_is_listed() -> None:
    allowed = _allowed("introduce", date(2024, 6, 5))
    assert set(allowed) == {"introduce", "collect_comments", "branch_vote", "committee_vote", "decide_admission",
                            "drop", "transfer", "correct"}  # the letter, history and certificate are on record
    assert _missing(allowed["branch_vote"]) == ["vote_needs_introducers", "vote_needs_comments"]
    assert _missing(allowed["committee_vote"]) == ["committee_vote_needs_branch_vote"]
    assert _missing(allowed["decide_admission"]) == ["branch_vote_not_passed", "introducers_missing",
                                                     "comments_missing", "committee_vote_not_passed"]
    assert allowed["introduce"].ready and allowed["collect_comments"].ready
    assert allowed["decide_admission"].moves_to == "admitted" and allowed["branch_vote"].moves_to is None


def test_missing_pieces_disappear_as_steps_are_recorded() -> None:
    allowed = _allowed("committee_vote", date(2024, 7, 5))
    assert "branch_vote" not in allowed and allowed["committee_vote"].ready  # the branch vote passed
    assert _missing(allowed["decide_admission"]) == ["committee_vote_not_passed"]
    assert _allowed("decide_admission", date(2024, 7, 20))["decide_admission"].ready
    own_committee = OrgFacts("branch", "DU-XA", committee_vote_required=False)
    assert _allowed("committee_vote", date(2024, 7, 5), facts=own_committee)["decide_admission"].ready


def test_age_and_certificate_are_listed_for_the_vote_on_the_date_asked() -> None:
    """Asked on 2024-06-30, a candidate born 2006-07-01 is still 17 years 11 months; on 2024-07-01 it is fine."""
    path = edit(STANDARD, "identify", birth_date="2006-07-01")
    assert "age_minimum" in _missing(_allowed("branch_vote", date(2024, 6, 30), path)["branch_vote"])
    assert _allowed("branch_vote", date(2024, 7, 1), path)["branch_vote"].ready
    path = edit(STANDARD, "certify_training", issued_on="2019-07-01")
    assert _allowed("branch_vote", date(2024, 7, 1), path)["branch_vote"].ready
    assert _missing(_allowed("branch_vote", date(2024, 7, 2), path)["branch_vote"]) == ["certificate_expired"]


def test_during_probation() -> None:
    allowed = _allowed("review_vote", date(2025, 2, 28), LEAP_CEREMONY)
    assert state(run(LEAP_CEREMONY, stop="review_vote")).stage is Stage.PROBATIONARY
    assert _missing(allowed["review_vote"]) == ["review_before_probation_end"]
    assert _missing(allowed["committee_review_vote"]) == ["committee_review_needs_review_vote"]
    assert _missing(allowed["recognise_official"]) == ["recognition_needs_review_vote",
                                                       "recognition_needs_committee_review"]
    assert _allowed("review_vote", date(2025, 3, 1), LEAP_CEREMONY)["review_vote"].ready


def test_new_member_course_is_listed_until_recorded() -> None:
    path = [s for s in STANDARD if s[0] != "certify_new_member_course"]
    allowed = _allowed("recognise_official", date(2025, 9, 20), path)
    assert _missing(allowed["recognise_official"]) == ["new_member_course_missing"]


def test_terminal_stages_offer_only_a_correction() -> None:
    assert list(_allowed(None, date(2025, 9, 21))) == ["correct"]


def _offered(path: Path, stop: str, on: date) -> set[str]:
    return set(_allowed(stop, on, path))


def test_a_step_on_record_is_no_longer_offered() -> None:
    """Issue 17, item 8: after the letter, the history form, the certificate and the introduction, none of them is
    offered again; just before each was recorded, it was."""
    for step in ["submit_application", "declare_history", "certify_training", "introduce"]:
        path = STANDARD
        index = next(i for i, s in enumerate(path) if s[0] == step)
        later = next(s[0] for s in path[index + 1:] if s[0] != step)
        on = path[index][1]
        assert step in _offered(path, step, on), step
        assert step not in _offered(path, later, on), step


def test_a_failed_vote_may_be_held_again_a_passed_one_is_not_offered() -> None:
    failed = edit(STANDARD, "branch_vote", in_favour=1)
    on = date(2024, 7, 5)
    assert "branch_vote" in _offered(failed, "committee_vote", on)
    assert "branch_vote" not in _offered(STANDARD, "committee_vote", on)


def test_comments_are_offered_until_both_sources_are_in() -> None:
    index = next(i for i, s in enumerate(STANDARD) if s[0] == "collect_comments")
    partial = edit(STANDARD, "collect_comments", sources=["residence"])
    on = STANDARD[index][1]
    assert "collect_comments" in _offered(partial, "branch_vote", on)
    assert "collect_comments" not in _offered(STANDARD, "branch_vote", on)


def test_an_expired_certificate_offers_the_course_again() -> None:
    """D2: the certificate is valid 60 months; after that the course (and this step) is needed again."""
    path = edit(STANDARD, "certify_training", issued_on="2019-07-01")
    assert "certify_training" not in _offered(path, "branch_vote", date(2024, 7, 1))
    assert "certify_training" in _offered(path, "branch_vote", date(2024, 7, 2))


def test_steps_that_repeat_stay_offered() -> None:
    assert {"transfer", "correct", "drop"} <= _offered(STANDARD, "branch_vote", date(2024, 7, 1))
