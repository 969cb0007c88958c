"""How the audit reads the log and the projections, on SQLite and PostgreSQL: every stream whole and exactly as
the event store reads it, page boundaries and ranges included; projection rows found whatever the order of
a chunk; and on PostgreSQL, workers that read the audit's own snapshot."""

import pytest
from sqlalchemy import Engine, delete

from storage.audit_reads import count_events
from storage.event_store import load_stream
from storage.projections import CANDIDATES
from tests.integration.support import FULL_PATH, record_path, steps_until
from workflow.audit import projection_check, reader
from workflow.audit.findings import PROJECTION
from workflow.audit.reader import iter_chunks, iter_streams
from workflow.audit.stream_checks import stream_findings
from workflow.audit.verify import Scope, Verifier, exported_snapshot, snapshot, verify
from workflow.service import Ketnap

pytestmark = pytest.mark.integration


@pytest.fixture
def three(ketnap: Ketnap) -> list[str]:
    """Three streams of different lengths, their ids in the database's order."""
    ids = {record_path(ketnap, FULL_PATH), record_path(ketnap, steps_until("branch_vote"), full_name="Lê Thị Mai"),
           record_path(ketnap, steps_until("assign_helper"), full_name="Trần Văn Hùng")}
    with snapshot(ketnap.engine) as conn:
        ordered = [s[0].stream_id for s in iter_streams(conn)]
    assert set(ordered) == ids
    return ordered


@pytest.mark.parametrize("rows_per_page", [1, 4, 9, 18, 5000])
def test_every_stream_is_read_whole_as_the_store_reads_it(ketnap: Ketnap, three: list[str],
                                                          monkeypatch: pytest.MonkeyPatch, rows_per_page: int) -> None:
    monkeypatch.setattr(reader, "ROWS_PER_PAGE", rows_per_page)
    with snapshot(ketnap.engine) as conn:
        stored = [load_stream(conn, sid) for sid in three]
        assert list(iter_streams(conn)) == stored
        assert list(iter_streams(conn, bounds=(three[1], None))) == stored[1:]
        assert list(iter_streams(conn, bounds=(None, three[1]))) == stored[:1]
        assert list(iter_streams(conn, bounds=(three[1], three[2]))) == stored[1:2]
        assert list(iter_streams(conn, [three[2], "nobody", three[0]])) == [stored[2], stored[0]]
        assert [len(c) for c in iter_chunks(conn, size=2)] == [2, 1]


def test_projection_rows_are_found_whatever_the_order_of_a_chunk(ketnap: Ketnap, three: list[str]) -> None:
    with snapshot(ketnap.engine) as conn:
        verifier = Verifier(conn, ketnap.rulebook, ketnap.calendar, Scope())
        replayed = [stream_findings(s, verifier.rules, verifier.calendar, verifier.orgs)[1]
                    for s in iter_streams(conn)]
        assert all(c is not None for c in replayed)
        for order in (replayed, replayed[::-1], [replayed[2], replayed[0]]):
            assert projection_check.compare_chunk(conn, order) == []  # type: ignore[arg-type]


def test_a_missing_candidate_row_is_named_inside_a_chunk(ketnap: Ketnap, three: list[str]) -> None:
    with ketnap.engine.begin() as conn:
        conn.execute(delete(CANDIDATES).where(CANDIDATES.c.id == three[1]))
    found = verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).findings
    assert [(f.kind, f.stream_id, f.detail) for f in found] == [
        (PROJECTION, three[1], "the candidate row is missing")]


def test_an_audit_started_without_a_worker_count_sizes_itself(ketnap: Ketnap, three: list[str]) -> None:
    report = verify(ketnap.engine, ketnap.rulebook, ketnap.calendar, workers=None)
    with snapshot(ketnap.engine) as conn:
        assert report.ok and (report.streams, report.events) == (3, count_events(conn))


def test_workers_read_the_snapshot_the_audit_began_with(ketnap: Ketnap, engine: Engine, three: list[str]) -> None:
    if engine.dialect.name != "postgresql":
        with snapshot(engine) as conn:
            assert exported_snapshot(conn) is None
        pytest.skip("SQLite cannot share a snapshot between connections: a worker reads its own, taken later")
    with snapshot(engine) as conn:
        shared, before = exported_snapshot(conn), count_events(conn)
        assert shared is not None
        record_path(ketnap, steps_until("assign_helper"), full_name="Phạm Thị Lan")  # committed meanwhile
        with snapshot(engine, shared) as worker:
            assert count_events(worker) == before
        with snapshot(engine) as later:
            assert count_events(later) == before + 1


def test_a_snapshot_id_is_checked_before_it_reaches_sql(engine: Engine) -> None:
    with pytest.raises(ValueError, match="snapshot id"), snapshot(engine, "1'; DROP TABLE event; --"):
        pass


def test_on_sqlite_every_hash_of_a_log_the_engine_wrote_is_proven_from_the_stored_text(ketnap: Ketnap,
                                                                                         three: list[str]) -> None:
    """The store writes JSON sorted and compact, so the reader can hash the stored text as it is; on PostgreSQL
    (JSON comes back decoded) nothing is proven that way and every event is hashed from its values."""
    verified: set[int] = set()
    with snapshot(ketnap.engine) as conn:
        events = [e for chunk in iter_chunks(conn, verified=verified) for stream in chunk for e in stream]
    if ketnap.engine.dialect.name == "sqlite":
        assert verified == {e.position for e in events}
    else:
        assert verified == set()
