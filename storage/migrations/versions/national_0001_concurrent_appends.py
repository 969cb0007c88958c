"""PostgreSQL: appends no longer queue on one lock; readers following the log wait for appends in flight (issue 14)

Until now every append took one exclusive advisory lock until its commit, so that global positions were handed
out in commit order: every append of the nation waited in one line. Now the position default itself takes that
lock in SHARED mode before it draws the next value (appends never wait for each other), and a reader that
follows the log by position asks `ketnap_event_head()` how far it may read: the function takes the lock in
EXCLUSIVE mode for an instant, which waits until every append in flight has committed or rolled back, and reads
the last committed position under it. Every position up to that head belongs to a finished transaction, and
every position drawn later is greater, so a reader that reads only up to the head never skips a committed event
(ARCHITECTURE.md decision 9). The lock is the same key as before (storage/event_store.py APPEND_LOCK_KEY).

Nothing stored changes: the default of `event.position` and two functions. SQLite has one writer at a time and
needs neither.

Revision ID: national_0001
Revises: 0011
"""
from collections.abc import Sequence

from alembic import op

revision: str = "national_0001"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = ("national",)
depends_on: str | Sequence[str] | None = None

LOCK_KEY = 0x6B65746E6170  # storage/event_store.py APPEND_LOCK_KEY, the key the exclusive lock used

NEXT_POSITION = f"""
CREATE OR REPLACE FUNCTION ketnap_event_position() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});  -- held to the end of the appending transaction
    RETURN nextval('event_position_seq');
END $$
"""

HEAD = f"""
CREATE OR REPLACE FUNCTION ketnap_event_head() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head bigint;
BEGIN
    PERFORM pg_advisory_lock({LOCK_KEY});  -- waits for every append in flight; new ones wait for us
    BEGIN
        SELECT max(position) INTO head FROM event;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        PERFORM pg_advisory_unlock({LOCK_KEY});
        RAISE;
    END;
    PERFORM pg_advisory_unlock({LOCK_KEY});
    RETURN coalesce(head, 0);
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NEXT_POSITION)
    op.execute(HEAD)
    op.execute("ALTER TABLE event ALTER COLUMN position SET DEFAULT ketnap_event_position()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE event ALTER COLUMN position SET DEFAULT nextval('event_position_seq'::regclass)")
    op.execute("DROP FUNCTION IF EXISTS ketnap_event_head()")
    op.execute("DROP FUNCTION IF EXISTS ketnap_event_position()")
