"""Issue 11, item 1: `audit verify` flags an event whose actor, a user, did not hold a role (or organisations)
allowing it when it was recorded, judged with the dated user history, not with what the user holds now. The
hostile events are inserted directly (SQL, with a consistent hash chain), bypassing the service. On SQLite and
PostgreSQL."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from states.events import Event
from states.hashing import event_hash
from states.steps import known_step
from storage import user_history, users
from storage.event_store import EVENTS, event_to_row, load_stream
from tests.builders import AFTER_VOTE, PATH_TO_VOTE
from tests.web.conftest import Env
from workflow.access import COMMITTEE_STEPS
from workflow.audit.findings import ACTOR_INACTIVE, ACTOR_ROLE, ACTOR_SCOPE, Report
from workflow.audit.verify import verify
from workflow.scoped import ScopedKetnap, principal_for

pytestmark = pytest.mark.integration
DECISION = 12  # decide_admission in the standard path
ACTOR_KINDS = {ACTOR_ROLE, ACTOR_SCOPE, ACTOR_INACTIVE}


def as_user(env: Env, username: str) -> ScopedKetnap:
    with env.ketnap.uow.reading() as tx:
        user = users.by_username(tx.conn, username)
    assert user is not None
    return ScopedKetnap(env.ketnap, principal_for(env.ketnap, user, "api"))


def record_legit(env: Env, until: str | None = None, secretary: str = "sec_a", org: str = "CB-01") -> str:
    """The standard path through the API's checks: the branch's steps by its secretary, the committee's by it."""
    candidate_id: str | None = None
    for step, on, fields in [*PATH_TO_VOTE, *AFTER_VOTE]:
        if step == until:
            break
        values: dict[str, Any] = {**fields, "org": org} if step == "identify" else fields
        who = as_user(env, "committee" if step in COMMITTEE_STEPS else secretary)
        result = who.record(candidate_id, known_step(step), on, values)
        candidate_id = result.candidate.id
    assert candidate_id is not None
    return candidate_id


def forge(env: Env, stream: str, step: str, on: date, payload: dict[str, Any], actor: str) -> int:
    """Append an event straight into the table, hash-chained as the store would, as someone bypassing the
    service would; its version."""
    with env.ketnap.engine.connect() as conn:
        head: Event = load_stream(conn, stream)[-1]
    forged = head._replace(version=head.version + 1, type=step, effective_on=on, actor=actor, payload=payload,
                           derived={}, prev_hash=head.hash, recorded_at=env.clock.now(), position=None)
    forged = forged._replace(hash=event_hash(forged, forged.prev_hash))
    with env.ketnap.engine.begin() as conn:
        conn.execute(EVENTS.insert().values(event_to_row(forged)))
    return forged.version


def audit(env: Env) -> Report:
    return verify(env.ketnap.engine, env.ketnap.rulebook, env.ketnap.calendar)


def actor_findings(report: Report) -> set[tuple[str, str, int | None]]:
    return {(f.kind, f.stream_id, f.version) for f in report.findings if f.kind in ACTOR_KINDS}


def test_a_legit_history_recorded_by_users_verifies_clean(env: Env) -> None:
    record_legit(env)
    record_legit(env, "committee_vote", secretary="sec_b", org="CB-02")
    env.seed("CB-01", "branch_vote")  # recorded by "seed", the server's operator: not judged
    report = audit(env)
    assert report.ok, [str(f) for f in report.findings]


def test_a_secretary_correcting_the_committees_decision_and_voting_for_it_is_flagged(env: Env) -> None:
    decided = record_legit(env, "hold_ceremony")
    voted = record_legit(env, "committee_vote")
    env.clock.advance(hours=1)
    hack = forge(env, decided, "correct", date(2024, 8, 10),
                 {"corrects": DECISION, "fields": {"decision_no": "999-HACK"}, "reason": "typo"}, "sec_a")
    vote = forge(env, voted, "committee_vote", date(2024, 7, 10), {"committee_members": 9, "in_favour": 7},
                 "sec_a")
    report = audit(env)
    assert actor_findings(report) == {(ACTOR_ROLE, decided, hack), (ACTOR_ROLE, voted, vote)}
    correction = next(f for f in report.findings if f.kind == ACTOR_ROLE and f.stream_id == decided)
    assert "decide_admission" in correction.detail and correction.data["role"] == "secretary"
    assert correction.data["message_vi"].startswith("sec_a (bí thư chi bộ) không được ghi nhận bước correct")


def test_a_secretary_of_another_branch_is_flagged_out_of_scope(env: Env) -> None:
    candidate = record_legit(env, "collect_comments")
    version = forge(env, candidate, "collect_comments", date(2024, 6, 15), {"sources": ["residence"]}, "sec_b")
    report = audit(env)
    assert actor_findings(report) == {(ACTOR_SCOPE, candidate, version)}
    assert next(f for f in report.findings if f.kind == ACTOR_SCOPE).data["outside"] == "CB-01"


def test_a_user_is_judged_by_the_role_they_held_when_the_event_was_recorded(env: Env) -> None:
    """`doi` records the branch's steps as its secretary, then becomes the committee's office and records its
    vote: both verify clean. A vote forged in their name dated while they were still a secretary is flagged,
    though they hold the committee role now."""
    from workflow import accounts

    accounts.add_user(env.ketnap, "doi", "secretary", ["CB-01"], None)
    early = record_legit(env, "committee_vote", secretary="doi")
    other = record_legit(env, "committee_vote", secretary="doi")
    forged = forge(env, other, "committee_vote", date(2024, 7, 10), {"committee_members": 9, "in_favour": 7}, "doi")
    env.clock.advance(days=1)
    with env.ketnap.engine.begin() as conn:
        doi = users.by_username(conn, "doi")
        assert doi is not None
        users.reassign(conn, doi.id, "committee", ["DU-XA"], env.clock.now())
        assert [h.role for h in user_history.of_user(conn, doi.id)] == ["secretary", "committee"]
    env.clock.advance(hours=1)
    as_user(env, "doi").record(early, known_step("committee_vote"), date(2024, 7, 10),
                               {"committee_members": 9, "in_favour": 7})
    report = audit(env)
    assert actor_findings(report) == {(ACTOR_ROLE, other, forged)}, [str(f) for f in report.findings]


def test_an_event_in_the_name_of_a_deactivated_user_is_flagged(env: Env) -> None:
    candidate = record_legit(env, "collect_comments")
    env.clock.advance(days=1)
    with env.ketnap.engine.begin() as conn:
        sec_a = users.by_username(conn, "sec_a")
        assert sec_a is not None
        users.set_active(conn, sec_a.id, False, env.clock.now())
    env.clock.advance(hours=1)
    version = forge(env, candidate, "collect_comments", date(2024, 6, 15), {"sources": ["residence"]}, "sec_a")
    assert actor_findings(audit(env)) == {(ACTOR_INACTIVE, candidate, version)}


def test_every_user_added_gets_a_row_of_history_in_the_same_transaction(env: Env) -> None:
    with env.ketnap.engine.connect() as conn:
        rows = conn.execute(select(user_history.HISTORY.c.change, user_history.HISTORY.c.role)).all()
    assert sorted(rows) == [("created", "admin"), ("created", "auditor"), ("created", "committee"),
                            ("created", "secretary"), ("created", "secretary")]
