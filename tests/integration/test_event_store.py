"""The event store on a real SQLite file and on PostgreSQL: what is appended is what is read back, a second
writer at the same version conflicts without touching the first, positions follow commit order and every
stream is a hash chain (ARCHITECTURE.md decisions 1, 3 and 9)."""

import threading
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, text, update

from states.events import Event
from states.hashing import GENESIS, event_hash
from storage import event_store
from storage.errors import ConcurrencyConflictError
from storage.unit_of_work import SqlUnitOfWork
from tests.integration.support import FULL_PATH, chain_problems, record_path
from workflow.service import Ketnap

VIETNAMESE = "Nguyễn Thị Hoà, Đảng ủy xã Tân Lập — lớp bồi dưỡng nhận thức về Đảng"


def chained(stream_id: str, payloads: list[dict[str, Any]], start: int = 1, prev: str = GENESIS,
            recorded_at: datetime = datetime(2026, 11, 20, 3, 0, 0, 123456, tzinfo=UTC)) -> list[Event]:
    """Events with valid versions and hashes, as decide() would build them."""
    events = []
    for offset, payload in enumerate(payloads):
        event = Event(stream_id, start + offset, "collect_comments", date(2024, 6, 15), recorded_at, "thư ký",
                      "qd24-2021", payload, {"note": "Ghi chú"}, prev_hash=prev)
        event = event._replace(hash=event_hash(event, prev))
        events.append(event)
        prev = event.hash
    return events


def append(engine: Engine, events: list[Event], expected_version: int) -> None:
    with engine.begin() as conn:
        event_store.append(conn, events, expected_version)


def load(engine: Engine, stream_id: str) -> list[Event]:
    with SqlUnitOfWork(engine).reading() as tx:
        return tx.load(stream_id)


def without_position(event: Event) -> Event:
    return event._replace(position=None)


def test_append_then_load_returns_the_same_events(engine: Engine) -> None:
    payload = {"full_name": VIETNAMESE, "sources": ["residence", "mass_organisations"],
               "nested": {"số": 18, "ok": True, "none": None, "tỉ lệ": 0.9}}
    events = chained("c-roundtrip", [payload, {"full_name": "Y Bhăm Êban"}])
    append(engine, events, expected_version=0)

    loaded = load(engine, "c-roundtrip")

    assert [without_position(e) for e in loaded] == events
    first = loaded[0]
    assert type(first.effective_on) is date and first.effective_on == date(2024, 6, 15)
    assert first.recorded_at.utcoffset() == timedelta(0)
    assert first.recorded_at == datetime(2026, 11, 20, 3, 0, 0, 123456, tzinfo=UTC)
    assert first.payload["full_name"] == VIETNAMESE
    assert unicodedata.is_normalized("NFC", first.payload["full_name"])
    assert first.actor == "thư ký" and first.derived == {"note": "Ghi chú"}
    assert chain_problems(loaded) == []


def test_a_timestamp_in_another_zone_is_stored_as_the_same_instant(engine: Engine) -> None:
    """SQLite keeps no offset: a 10:00+07:00 timestamp must come back as 03:00 UTC, not as 10:00 UTC."""
    hanoi = timezone(timedelta(hours=7))
    events = chained("c-zone", [{"x": 1}], recorded_at=datetime(2026, 11, 20, 10, 0, tzinfo=hanoi))
    append(engine, events, expected_version=0)

    loaded = load(engine, "c-zone")

    assert loaded[0].recorded_at == datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    assert chain_problems(loaded) == []


def test_a_second_append_at_the_same_version_conflicts_and_keeps_the_first(engine: Engine) -> None:
    first = chained("c-race", [{"by": "Lê Văn Cường"}])
    append(engine, first, expected_version=0)
    rival = chained("c-race", [{"by": "Trần Minh Đức"}])

    with pytest.raises(ConcurrencyConflictError) as caught:
        append(engine, rival, expected_version=0)

    assert caught.value.stream_id == "c-race" and caught.value.expected_version == 0
    assert [without_position(e) for e in load(engine, "c-race")] == first


def test_a_conflicting_batch_writes_none_of_its_events(engine: Engine) -> None:
    append(engine, chained("c-batch", [{"n": 1}]), expected_version=0)
    batch = chained("c-batch", [{"n": 2}, {"n": 3}], start=1)  # version 1 is taken, version 2 is free

    with pytest.raises(ConcurrencyConflictError):
        append(engine, batch, expected_version=0)

    assert [e.payload for e in load(engine, "c-batch")] == [{"n": 1}]


