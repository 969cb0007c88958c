"""Three `ketnap serve` processes and three schedulers on one PostgreSQL database (issue 14, ARCHITECTURE.md
decision 9): steps sent to all three servers at once, on different candidates, all record; every stream is
gapless and chained; a reader following the log by global position while they are written never skips an event
committed later; one day of reminders, swept and sent by three schedulers, arrives exactly once each; the audit
is clean at the end."""

import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from benchmarks.bench_web import free_port, serve
from states.hashing import GENESIS
from storage import event_store
from storage.engine import make_engine
from storage.unit_of_work import SqlUnitOfWork
from tests.builders import PATH_TO_VOTE, settings
from tests.conftest import _truncate
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    SECRET,
    WebhookReceiver,
    add_orgs,
    fast_policy,
    ketnap_executable,
    outbox_rows,
    output,
    seed_webhook_deadlines,
    start_scheduler,
    stop,
    wait_until,
    write_config,
)
from workflow import accounts
from workflow.bootstrap import bootstrap

pytestmark = [pytest.mark.postgres, pytest.mark.integration]
SERVERS, CLIENTS_PER_SERVER, CANDIDATES_PER_CLIENT = 3, 4, 2
STEPS = PATH_TO_VOTE[:6]  # identify ... declare_history: six steps, no committee involved
REMINDERS = 300


@pytest.fixture
def shared_pg(pg_url: str, clock: FrozenClock) -> Iterator[tuple[str, str]]:
    """The session's database, emptied, with the organisation tree and a secretary's token."""
    engine = make_engine(pg_url)
    _truncate(engine)
    app = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(app)
    accounts.add_user(app, "thuky", "secretary", ["TINH"])
    token = accounts.create_token(app, "thuky", "test").token
    engine.dispose()
    yield pg_url, token


def _client(base: str, token: str, name: str, recorded: Counter[str], errors: list[str]) -> None:
    """One client: its own candidates, each taken through STEPS, one request per step."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
        for n in range(CANDIDATES_PER_CLIENT):
            (_, on, person), *rest = STEPS
            fields = {**person, "full_name": f"Nguyễn Thị {name} {n}"}
            answer = client.post("/api/candidates", json={"on": on.isoformat(), "fields": fields})
            if answer.status_code != 201:
                errors.append(f"{base} identify: {answer.status_code} {answer.text[:300]}")
                return
            candidate = answer.json()["id"]
            recorded[base] += 1
            for step, on_, values in rest:
                answer = client.post(f"/api/candidates/{candidate}/steps",
                                     json={"step": step, "on": _iso(on_), "fields": values})
                if answer.status_code != 201:
                    errors.append(f"{base} {step}: {answer.status_code} {answer.text[:300]}")
                    return
                recorded[base] += 1


def _iso(on: date) -> str:
    return on.isoformat()


class Follower(threading.Thread):
    """Reads the log by global position as a projection would, from where it stopped, until told to stop."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine, self.stopping = engine, threading.Event()
        self.positions: list[int] = []

    def run(self) -> None:
        last = 0
        while True:
            finished = self.stopping.is_set()
            with SqlUnitOfWork(self.engine).reading() as tx:
                for event in event_store.iter_all(tx.conn, batch=50, since_position=last):
                    assert event.position is not None
                    self.positions.append(event.position)
                    last = event.position
            if finished:
                return
            self.stopping.wait(0.01)


def test_three_servers_and_three_schedulers_on_one_postgres_database(shared_pg: tuple[str, str],
                                                                    tmp_path: Path) -> None:
    url, token = shared_pg
    # A lease of a minute: a batch that outlives its lease is test_lease_slow_smtp.py's case. Here the three
    # servers' 32 client threads share 2 cores with the schedulers; a 5 s lease let a renewal starved past a
    # third of it hand a message to a second scheduler once in four runs (README "Reminders", what remains).
    config = write_config(tmp_path / "config.yaml", fast_policy(lease_seconds=60),
                          {"channels": {"webhook": {"transport": "http", "timeout_seconds": 5}}})
    ports = [free_port() for _ in range(SERVERS)]
    servers = [serve(url, port, wait=False) for port in ports]
    engine = make_engine(url)
    follower = Follower(engine)
    recorded: Counter[str] = Counter()
    errors: list[str] = []
    logs = [tmp_path / f"scheduler-{n}.log" for n in range(3)]
    with WebhookReceiver(SECRET.encode()) as receiver:
        seed_webhook_deadlines(url, REMINDERS, receiver.url)
        schedulers = [start_scheduler(config, url, log, env={"KETNAP_WEBHOOK_SECRET": SECRET}) for log in logs]
        try:
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            for base, process in zip(bases, servers, strict=True):
                assert wait_until(lambda b=base: _healthy(b), 240), f"server {base} did not start ({process.poll()})"
            follower.start()
            clients = [threading.Thread(target=_client, args=(base, token, f"{s}-{c}", recorded, errors))
                       for c in range(CLIENTS_PER_SERVER) for s, base in enumerate(bases)]
            for t in clients:
                t.start()
            for t in clients:
                t.join()
            follower.stopping.set()
            follower.join()
            delivered = wait_until(lambda: len({d.key_header for d in receiver.accepted()}) >= REMINDERS, 90)
            assert delivered, "\n".join(output(log)[-2000:] for log in logs)
        finally:
            codes = [stop(p, signal.SIGTERM) for p in schedulers]
            for process in servers:
                process.terminate()
                process.wait(timeout=30)
    assert errors == []
    assert codes == [0, 0, 0]
    steps = SERVERS * CLIENTS_PER_SERVER * CANDIDATES_PER_CLIENT * len(STEPS)
    assert sorted(recorded.values()) == [steps // SERVERS] * SERVERS  # every server recorded its share

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT stream_id, version, position, prev_hash, hash FROM event "
                                 "ORDER BY stream_id, version")).all()
    streams: dict[str, list[Any]] = {}
    for row in rows:
        streams.setdefault(row.stream_id, []).append(row)
    assert len(rows) == steps and len(streams) == steps // len(STEPS)
    for events in streams.values():  # gapless and chained
        assert [e.version for e in events] == list(range(1, len(STEPS) + 1))
        assert [e.prev_hash for e in events] == [GENESIS, *(e.hash for e in events[:-1])]
    # the follower saw every committed event exactly once, in increasing position: none was skipped
    assert follower.positions == sorted(r.position for r in rows)

    per_key = Counter(d.key_header for d in receiver.accepted())
    twice = [(r.key, r.attempts, r.claimed_by, r.last_error) for r in outbox_rows(engine) if per_key[r.key] > 1]
    assert len(per_key) == REMINDERS and twice == [], "\n".join(output(log)[-3000:] for log in logs)
    assert Counter(r.status for r in outbox_rows(engine)) == {"sent": REMINDERS}
    with engine.begin() as conn:  # the seeded reminders' candidates have no stream: the audit would say so
        conn.execute(text("DELETE FROM outbox"))
        conn.execute(text("DELETE FROM deadline WHERE stream_id LIKE 'seed-%'"))
        conn.execute(text("DELETE FROM candidate WHERE id LIKE 'seed-%'"))
    engine.dispose()

    audit = subprocess.run([*ketnap_executable(), "--db", url, "audit", "verify"], capture_output=True,
                           env={k: v for k, v in os.environ.items() if k != "KETNAP_DATABASE_URL"}, timeout=120)
    assert audit.returncode == 0, audit.stdout.decode()[-2000:] + audit.stderr.decode()[-2000:]


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
