"""Copies of the whole database (issue 11, item 8): SQLite through its online backup API, PostgreSQL through
`pg_dump -Fc` / `pg_restore`. What a copy must prove (its checkpoint digest, a verify) is decided in
workflow/backup.py; this module only moves bytes and counts rows.

Consistency while steps are being recorded: on SQLite the copy runs inside one read transaction of its source
connection, so every page comes from one snapshot of the WAL (the backup never restarts and never mixes two
states); on PostgreSQL pg_dump imports the snapshot of the transaction that also computes the manifest.
"""

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select
from sqlalchemy.engine import URL

from storage.access_log import ACCESS_LOG
from storage.errors import CopyFailed as CopyFailed  # re-exported: the refusal table names it without this module
from storage.event_store import EVENTS
from storage.organisations import ORG_EVENTS
from storage.projections import CANDIDATES
from storage.users import USERS

BUSY_TIMEOUT_S = 10.0
PAGES_PER_STEP = 2048  # SQLite pages copied between two progress reports (8 MiB at the default page size)
Progress = Callable[[int, int], None]  # done, total (pages on SQLite)


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600, whatever the umask: a copy holds every candidate's personal data.

    Raises: FileExistsError (nothing is overwritten), OSError.
    """
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def counts(conn: Connection) -> dict[str, int]:
    """Rows of the tables a restore drill compares by eye."""
    tables = {"events": EVENTS, "org_events": ORG_EVENTS, "candidates": CANDIDATES, "users": USERS,
              "access_log": ACCESS_LOG}
    return {name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0) for name, t in tables.items()}


def events_recorded(engine: Engine) -> int:
    """Events (candidates' and organisations') in a database; 0 when it has no schema yet."""
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        return sum(int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                   for t in (EVENTS, ORG_EVENTS) if t.name in names)


# --- SQLite --------------------------------------------------------------------------------------------------

def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite engine; None for an in-memory database."""
    name = engine.url.database
    return None if not name or name == ":memory:" or name.startswith("file:") else Path(name)


def copy_sqlite(source: Path, target: Path, progress: Progress, pages_per_step: int = PAGES_PER_STEP) -> None:
    """Copy `source` into the new file `target` (0600) from one snapshot; the copy is one self-contained file
    (rollback journal, no -wal beside it).

    Raises: FileExistsError, sqlite3.Error.
    """
    create_private(target)
    src = sqlite3.connect(source, isolation_level=None, timeout=BUSY_TIMEOUT_S)  # only read; read-write so that
    dst = sqlite3.connect(target, isolation_level=None)  # a WAL database opens even with no -shm beside it
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchall()  # the read snapshot starts here
        src.backup(dst, pages=pages_per_step, progress=lambda _s, left, total: progress(total - left, total))
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()


def restore_sqlite(backup: Path, target: Path, progress: Progress) -> None:
    """Replace the whole content of `target` (created 0600 if missing) with the copy `backup`.

    Raises: sqlite3.Error.
    """
    if not target.exists():
        create_private(target)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True, isolation_level=None)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        src.backup(dst, pages=PAGES_PER_STEP, progress=lambda _s, left, total: progress(total - left, total))
    finally:
        src.close()
        dst.close()


@contextmanager
def read_copy(path: Path) -> Iterator[Connection]:
    """A read-only connection to a copy on disk, that changes nothing in it (no WAL, no -shm beside it)."""
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


# --- PostgreSQL ----------------------------------------------------------------------------------------------

def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump reads it, and the environment carrying its password (never on the command line)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def dump_postgres(url: URL, snapshot_id: str, target: Path) -> None:
    """`pg_dump -Fc` of the database at `url`, reading the exported snapshot `snapshot_id` (its transaction must
    stay open until this returns), into the new file `target` (0600).

    Raises: FileExistsError, CopyFailed.
    """
    create_private(target)
    dsn, env = _libpq(url)
    with target.open("wb") as out:
        done = subprocess.run(["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot_id}", "-d", dsn],
                              stdout=out, stderr=subprocess.PIPE, env=env, check=False)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise CopyFailed(f"pg_dump: {done.stderr.decode(errors='replace').strip()}")


def restore_postgres(url: URL, backup: Path) -> None:
    """`pg_restore` of `backup` into the database at `url`, in one transaction (all or nothing); objects of an
    empty schema already there (`ketnap init`) are dropped first.

    Raises: CopyFailed.
    """
    dsn, env = _libpq(url)
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           "--exit-on-error", "--single-transaction", "-d", dsn, str(backup)],
                          capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise CopyFailed(f"pg_restore: {done.stderr.decode(errors='replace').strip()}")
