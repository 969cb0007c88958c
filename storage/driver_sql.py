"""Core statements compiled once per kind of dialect and run straight on the DBAPI cursor: the step's hot path.

`Connection.execute` costs several times the SQLite statement itself (execution context, cache-key look-up,
result metadata, events). The few statements every step runs are compiled here once per dialect, with the
dialect's own bind and result processors, so the SQL and the values stored and read back are exactly what
Core produces. They run on the caller's connection, inside its transaction; a driver error is re-raised as
the SQLAlchemy exception Core would have raised (IntegrityError, OperationalError, ...), or the storage error
of storage/failures.py that the engine's hook would have made of it.
"""

import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, exc
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from storage import failures

Processor = Callable[[Any], Any] | None


class DriverStatement:
    def __init__(self, statement: ClauseElement, dialect: Dialect, column_keys: Sequence[str] | None = None,
                 result_types: Sequence[Any] = ()) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect,
                                                       column_keys=list(column_keys) if column_keys else None))
        self.sql = compiled.string
        self.dialect = dialect
        self._positional = bool(dialect.positional)
        names = list(compiled.positiontup or ()) if self._positional else list(compiled.binds)
        if column_keys is not None and not set(names) <= set(column_keys):
            # a column default Core would compute per execution: this path does not run those
            raise ValueError(f"statement needs values Core fills in itself: {set(names) - set(column_keys)}")
        self._binds = [(n, _bind_processor(compiled.binds[n].type.dialect_impl(dialect), dialect)) for n in names]
        # values the statement carries itself, such as the OFFSET 0 SQLite adds to a bound LIMIT
        self._fixed = {n: compiled.binds[n].value for n in names if not compiled.binds[n].required}
        self._result_types = list(result_types)
        self._result_processors: list[Processor] | None = None
        self._error = dialect.loaded_dbapi.Error

    def _params(self, values: Mapping[str, Any]) -> Any:
        if self._fixed:
            values = {**self._fixed, **values}
        if self._positional:
            return tuple([p(values[n]) if p else values[n] for n, p in self._binds])
        return {n: p(values[n]) if p else values[n] for n, p in self._binds}

    def _fail(self, err: Exception, params: Any, conn: Connection) -> Exception:
        """What Core would raise: a lock or a full disk as storage/failures.py names it, else SQLAlchemy's."""
        found = failures.classify(err, failures.hints_of(conn))
        return found or exc.DBAPIError.instance(self.sql, params, err, self._error, dialect=self.dialect)

    def _cursor(self, conn: Connection, autobegin: bool = True) -> Any:
        if autobegin and not conn.in_transaction():
            conn.begin()  # what Core's execute does first (autobegin): the same BEGIN, the same locks
        return conn.connection.cursor()

    def execute(self, conn: Connection, values: Mapping[str, Any], autobegin: bool = True) -> Any:
        """Run once with `values` (keyed by bind name); returns the DBAPI cursor. `autobegin=False` only for
        the statement that begins the transaction itself (storage/engine.py)."""
        params = self._params(values)
        cursor = self._cursor(conn, autobegin)
        try:
            cursor.execute(self.sql, params)
        except self._error as err:
            raise self._fail(err, params, conn) from err
        return cursor

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        params = [self._params(r) for r in rows]
        cursor = self._cursor(conn)
        try:
            cursor.executemany(self.sql, params)
        except self._error as err:
            raise self._fail(err, params, conn) from err
        finally:
            cursor.close()

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of a SELECT, each value passed through its column type's result processor."""
        cursor = self.execute(conn, values)
        try:
            fetched = cursor.fetchall()
            processors = self._result_processors
            if processors is None:
                coltypes = [d[1] for d in cursor.description]
                types = self._result_types or [None] * len(coltypes)
                processors = self._result_processors = [
                    t.dialect_impl(self.dialect).result_processor(self.dialect, c) if t is not None else None
                    for t, c in zip(types, coltypes, strict=True)]
        finally:
            cursor.close()
        active = [(i, p) for i, p in enumerate(processors) if p is not None]
        if not active:
            return [tuple(r) for r in fetched]
        processed = []
        for r in fetched:
            row = list(r)
            for i, p in active:
                row[i] = p(row[i])
            processed.append(tuple(row))
        return processed


def _bind_processor(impl: Any, dialect: Dialect) -> Processor:
    """The type's own bind processor, except SQLite's for dates and times in their default storage format:
    those build a dict and a %-format per value, and every step binds four or five. `isoformat` writes the
    same text for an exact date or datetime; anything else (a date given for a datetime, a custom format)
    goes to SQLAlchemy's own. tests/unit/storage/test_driver_binds.py compares the two."""
    own: Processor = impl.bind_processor(dialect)
    if dialect.name != "sqlite" or own is None:
        return own
    if isinstance(impl, sqlite.DATETIME) and impl._storage_format == sqlite.DATETIME._storage_format:
        def as_datetime(value: Any) -> Any:
            if type(value) is datetime:  # the zone is dropped (the first 26 characters), as SQLAlchemy drops it
                return value.isoformat(" ", "microseconds")[:26]
            return own(value)
        return as_datetime
    if isinstance(impl, sqlite.DATE) and impl._storage_format == sqlite.DATE._storage_format:
        def as_date(value: Any) -> Any:
            return value.isoformat() if type(value) is date else own(value)
        return as_date
    return own


_BY_SIGNATURE: dict[tuple[Any, ...], dict[str, DriverStatement]] = {}
_BY_DIALECT: "weakref.WeakKeyDictionary[Dialect, dict[str, DriverStatement]]" = weakref.WeakKeyDictionary()


def _signature(dialect: Dialect) -> tuple[Any, ...]:
    """What a compiled statement and its processors depend on. Engines made alike (make_engine: one per
    database, one per test, one per benchmark run) share their statements instead of compiling them again;
    the set of signatures is small and fixed, so the cache does not grow with the engines made."""
    return (type(dialect), dialect.paramstyle, dialect.server_version_info,
            getattr(dialect, "_json_serializer", None), getattr(dialect, "_json_deserializer", None))


def statement(conn: Connection, name: str, build: Callable[[Dialect], DriverStatement]) -> DriverStatement:
    """The statement called `name` for the connection's kind of dialect, compiled on first use."""
    dialect = conn.dialect
    known = _BY_DIALECT.get(dialect)
    if known is None:
        known = _BY_DIALECT[dialect] = _BY_SIGNATURE.setdefault(_signature(dialect), {})
    found = known.get(name)
    if found is None:
        found = known[name] = build(dialect)
    return found
