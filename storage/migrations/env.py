"""Alembic environment: the schema is SQLModel.metadata; the connection is handed in by storage.migrate."""

from alembic import context
from sqlmodel import SQLModel

import storage.access_tables  # noqa: F401 - the read-access log (issue 11, item 7)
import storage.history_tables  # noqa: F401 - historical records of past periods (issue 13, item 5)
import storage.idempotency  # noqa: F401 - idempotency keys of step requests (issue 11)
import storage.reminder_tables  # noqa: F401 - outbox, contacts, scheduler lock (issue 3)
import storage.report_tables  # noqa: F401 - plans, membership, training classes, report read model (issue 6)
import storage.tables  # noqa: F401 - registers the tables on SQLModel.metadata
import storage.user_history_tables  # noqa: F401 - users' dated roles and scopes (issue 11)
import storage.user_tables  # noqa: F401 - users, scopes and API tokens (issue 5)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
