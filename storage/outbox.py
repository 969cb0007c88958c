"""The outbox table: written by the sweep, claimed and settled by dispatchers.

Claiming: PostgreSQL locks due rows with `FOR UPDATE SKIP LOCKED`, so several processes take disjoint batches;
SQLite serialises writers with `BEGIN IMMEDIATE` (storage/engine.py). Either way a claimed row is leased to
one claim until `lease_until` (on the database's clock): a worker that dies leaves its rows to be claimed again
when the lease ends. While a batch is handled, its rows' leases are renewed every
third of the lease (SqlOutbox.keeping), each UPDATE checking that the row still carries this claim and has not
expired; a row is handed to a channel only while at least a third of its lease is surely left (`holds`). So a
message goes to a channel only from the current owner of its claim, whose lease does not run out during the
send while its process lives and reaches the database. Settling a row checks the claim too, so a worker whose
claim was taken over cannot overwrite the outcome of the one that took over (ANCHORS.md B.5.4).
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Interval, and_, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from notifications.outbox import OutboxItem
from storage.failures import NO_RETRY, BusyRetry
from storage.paging import DEFAULT_LIMIT, KeyOrder, Page
from storage.reminder_tables import DigestRunRow, OutboxRow, SweepCursorRow
from storage.tables import DeadlineRow

logger = logging.getLogger(__name__)

OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
DEADLINES = DeadlineRow.__table__  # type: ignore[attr-defined]
CURSORS = SweepCursorRow.__table__  # type: ignore[attr-defined]
DIGEST_RUNS = DigestRunRow.__table__  # type: ignore[attr-defined]
RETRYABLE = ("pending", "failed")


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; every value we bind is converted to UTC first."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _insert_into(conn: Connection, table: Any) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


def _insert(conn: Connection) -> Any:
    return _insert_into(conn, OUTBOX)


def existing_keys(conn: Connection, deadline_ids: Sequence[int]) -> set[str]:
    if not deadline_ids:
        return set()
    return set(conn.execute(select(OUTBOX.c.key).where(OUTBOX.c.deadline_id.in_(deadline_ids))).scalars())


def insert_new(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert rows whose key is new; a key another process wrote first is skipped. Returns rows written."""
    if not rows:
        return 0
    ordered = sorted(rows, key=lambda r: r["key"])  # one order for every process: no deadlock on PostgreSQL
    # Without RETURNING the driver's executemany runs one short statement per row (pipelined by psycopg) and
    # sums the rows written (`preserve_rowcount`: SQLAlchemy drops an executemany's count on psycopg otherwise);
    # RETURNING made SQLAlchemy build one statement of thousands of parameters that psycopg parsed again for
    # every batch, most of a sweep's time (issue 14).
    stmt = _insert(conn).on_conflict_do_nothing(index_elements=["key"]).execution_options(preserve_rowcount=True)
    return int(conn.execute(stmt, ordered).rowcount)


def cancel_moot(conn: Connection) -> int:
    """Cancel waiting rows whose deadline was closed, moved to another due date, or removed."""
    still_owed = exists().where(DEADLINES.c.id == OUTBOX.c.deadline_id, DEADLINES.c.status == "open",
                                DEADLINES.c.due_on == OUTBOX.c.due_on)
    result = conn.execute(update(OUTBOX).where(
        OUTBOX.c.status.in_(RETRYABLE), OUTBOX.c.deadline_id.is_not(None), ~still_owed,
    ).values(status="cancelled", lease_until=None, last_error="the deadline was closed or its due date changed"))
    return int(result.rowcount or 0)


def _item(row: Any) -> OutboxItem:
    return OutboxItem(id=row.id, key=row.key, kind=row.kind, slot=row.slot, role=row.role,
                      deadline_id=row.deadline_id, due_on=row.due_on, org=row.org, fire_at=utc(row.fire_at),
                      late=bool(row.late), attempts=row.attempts,
                      done=frozenset(c for c in (row.channels_done or "").split(",") if c),
                      context=dict(row.context or {}), claim=row.claimed_by or "")