def test_a_writer_that_read_before_another_committed_gets_a_conflict(engine: Engine) -> None:
    """PostgreSQL reads committed data, so two writers can read the same version; UNIQUE decides."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers take the lock at BEGIN IMMEDIATE, before they read (see the service tests)")
    append(engine, chained("c-read", [{"n": 1}]), expected_version=0)
    with engine.connect() as late:
        late.begin()
        seen = event_store.load_stream(late, "c-read")
        append(engine, chained("c-read", [{"n": 2}], start=2, prev=seen[-1].hash), expected_version=1)
        with pytest.raises(ConcurrencyConflictError):
            event_store.append(late, chained("c-read", [{"n": 3}], start=2, prev=seen[-1].hash), len(seen))
        late.rollback()

    assert [e.payload for e in load(engine, "c-read")] == [{"n": 1}, {"n": 2}]


def test_positions_increase_in_commit_order_for_a_reader_following_the_log(engine: Engine) -> None:
    """A reader that remembers the last position it saw never skips an event committed later."""
    writers, per_writer = 4, 25
    seen: list[Event] = []
    out_of_order: list[tuple[int, int]] = []
    done = threading.Event()

    def write(n: int) -> None:
        prev = GENESIS
        for version in range(1, per_writer + 1):
            [event] = chained(f"c-tail-{n}", [{"writer": n, "v": version}], start=version, prev=prev)
            append(engine, [event], expected_version=version - 1)
            prev = event.hash

    def follow() -> None:
        last = 0
        while True:
            finished = done.is_set()
            with SqlUnitOfWork(engine).reading() as tx:
                for event in event_store.iter_all(tx.conn, batch=7, since_position=last):
                    assert event.position is not None
                    if event.position <= last:
                        out_of_order.append((last, event.position))
                    seen.append(event)
                    last = event.position
            if finished:
                return
            done.wait(0.002)  # let the writers work on a 2-core machine

    reader = threading.Thread(target=follow)
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()

    with SqlUnitOfWork(engine).reading() as tx:
        everything = list(event_store.iter_all(tx.conn))
    assert out_of_order == []
    assert len(everything) == writers * per_writer
    assert [e.position for e in seen] == [e.position for e in everything]
    positions = [e.position for e in everything]
    assert positions == sorted(set(positions))  # type: ignore[type-var]


def _advisory_waiters(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND NOT granted")).scalar_one())


def test_appends_do_not_wait_for_each_other_and_a_reader_waits_for_the_one_in_flight_on_postgres(
        engine: Engine) -> None:
    """Sequences hand out positions before commit: position 2 commits while position 1 is still in flight. The
    second append does not queue behind the first (issue 14); a reader following the log reads no further than
    the committed head, which waits for the first, so it never sees 2 without 1 (ARCHITECTURE.md decision 9)."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time by construction")
    read: list[list[str]] = []

    def reader() -> None:
        with SqlUnitOfWork(engine).reading() as tx:
            read.append([e.stream_id for e in event_store.iter_all(tx.conn)])

    with engine.connect() as first:
        first.begin()
        event_store.append(first, chained("c-first", [{"n": 1}]), 0)
        second = threading.Thread(target=append, args=(engine, chained("c-second", [{"n": 2}]), 0))
        second.start()
        second.join(timeout=30)
        assert not second.is_alive()  # committed while the first is still open
        follower = threading.Thread(target=reader)
        follower.start()
        for _ in range(2000):  # until the reader is queued on the append lock (bounded, no timing assertion)
            if _advisory_waiters(engine):
                break
            threading.Event().wait(0.005)
        assert _advisory_waiters(engine) == 1 and read == []
        first.commit()
    follower.join(timeout=30)

    assert read == [["c-first", "c-second"]]
    with engine.connect() as conn:
        positions = dict(conn.execute(text("SELECT stream_id, position FROM event")).all())
    assert positions["c-first"] < positions["c-second"]


def test_every_step_links_to_the_hash_before_it(ketnap: Ketnap) -> None:
    candidate_id = record_path(ketnap, FULL_PATH)

    events = ketnap.events(candidate_id)

    assert len(events) == len(FULL_PATH)
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert chain_problems(events) == []


def test_an_edited_payload_breaks_the_chain(ketnap: Ketnap) -> None:
    candidate_id = record_path(ketnap, FULL_PATH[:4])
    events_table = event_store.EVENTS
    with ketnap.engine.begin() as conn:
        conn.execute(update(events_table).where(events_table.c.stream_id == candidate_id,
                                                events_table.c.version == 2)
                     .values(payload={"helper": "Người khác"}))

    problems = chain_problems(ketnap.events(candidate_id))

    assert problems == [f"{candidate_id}#2: hash does not match the stored fields"]
