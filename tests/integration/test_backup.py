"""`ketnap backup` / `ketnap restore` (issue 11, item 8) on a real SQLite file and a real PostgreSQL database: a
restored copy verifies clean and gives the checkpoint digest of its manifest, even when steps were being recorded
during the backup; a restore never goes into a database that holds events."""

import os
import stat
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from storage import migrate
from storage.engine import make_engine
from storage.event_store import EVENTS
from tests.builders import settings
from tests.conftest import PG_URL_ENV
from tests.fakes import FrozenClock
from tests.integration.reports_data import admit, people
from tests.integration.support import add_org_tree, record_path, steps_until
from workflow import access_log
from workflow import backup as backups
from workflow.audit import checkpoint as checkpoints
from workflow.backup import BackupRefused
from workflow.bootstrap import bootstrap
from workflow.service import Ketnap

OPERATOR = access_log.operator_viewer("kiểm tra viên", "ops")


def no_progress(_done: int, _total: int) -> None:
    return None


@contextmanager
def _silent(_total: int) -> Iterator[Callable[[int], None]]:
    yield lambda _n: None


def silent_bar(total: int) -> AbstractContextManager[Callable[[int], None]]:
    return _silent(total)


@pytest.fixture
def target(db_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[Ketnap]:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL database (dropped after)."""
    if db_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
        yield bootstrap(settings(), engine=engine, clock=clock)
        engine.dispose()
        return
    base = make_url(os.environ[PG_URL_ENV]).set(drivername="postgresql+psycopg")
    name = f"ketnap_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    yield bootstrap(settings(), engine=engine, clock=clock)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def heads(engine: Engine) -> dict[tuple[str, int], tuple[str, int]]:
    """(stream, version) -> (hash, position) of every event."""
    with engine.connect() as conn:
        rows = conn.execute(select(EVENTS.c.stream_id, EVENTS.c.version, EVENTS.c.hash, EVENTS.c.position))
        return {(r.stream_id, r.version): (r.hash, r.position) for r in rows}


def test_a_backup_of_ten_thousand_candidates_restores_verifies_clean_and_matches_its_checkpoint(
        sqlite_url: str, tmp_path: Path, clock: FrozenClock) -> None:
    """On SQLite (the PostgreSQL round trip is below, with fewer candidates)."""
    ketnap = bootstrap(settings(), engine=make_engine(sqlite_url), clock=clock)
    add_org_tree(ketnap)
    admit(ketnap.engine, date(2024, 8, 1), people(10_000), until="certify_training")
    file = tmp_path / "ketnap-backup.db"
    made = backups.backup(ketnap, file, no_progress)
    with ketnap.engine.begin() as conn:  # what `ketnap audit checkpoint` prints for the same log
        assert checkpoints.create(conn, clock.now(), "auditor").digest == made.digest
    assert made.counts["candidates"] == 10_000 and made.counts["events"] == 40_000

    engine = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    restored = bootstrap(settings(), engine=engine, clock=clock)
    backups.restore(restored, file, no_progress)
    check = backups.check_restored(restored, made, silent_bar)
    assert check.report.findings == []
    assert (check.report.streams, check.report.events, check.digest) == (10_000, 40_000, made.digest)
    assert check.ok
    engine.dispose()
    ketnap.engine.dispose()


def _writer(app: Ketnap, stop: threading.Event, recorded: list[str]) -> threading.Thread:
    """Records steps for new candidates, one transaction each, until told to stop."""
    def run() -> None:
        while not stop.is_set():
            for name, on, fields in steps_until("enrol_training"):
                recorded.append(record_path(app, [(name, on, fields)], recorded[-1] if name != "identify" else None))
    return threading.Thread(target=run, daemon=True)


def test_a_backup_taken_while_steps_are_recorded_is_consistent(ketnap: Ketnap, target: Ketnap,
                                                                tmp_path: Path, db_url: str) -> None:
    admit(ketnap.engine, date(2024, 8, 1), people(1_500), until="certify_training")
    stop, recorded = threading.Event(), ["-"]
    writes_during_copy = threading.Semaphore(0)
    gate: list[int] = []

    def progress(_done: int, _total: int) -> None:
        """After the first SQLite step, let the writer commit a few steps before the copy goes on."""
        if not gate:
            gate.append(len(recorded))
            while len(recorded) < gate[0] + 5:
                writes_during_copy.acquire(timeout=0.05)

    writer = _writer(ketnap, stop, recorded)
    writer.start()
    while len(recorded) < 4:  # the writer is running before the copy starts (PostgreSQL has no progress steps)
        writes_during_copy.acquire(timeout=0.05)
    try:
        made = backups.backup(ketnap, tmp_path / "during.backup", progress, pages_per_step=64)
    finally:
        stop.set()
        writer.join()
    backups.restore(target, tmp_path / "during.backup", no_progress)
    check = backups.check_restored(target, made, silent_bar)
    assert check.report.findings == [] and check.digest == made.digest

    source, copy = heads(ketnap.engine), heads(target.engine)
    assert len(source) > len(copy), "steps were recorded after the copy's snapshot"
    assert all(source[key][0] == hash_ for key, (hash_, _) in copy.items()), "the copy's events are the source's"
    if db_url.startswith("sqlite"):  # positions are commit-ordered: the copy is exactly a prefix of the log
        assert gate, "the copy ran in several steps"
        last = max(position for _, position in copy.values())
        assert {k for k, (_, p) in source.items() if p <= last} == set(copy)


def test_a_round_trip_keeps_every_table_and_the_append_only_access_log(ketnap: Ketnap, target: Ketnap,
                                                                         tmp_path: Path) -> None:
    candidate = record_path(ketnap, steps_until("conclude_vetting"))
    access_log.viewed(ketnap, OPERATOR, "cli_show", candidate)
    file = tmp_path / "round.backup"
    made = backups.backup(ketnap, file, no_progress)
    for path in (file, backups.manifest_path(file)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    backups.restore(target, file, no_progress)
    assert backups.check_restored(target, made, silent_bar).ok
    rows = access_log.read(target, None, candidate_id=candidate).rows
    assert [(r["view"], r["actor"], r["origin"], r["org"]) for r in rows] == [
        ("cli_show", "kiểm tra viên", "cli:ops", "CB-01")]
    with pytest.raises(DBAPIError, match="append-only"), target.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log"))


def test_restore_into_a_database_with_events_is_refused_and_writes_nothing(ketnap: Ketnap, target: Ketnap,
                                                                            tmp_path: Path) -> None:
    record_path(ketnap, steps_until("assign_helper"))
    file = tmp_path / "x.backup"
    backups.backup(ketnap, file, no_progress)
    migrate.upgrade(target.engine)
    add_org_tree(target)
    record_path(target, steps_until("enrol_training"), full_name="Trần Văn Nam")
    before = heads(target.engine)
    with pytest.raises(BackupRefused, match="holds 6 event"):  # 2 of the candidate's, 4 of the organisations'
        backups.restore(target, file, no_progress)
    assert heads(target.engine) == before
    with pytest.raises(BackupRefused, match="holds 5 event"):  # the source itself: its one step and the organisations
        backups.restore(ketnap, file, no_progress)
    with pytest.raises(BackupRefused, match="exists"):
        backups.backup(ketnap, file, no_progress)


def test_a_backup_file_that_is_not_the_one_its_manifest_describes_is_refused(ketnap: Ketnap, target: Ketnap,
                                                                              tmp_path: Path) -> None:
    record_path(ketnap, steps_until("assign_helper"))
    file = tmp_path / "x.backup"
    backups.backup(ketnap, file, no_progress)
    with file.open("r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 1]))
    with pytest.raises(BackupRefused, match="SHA-256"):
        backups.restore(target, file, no_progress)
    backups.manifest_path(file).unlink()
    with pytest.raises(BackupRefused, match="missing"):
        backups.restore(target, file, no_progress)