def db_now(conn: Connection) -> Any:
    """The database server's clock, as an SQL expression: every process compares leases with the same clock,
    whatever the clocks of their hosts say (several schedulers on several hosts share one outbox)."""
    if conn.dialect.name == "postgresql":
        return func.clock_timestamp()
    return func.strftime("%Y-%m-%d %H:%M:%f", "now")  # SQLite: UTC, as SQLAlchemy stores a DateTime there


def db_later(conn: Connection, lease: timedelta) -> Any:
    """The database clock plus `lease`."""
    if conn.dialect.name == "postgresql":
        return func.clock_timestamp() + literal(lease, Interval())
    return func.strftime("%Y-%m-%d %H:%M:%f", "now", f"{lease.total_seconds():+.6f} seconds")


class SqlOutbox:
    """The `Outbox` port (notifications/outbox.py) on the outbox table.

    Each claim writes a fresh fencing value into `claimed_by` (`worker#token`); every later write about the row
    (renew, settle, release) compares it, so a worker whose claim ran out and was taken over changes nothing.
    Leases are measured on the database's clock; this process also knows, by its own monotonic clock taken
    before each claim or renewal was sent, a moment before which its lease cannot have run out (`holds`)."""

    def __init__(self, engine: Engine, worker: str, lease: timedelta, retry: BusyRetry = NO_RETRY) -> None:
        """`retry`: each claim and settlement is its own short transaction, tried again while the database is
        busy, so a message sent is marked sent even while a long import holds the lock for a moment."""
        self.engine, self.worker, self.lease, self.retry = engine, worker, lease, retry
        self._safe_until: dict[int, float] = {}  # row id -> monotonic time before which our lease is live
        self._lock = threading.Lock()

    def _leased(self, ids: Iterable[int], asked_at: float) -> None:
        with self._lock:
            self._safe_until.update((i, asked_at + self.lease.total_seconds()) for i in ids)

    def _forget(self, ids: Iterable[int]) -> None:
        with self._lock:
            for i in ids:
                self._safe_until.pop(i, None)

    def claim_due(self, now: datetime, limit: int) -> list[OutboxItem]:
        at = utc(now)
        claim = f"{self.worker}#{uuid.uuid4().hex[:12]}"

        def claim_rows() -> tuple[list[int], list[Any], float]:
            asked_at = time.monotonic()  # before the lease is written: it ends no earlier than this plus the lease
            with self.engine.begin() as conn:
                due = or_(and_(OUTBOX.c.status == "pending", OUTBOX.c.available_at <= at),
                          and_(OUTBOX.c.status == "sending", OUTBOX.c.lease_until <= db_now(conn)))
                query = select(OUTBOX.c.id).where(due).order_by(OUTBOX.c.available_at, OUTBOX.c.id).limit(limit)
                locked = query.with_for_update(skip_locked=True) if conn.dialect.name == "postgresql" else query
                ids = list(conn.execute(locked).scalars())
                if not ids:
                    return [], [], asked_at
                return ids, list(conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(
                    status="sending", attempts=OUTBOX.c.attempts + 1, lease_until=db_later(conn, self.lease),
                    claimed_by=claim).returning(*OUTBOX.c)).all()), asked_at

        ids, rows, asked_at = self.retry.run(claim_rows, "outbox claim")
        self._leased(ids, asked_at)
        return sorted((_item(r) for r in rows), key=lambda i: ids.index(i.id))

    def _owned(self, item: OutboxItem) -> Any:
        return and_(OUTBOX.c.id == item.id, OUTBOX.c.claimed_by == item.claim, OUTBOX.c.status == "sending")

    def renew(self, items: list[OutboxItem]) -> set[int]:
        """Extend the lease of those `items` whose claim is still ours and not expired; returns their ids. One
        statement compares the claim and the expiry: a row is extended only if no other worker can have
        claimed it since."""
        if not items:
            return set()

        def extend() -> tuple[set[int], float]:
            asked_at = time.monotonic()
            with self.engine.begin() as conn:
                return set(conn.execute(update(OUTBOX).where(
                    or_(*(self._owned(i) for i in items)), OUTBOX.c.lease_until > db_now(conn),
                ).values(lease_until=db_later(conn, self.lease)).returning(OUTBOX.c.id)).scalars()), asked_at

        kept, asked_at = self.retry.run(extend, "outbox lease")
        self._leased(kept, asked_at)
        self._forget(i.id for i in items if i.id not in kept)
        return kept

    def holds(self, item: OutboxItem) -> bool:
        """True while at least a third of the lease is surely left (by this process's clock, from before the last
        claim or renewal was sent): a send that starts now ends under a live lease, renewed by `keeping`."""
        with self._lock:
            safe_until = self._safe_until.get(item.id)
        return safe_until is not None and time.monotonic() < safe_until - self.lease.total_seconds() / 3

    @contextmanager
    def keeping(self, batch: list[OutboxItem]) -> Iterator[None]:
        """Renew the leases of the rows of `batch` not settled yet, every third of the lease, while the body runs:
        a batch or a send slower than the lease keeps its claim while this process lives and reaches the
        database."""
        if not batch:
            yield
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.lease.total_seconds() / 3):
                with self._lock:
                    waiting = [i for i in batch if i.id in self._safe_until]
                if not waiting:
                    return
                try:
                    kept = self.renew(waiting)
                except Exception:  # a database hiccup: the next beat tries again, within the lease
                    logger.exception("outbox: cannot renew the lease of %d row(s)", len(waiting))
                    continue
                lost = sorted(i.key for i in waiting if i.id not in kept)
                if lost:
                    logger.error("outbox: the lease of %s ran out; another worker may take them", ", ".join(lost))

        keeper = threading.Thread(target=beat, name="outbox lease", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()

    def _settle(self, item: OutboxItem, **values: Any) -> None:
        self._forget([item.id])

        def settle() -> int:
            with self.engine.begin() as conn:
                return int(conn.execute(update(OUTBOX).where(self._owned(item)).values(**values)).rowcount)

        if not self.retry.run(settle, f"outbox {item.key}"):
            logger.warning("outbox %s: the claim was lost before it was settled (%s)", item.key, values)

    def mark_channel_done(self, item: OutboxItem, channel: str) -> None:
        def mark() -> None:
            with self.engine.begin() as conn:
                conn.execute(update(OUTBOX).where(self._owned(item))
                             .values(channels_done=",".join(sorted(item.done | {channel}))))
        self.retry.run(mark, f"outbox {item.key}")

    def mark_sent(self, item: OutboxItem, now: datetime, sent_to: str, org: str) -> None:
        self._settle(item, status="sent", sent_at=utc(now), sent_to=sent_to, org=org, lease_until=None,
                     problem=None)

    def retry_later(self, item: OutboxItem, at: datetime, reason: str) -> None:
        self._settle(item, status="pending", available_at=utc(at), lease_until=None, last_error=reason[:2000])

    def give_up(self, item: OutboxItem, reason: str, problem: str, org: str | None = None) -> None:
        values: dict[str, Any] = {"status": "failed", "lease_until": None, "last_error": reason[:2000],
                                  "problem": problem}
        if org is not None:
            values["org"] = org
        self._settle(item, **values)

    def cancel(self, item: OutboxItem, reason: str) -> None:
        self._settle(item, status="cancelled", lease_until=None, last_error=reason[:2000])

    def release(self, items: list[OutboxItem]) -> None:
        """Give back claimed rows not tried yet (a clean stop), without counting an attempt."""
        if not items:
            return
        self._forget(i.id for i in items)

        def give_back() -> None:
            with self.engine.begin() as conn:
                conn.execute(update(OUTBOX).where(or_(*(self._owned(i) for i in items))).values(
                    status="pending", lease_until=None, attempts=OUTBOX.c.attempts - 1))
        self.retry.run(give_back, "outbox release")


# --- what the CLI shows and does ------------------------------------------------------------------------------

OUTBOX_KEY = KeyOrder((OUTBOX.c.id,), (int,), descending=True)  # newest first: the primary key, ix_outbox_status_id


def list_rows(conn: Connection, statuses: Iterable[str] | None = None, limit: int = DEFAULT_LIMIT,
              cursor: str | None = None, offset: int = 0, count: bool = False) -> Page:
    """A page of outbox rows, newest first, after `cursor`; `count`: how many in all (on ix_outbox_status_id).

    Raises: BadCursor."""
    wanted = None if statuses is None else list(statuses)
    query = select(OUTBOX).order_by(*OUTBOX_KEY.order_by()).limit(limit + 1).offset(offset)
    if wanted is not None:
        query = query.where(OUTBOX.c.status.in_(wanted))
    if cursor:
        query = query.where(OUTBOX_KEY.after(OUTBOX_KEY.decode(cursor)))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        for name in ("fire_at", "created_at", "available_at", "lease_until", "sent_at"):
            if row[name] is not None:
                row[name] = utc(row[name])
    total = None
    if count:
        counted = select(func.count()).select_from(OUTBOX)
        if wanted is not None:
            counted = counted.where(OUTBOX.c.status.in_(wanted))
        total = int(conn.execute(counted).scalar() or 0)
    return OUTBOX_KEY.page(rows, limit, offset, total)


def get_row(conn: Connection, row_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(OUTBOX).where(OUTBOX.c.id == row_id)).first()
    return dict(row._mapping) if row else None


def requeue(conn: Connection, row_id: int, now: datetime) -> bool:
    """A failed row goes back to pending with a fresh retry budget; False if it is not failed."""
    result = conn.execute(update(OUTBOX).where(OUTBOX.c.id == row_id, OUTBOX.c.status == "failed").values(
        status="pending", attempts=0, available_at=utc(now), problem=None, lease_until=None, claimed_by=None))
    return bool(result.rowcount)


def requeue_missing_contact(conn: Connection, org: str, now: datetime) -> int:
    """Rows that failed because `org` had no contact are tried again once a contact is set."""
    result = conn.execute(update(OUTBOX).where(
        OUTBOX.c.status == "failed", OUTBOX.c.problem == "no_contact", OUTBOX.c.org == org,
    ).values(status="pending", attempts=0, available_at=utc(now), problem=None, lease_until=None))
    return int(result.rowcount or 0)


def counts(conn: Connection) -> dict[str, int]:
    return {str(status): int(n) for status, n in conn.execute(
        select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)).tuples()}


