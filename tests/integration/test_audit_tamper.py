"""Tampering with the database directly, on SQLite and PostgreSQL: every kind of change is detected and
named with its stream and version, and an untouched log verifies clean."""

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, update

from states.events import Event
from states.hashing import GENESIS, event_hash
from storage.event_store import EVENTS, event_to_row, load_stream
from storage.projections import CANDIDATES, DEADLINES
from tests.integration.support import FULL_PATH, record_path, steps_until
from workflow.audit import checkpoint
from workflow.audit.findings import DELETED, EDITED, INSERTED, PROJECTION, REORDERED, REWRITTEN, STREAM_DELETED, Report
from workflow.audit.verify import Scope, verify
from workflow.service import Ketnap

pytestmark = pytest.mark.integration


@pytest.fixture
def two(ketnap: Ketnap) -> tuple[str, str]:
    """Two candidates: one through the whole path, one stopped before the vote."""
    return record_path(ketnap, FULL_PATH), record_path(ketnap, steps_until("branch_vote"), full_name="Lê Thị Mai")


def audit(app: Ketnap, **kw: Any) -> Report:
    return verify(app.engine, app.rulebook, app.calendar, **kw)


def named(report: Report) -> set[tuple[str, str, int | None]]:
    return {(f.kind, f.stream_id, f.version) for f in report.findings}


def events_of(engine: Engine, stream: str) -> list[Event]:
    with engine.connect() as conn:
        return load_stream(conn, stream)


def sql(engine: Engine, *statements: Any) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def row(stream: str, version: int) -> Any:
    return (EVENTS.c.stream_id == stream) & (EVENTS.c.version == version)


def make_checkpoint(app: Ketnap) -> str:
    with app.engine.begin() as conn:
        return checkpoint.create(conn, app.clock.now(), "auditor").digest


def test_an_untouched_log_verifies_clean_also_against_its_checkpoint(ketnap: Ketnap, two: tuple[str, str]) -> None:
    digest = make_checkpoint(ketnap)
    report = audit(ketnap, since_checkpoint=digest)
    assert report.ok, report.findings
    assert (report.streams, report.events) == (2, len(FULL_PATH) + len(steps_until("branch_vote")))


def test_a_changed_payload_is_named(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    helper = events_of(ketnap.engine, a)[1]
    sql(ketnap.engine, update(EVENTS).where(row(a, 2)).values(payload={**helper.payload, "helper": "Người khác"}))
    assert named(audit(ketnap)) == {(EDITED, a, 2)}


def test_stored_json_rewritten_in_another_form_of_the_same_values_still_verifies(ketnap: Ketnap,
                                                                                  two: tuple[str, str]) -> None:
    """The audit proves most hashes from the stored JSON text as it is; text in another form (spaces, keys out
    of order, as an older version or another tool wrote it) is judged on its values, as it always was."""
    a, _ = two
    event = events_of(ketnap.engine, a)[3]
    spaced = json.dumps(dict(reversed(list(event.payload.items()))), ensure_ascii=True, indent=1)
    with ketnap.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET payload = ? WHERE stream_id = ? AND version = 4"
                             if conn.dialect.name == "sqlite" else
                             "UPDATE event SET payload = %s::json WHERE stream_id = %s AND version = 4",
                             (spaced, a))
    assert events_of(ketnap.engine, a)[3].payload == event.payload
    assert audit(ketnap).ok


def test_stored_json_with_a_changed_value_is_named_even_in_the_canonical_form(ketnap: Ketnap,
                                                                              two: tuple[str, str]) -> None:
    a, _ = two
    event = events_of(ketnap.engine, a)[1]
    canonical = json.dumps({**event.payload, "helper": "Người khác"}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    with ketnap.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET payload = ? WHERE stream_id = ? AND version = 2"
                             if conn.dialect.name == "sqlite" else
                             "UPDATE event SET payload = %s::json WHERE stream_id = %s AND version = 2",
                             (canonical, a))
    assert named(audit(ketnap)) == {(EDITED, a, 2)}


