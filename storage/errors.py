"""Storage errors that callers are expected to handle."""


class ConcurrencyConflictError(Exception):
    """Someone else recorded a step for this candidate first; nothing of ours was written."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None = None) -> None:
        found = f", it is now at version {actual_version}" if actual_version is not None else ""
        super().__init__(
            f"candidate {stream_id} changed while this step was being recorded (expected version "
            f"{expected_version}{found}); reload it and try again"
        )
        self.stream_id, self.expected_version, self.actual_version = stream_id, expected_version, actual_version


class DuplicateRowError(Exception):
    """A row with the same key or unique value is already stored. On PostgreSQL the transaction is aborted:
    the caller can only roll it back."""


class IdempotencyKeyReused(Exception):
    """A request repeated an idempotency key with another body; the first request's answer stands."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the idempotency key {key!r} was already used for another request; use a new key "
                         "for a new request")
        self.key = key


class StorageUnavailable(Exception):
    """The database could not take the work now (issue 11, item 6). The transaction was rolled back: nothing of
    it was written, and the same request may be sent again. `retry_after`: seconds a client should wait first."""

    def __init__(self, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


class DatabaseBusy(StorageUnavailable):
    """Another writer held the lock longer than the busy timeout (SQLite `database is locked`; PostgreSQL
    lock_not_available, a serialization failure or a deadlock)."""


class StorageFull(StorageUnavailable):
    """The disk or the database is full (SQLITE_FULL, ENOSPC, PostgreSQL disk_full)."""


class CopyFailed(Exception):
    """pg_dump or pg_restore stopped; the message carries what it printed."""