# --- how far the sweep has gone: its cursors over the log, the days whose digest was planned ------------------

def read_cursor(conn: Connection, name: str, now: datetime) -> int:
    """The last global position the pass `name` scanned; a new cursor starts at 0 (a second process creating
    it at the same moment is not an error)."""
    conn.execute(_insert_into(conn, CURSORS).values(name=name, position=0, updated_at=utc(now))
                 .on_conflict_do_nothing(index_elements=["name"]))
    return int(conn.execute(select(CURSORS.c.position).where(CURSORS.c.name == name)).scalar_one())


def advance_cursor(conn: Connection, name: str, position: int, now: datetime) -> None:
    """Only forward: a slower process that read less never moves the cursor back."""
    conn.execute(update(CURSORS).where(CURSORS.c.name == name, CURSORS.c.position < position)
                 .values(position=position, updated_at=utc(now)))


def digest_planned(conn: Connection, day: date) -> bool:
    return conn.execute(select(DIGEST_RUNS.c.day).where(DIGEST_RUNS.c.day == day)).first() is not None


def record_digest_run(conn: Connection, day: date, now: datetime, rows: int) -> None:
    """Mark `day`'s digests planned, so later sweeps that day skip the grouping; the first process wins."""
    conn.execute(_insert_into(conn, DIGEST_RUNS).values(day=day, created_at=utc(now), rows=rows)
                 .on_conflict_do_nothing(index_elements=["day"]))
