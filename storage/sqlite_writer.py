"""One write connection per service on a SQLite file, kept open and taken in turn by the process's threads.

SQLite admits one writer at a time anyway (`BEGIN IMMEDIATE`), so writers of one process queue on a lock
instead of on SQLite's busy timeout, and a step does not pay a pool check-out and check-in, which cost twice
the BEGIN and COMMIT themselves. Other processes still meet at SQLite's lock. Reads keep using the pool.
"""

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, event


class SqliteWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.RLock()  # re-entered, `begin` refuses a nested write at once
        self._conn: Connection | None = None
        self._pid = os.getpid()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The write connection inside BEGIN IMMEDIATE; commits on success, rolls back on any error."""
        with self._lock:
            conn = self._connection()
            with conn.begin():
                yield conn

    def _connection(self) -> Connection:
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            conn = self._conn = self.engine.connect()
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def _forget_after_fork(self) -> None:
        """In a forked child: drop (never use, never close) the parent's connection and lock."""
        self._conn, self._pid, self._lock = None, os.getpid(), threading.RLock()


_LIVE: "weakref.WeakSet[SqliteWriter]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for writer in list(_LIVE):
        writer._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)  # a syscall per step would cost more than a check


def writer_for(engine: Engine) -> SqliteWriter:
    """A writer for `engine`; `engine.dispose()` closes its connection (the writer itself may die first)."""
    writer = SqliteWriter(engine)
    _LIVE.add(writer)
    ref = weakref.ref(writer)

    def on_dispose(_engine: Engine) -> None:
        alive = ref()
        if alive is not None:
            alive.close()

    event.listen(engine, "engine_disposed", on_dispose)
    return writer
