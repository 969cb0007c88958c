"""Engines for SQLite (the default) and PostgreSQL; built by the entry points, never at import time.

SQLite: a new database file is created 0600 (owner only); WAL so readers do not block the writer,
`synchronous=NORMAL`, foreign keys on, a busy timeout,
and `BEGIN IMMEDIATE` so a write transaction takes the lock before it reads (no upgrade deadlocks). PostgreSQL
waits for a lock no longer than the same busy timeout (`lock_timeout`). A lock still held after it, and a full
disk, are raised as the storage errors of storage/failures.py, never as a driver's OperationalError.

PostgreSQL connections are not pinged before each use (a round trip per transaction: a sixth of a step's): a
connection the server closed while it sat in the pool (a restart, an idle timeout, `pg_terminate_backend`) has
a readable socket, which `_drop_closed` sees without a round trip and replaces before the pool hands it out.
One that died silently (a network cut) fails its first statement; the error invalidates the pool, so the next
transaction starts on new connections, and `pool_recycle` bounds how long a connection is kept at all.
"""

import json
import os
import select
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError

from storage import driver_sql, failures
from storage.driver_sql import DriverStatement

BUSY_TIMEOUT_MS = 10_000  # config.yaml `database.busy_timeout_ms` for the entry points
POOL_RECYCLE_SECONDS = 1800  # a PostgreSQL connection is replaced after this long, used or not
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def json_loads(text: Any) -> Any:
    """orjson's decoder (about twice the standard library's speed, and every step reads its whole stream: two
    JSON columns per event), with `json.loads` for what orjson refuses and the standard library accepts
    (NaN, integers beyond 64 bits), so that every stored value still reads back."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def json_dumps(value: Any) -> str:
    """orjson's encoder (a fifth of the standard library's cost; every step writes two JSON columns), with
    `json.dumps` for what orjson refuses (keys that are not strings, integers beyond 64 bits). Like pydantic's
    JSON mode, and unlike `json.dumps`, a NaN or infinity is written as null: PostgreSQL refuses them in JSON.
    Keys sorted and no spaces: an event's payload is then stored as its canonical text, which the audit hashes
    as it is read (states/hashing.py `stored_text_hash`)."""
    try:
        return orjson.dumps(value, option=_AS_JSON_DUMPS).decode()
    except TypeError:
        return json.dumps(value)


# Dates, dataclasses and subclasses go to json.dumps, which refuses or writes them as it always has.
_AS_JSON_DUMPS = (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                  | orjson.OPT_PASSTHROUGH_SUBCLASS)


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist (connecting would create it empty), else None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri") or parsed.database in (None, "",
                                                                                                ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path.resolve()


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, retry_after_seconds: int | None = None,
                full_retry_after_seconds: int | None = None, pool_size: int | None = None,
                max_overflow: int | None = None, **kwargs: Any) -> Engine:
    """Create the engine for `url` (sqlite:///file.db or postgresql+psycopg://...).

    `busy_timeout_ms`: how long a statement waits for another writer's lock before DatabaseBusy; the two
    `retry_after` numbers are the hints those errors carry for clients (HTTP `Retry-After`). `pool_size` and
    `max_overflow`: the connections one process keeps and may add under load (PostgreSQL; SQLite writes through
    one connection anyway).
    """
    parsed = make_url(url)
    hints = {k: v for k, v in ((failures.RETRY_AFTER, retry_after_seconds),
                               (failures.FULL_RETRY_AFTER, full_retry_after_seconds)) if v is not None}
    if parsed.get_backend_name() == "sqlite":
        create_private_file(parsed.database)
        kwargs.setdefault("json_deserializer", json_loads)
        kwargs.setdefault("json_serializer", json_dumps)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
                               **kwargs)
        _configure_sqlite(engine, busy_timeout_ms)
    else:
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args = {"options": f"-c lock_timeout={int(busy_timeout_ms)}"} if parsed.get_backend_name() == \
            "postgresql" else {}
        kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
        kwargs.update({k: v for k, v in (("pool_size", pool_size), ("max_overflow", max_overflow)) if v is not None})
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        event.listen(engine, "checkout", _drop_closed)
    _classify_errors(engine, hints)
    return engine


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """An idle connection has nothing to read: if its socket is readable, the server has closed it (or sent its
    last words before doing so). DisconnectionError makes the pool discard it and hand out a new one."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError("the connection is closed")
    try:
        fileno = dbapi_connection.fileno()
    except Exception as err:  # noqa: BLE001 - a connection without a socket is no use either
        raise DisconnectionError("the connection has no socket") from err
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection while it was idle")


def _classify_errors(engine: Engine, hints: dict[str, int]) -> None:
    """Every connection carries the Retry-After hints; every error Core sees is classified (storage/failures.py)."""
    @event.listens_for(engine, "connect")
    def _hints(_dbapi_connection: Any, record: Any) -> None:
        record.info.update(hints)

    @event.listens_for(engine, "handle_error", retval=True)
    def _classify(ctx: ExceptionContext) -> BaseException | None:
        return failures.classify(ctx.original_exception, failures.hints_of(ctx.connection) or hints)


def create_private_file(database: str | None) -> None:
    """Create a new SQLite file with mode 0600 (owner only, whatever the umask) before SQLite opens it: it holds
    candidates' personal data. SQLite gives its -wal and -shm files the mode of the database file, so they are
    0600 too. An existing file keeps the mode its operator gave it; an in-memory database has no file."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except OSError:
        return  # no such folder, no right to write: SQLite's own error says so when it connects


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (*SQLITE_PRAGMAS, f"PRAGMA busy_timeout={int(busy_timeout_ms)}"):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        # On the driver: every step begins a transaction, and exec_driver_sql costs a third of it.
        driver_sql.statement(conn, f"begin {mode}", lambda d: DriverStatement(text(f"BEGIN {mode}"), d)
                             ).execute(conn, {}, autobegin=False).close()