def test_a_changed_date_is_named(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    sql(ketnap.engine, update(EVENTS).where(row(b, 3)).values(effective_on=date(2024, 2, 29)))
    assert (EDITED, b, 3) in named(audit(ketnap))


def test_a_deleted_event_is_named(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    sql(ketnap.engine, delete(EVENTS).where(row(a, 5)))
    assert (DELETED, a, 5) in named(audit(ketnap))


def test_a_swapped_pair_is_named(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    sql(ketnap.engine, update(EVENTS).where(row(a, 3)).values(version=-3),
        update(EVENTS).where(row(a, 4)).values(version=3), update(EVENTS).where(row(a, -3)).values(version=4))
    found = named(audit(ketnap))
    assert {(REORDERED, a, 3), (REORDERED, a, 4)} <= found
    assert all(stream == a for _, stream, _ in found)


def test_an_inserted_event_with_a_recomputed_hash_but_a_wrong_link_is_named(ketnap: Ketnap,
                                                                            two: tuple[str, str]) -> None:
    a, b = two
    history = events_of(ketnap.engine, b)
    head, before = history[-1], history[-2]
    forged = head._replace(version=head.version + 1, type="collect_comments", payload={"sources": ["residence"]},
                     derived={}, prev_hash=before.hash)  # links to the event before the head
    forged = forged._replace(hash=event_hash(forged, forged.prev_hash))
    sql(ketnap.engine, EVENTS.insert().values(event_to_row(forged)))
    assert (INSERTED, b, forged.version) in named(audit(ketnap))


def _rewrite(engine: Engine, stream: str) -> None:
    """Change an early event and recompute every hash after it: a consistent forgery of the whole stream."""
    events = events_of(engine, stream)
    events[1] = events[1]._replace(payload={"helper": "Người khác"})
    prev = events[0].hash
    with engine.begin() as conn:
        for e in events[1:]:
            e = e._replace(prev_hash=prev)
            prev = event_hash(e, prev)
            conn.execute(update(EVENTS).where(row(stream, e.version)).values(
                payload=e.payload, prev_hash=e.prev_hash, hash=prev))


def test_a_stream_recomputed_consistently_is_caught_only_against_a_checkpoint(ketnap: Ketnap,
                                                                             two: tuple[str, str]) -> None:
    a, b = two
    digest = make_checkpoint(ketnap)
    _rewrite(ketnap.engine, b)
    assert audit(ketnap).ok  # the chain alone cannot tell
    report = audit(ketnap, since_checkpoint=digest)
    assert named(report) == {(REWRITTEN, b, len(steps_until("branch_vote")))}


def test_a_deleted_stream_is_named_against_a_checkpoint(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    digest = make_checkpoint(ketnap)
    sql(ketnap.engine, delete(EVENTS).where(EVENTS.c.stream_id == b))
    assert (PROJECTION, b, None) in named(audit(ketnap))  # its projection rows are left without a stream
    sql(ketnap.engine, delete(DEADLINES).where(DEADLINES.c.stream_id == b),
        delete(CANDIDATES).where(CANDIDATES.c.id == b))
    assert audit(ketnap).ok  # a clean deletion leaves no trace in the log itself
    report = audit(ketnap, since_checkpoint=digest)
    assert named(report) == {(STREAM_DELETED, b, len(steps_until("branch_vote")))}


def test_events_appended_after_a_checkpoint_do_not_break_it(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    digest = make_checkpoint(ketnap)
    record_path(ketnap, [step for step in FULL_PATH if step[0] == "branch_vote"], candidate_id=b)
    record_path(ketnap, steps_until("enrol_training"))
    assert audit(ketnap, since_checkpoint=digest).ok


def test_a_tampered_projection_is_named_with_the_field(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    sql(ketnap.engine, update(CANDIDATES).where(CANDIDATES.c.id == b).values(stage="official"),
        update(DEADLINES).where(DEADLINES.c.stream_id == a).values(status="open"))
    found = audit(ketnap).findings
    assert any(f.stream_id == b and f.data.get("field") == "stage" for f in found)
    assert any(f.stream_id == a and f.data.get("field") == "status" for f in found)


def test_scope_limits_the_audit_to_one_candidate(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    sql(ketnap.engine, delete(EVENTS).where(row(a, 5)))
    assert audit(ketnap, scope=Scope(candidate=b)).ok
    assert not audit(ketnap, scope=Scope(candidate=a)).ok
    with ketnap.engine.connect() as conn:
        assert conn.execute(select(EVENTS.c.prev_hash).where(row(a, 1))).scalar() == GENESIS


def test_workers_in_parallel_find_the_same_problems(ketnap: Ketnap, two: tuple[str, str]) -> None:
    a, b = two
    c = record_path(ketnap, steps_until("assign_helper"), full_name="Trần Văn Hùng")
    digest = make_checkpoint(ketnap)
    sql(ketnap.engine, delete(EVENTS).where(row(a, 5)), delete(EVENTS).where(EVENTS.c.stream_id == c),
        delete(CANDIDATES).where(CANDIDATES.c.id == c))
    alone = audit(ketnap, since_checkpoint=digest)
    parallel = audit(ketnap, since_checkpoint=digest, workers=2)
    assert named(parallel) == named(alone) and (DELETED, a, 5) in named(parallel)
    assert (STREAM_DELETED, c, 1) in named(parallel)
    assert (parallel.streams, parallel.events) == (alone.streams, alone.events)
