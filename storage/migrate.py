"""Create or upgrade the schema with Alembic, which owns it on SQLite and PostgreSQL alike.

Every command checks that the schema is current (`current_revision() == head_revision()`); that check reads the
`alembic_version` table and the migrations' own `revision`/`down_revision` lines without importing Alembic, so a
command that only reads or records a step does not pay for Alembic and every migration module (issue 14).
Alembic itself is imported by what changes the schema: `upgrade` and `revision`."""

import ast
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which storage/migrations/env.py keeps


def alembic_config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to `revision`, then give organisations recorded before the organisation log their
    `created` event and fold, once, the report rows of a log recorded before steps kept them
    (storage/report_model.py `adopt`), in the same transaction; running it again does nothing."""
    from alembic import command

    from storage import organisations, report_model  # the report's tables: for what changes the schema only

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
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        heads = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return ",".join(sorted(heads)) or None


def head_revision() -> str | None:
    """The newest revision(s) the code knows, in the same form as `current_revision`: those no migration names
    as its `down_revision` (Alembic's heads; tests/integration/test_migrations.py keeps the two equal)."""
    return ",".join(sorted(_heads(MIGRATIONS / "versions"))) or None


@cache
def _heads(versions: Path) -> frozenset[str]:
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in versions.glob("*.py"):
        names = _constants(path)
        revisions.add(str(names["revision"]))
        down = names.get("down_revision")  # None, one revision, or a tuple of them (a merge)
        downs.update((down,) if isinstance(down, str) else (str(d) for d in down) if isinstance(down, tuple) else ())
    return frozenset(revisions - downs)


def _constants(path: Path) -> dict[str, object]:
    """A migration's module-level `name = literal` assignments, read without running the module: from its head,
    before the first function (every command checks the schema; parsing whole migrations was most of it)."""
    text = path.read_text(encoding="utf-8")
    end = text.find("\ndef ")
    try:
        body = ast.parse(text if end < 0 else text[:end]).body
    except SyntaxError:  # a head that does not stand alone: the whole module
        body = ast.parse(text).body
    found: dict[str, object] = {}
    for node in body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found
