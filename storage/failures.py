"""The one place where driver errors become storage errors a user can be told about (issue 11, item 6).

A lock held longer than the busy timeout and a full disk reach SQLAlchemy as OperationalError with a
driver-specific code; `classify` names them DatabaseBusy and StorageFull for every caller. The engine's
`handle_error` hook (storage/engine.py) and the driver path (storage/driver_sql.py) both call it, so no caller
inspects a driver error itself. Any other error is left as it was.
"""

import errno
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc

from storage.errors import DatabaseBusy, StorageFull, StorageUnavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Keys, in a pooled connection's `info`, of the Retry-After hints the engine was made with (config.yaml
# `database`); the defaults are for engines made without them (tests, benchmarks).
RETRY_AFTER, FULL_RETRY_AFTER = "ketnap.retry_after", "ketnap.full_retry_after"
DEFAULTS = {RETRY_AFTER: 5, FULL_RETRY_AFTER: 300}

_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_FULL = 5, 6, 13
_PG_BUSY = {"55P03": "lock_not_available", "40001": "serialization_failure", "40P01": "deadlock_detected"}
_PG_FULL = {"53100": "disk_full"}
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def hints_of(conn: Any) -> Mapping[str, Any] | None:
    """The hints of a SQLAlchemy Connection, or None when it can no longer tell (closed, invalidated)."""
    try:
        return conn.info if conn is not None else None
    except Exception:  # noqa: BLE001 - a closed or invalidated connection only loses the hint
        return None


def _driver_error(err: BaseException) -> BaseException:
    """The DBAPI exception under SQLAlchemy's wrapper (`orig`), or `err` itself."""
    return getattr(err, "orig", None) or err


def classify(err: BaseException, info: Mapping[str, Any] | None = None) -> StorageUnavailable | None:
    """The storage error `err` means, or None when it is none of them.

    `info` is the connection's info dict: the Retry-After hints the engine was made with (storage/engine.py).
    """
    if isinstance(err, StorageUnavailable):
        return err
    found = _driver_error(err)
    hints = {**DEFAULTS, **(info or {})}
    retry_after, full_after = int(hints[RETRY_AFTER]), int(hints[FULL_RETRY_AFTER])
    if isinstance(err, sa_exc.TimeoutError):  # the pool: every connection of this process busy for pool_timeout
        return DatabaseBusy(f"every database connection of this server is in use: {err}", retry_after)
    if isinstance(found, OSError) and found.errno in _NO_SPACE:
        return StorageFull(f"no space left on the device ({found.strerror})", full_after)
    if isinstance(found, sqlite3.Error):
        code = getattr(found, "sqlite_errorcode", None)
        base = code & 0xFF if isinstance(code, int) else None
        text = str(found).lower()
        if base in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text or "table is locked" in text:
            return DatabaseBusy(f"SQLite: {found}", retry_after)
        if base == _SQLITE_FULL or "disk is full" in text:
            return StorageFull(f"SQLite: {found}", full_after)
        return None
    sqlstate = getattr(found, "sqlstate", None)  # psycopg 3
    if sqlstate in _PG_BUSY:
        return DatabaseBusy(f"PostgreSQL {_PG_BUSY[sqlstate]}: {str(found).strip()}", retry_after)
    if sqlstate in _PG_FULL:
        return StorageFull(f"PostgreSQL disk_full: {str(found).strip()}", full_after)
    return None


@dataclass(frozen=True)
class BusyRetry:
    """Try a piece of work again while the database is busy: `attempts` tries in all, pausing `backoff_seconds`
    and then twice as long each time (config.yaml `database`). Only DatabaseBusy is retried: the work's
    transaction rolled back, so trying again writes nothing twice; a full disk is not freed by waiting."""

    attempts: int = 1
    backoff_seconds: float = 0.0
    sleep: Callable[[float], None] = time.sleep

    def run(self, work: Callable[[], T], what: str = "a write") -> T:
        """Raises: DatabaseBusy after the last try."""
        pause = self.backoff_seconds
        for attempt in range(1, self.attempts):
            try:
                return work()
            except DatabaseBusy as err:
                logger.info("%s: %s; trying again in %.2f s (%d/%d)", what, err, pause, attempt, self.attempts)
                self.sleep(pause)
                pause *= 2
        return work()


NO_RETRY = BusyRetry()
