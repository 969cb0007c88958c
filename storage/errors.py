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
