"""Create or upgrade the schema with Alembic, which owns it on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from storage import organisations, report_model

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to `revision`, then give organisations recorded before the organisation log their
    `created` event and fold, once, the report rows of a log recorded before steps kept them
    (storage/report_model.py `adopt`), in the same transaction; running it again does nothing."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        if revision == "heads" and inspect(conn).has_table("org_event"):
            organisations.adopt_legacy(conn, datetime.now(UTC))
        if revision == "heads":
            report_model.adopt(conn, datetime.now(UTC))


def current_revision(engine: Engine) -> str | None:
    """The schema's revision(s), comma-separated when several feature branches are applied; None if empty."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str | None:
    """The newest revision(s) the code knows, in the same form as `current_revision`."""
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads())) or None


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the tables (a developer command)."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.revision(config, message=message, autogenerate=True)
