"""Persistence: SQLModel tables, the event store, projections, the unit of work, Alembic migrations."""
