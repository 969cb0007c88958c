"""Alembic owns the schema on SQLite and PostgreSQL: the migrated schema is exactly the SQLModel tables, and
`ketnap init` on a database that is already at the newest revision changes nothing."""

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel
from typer.testing import CliRunner

import storage.tables  # registers the tables on SQLModel.metadata
from storage import migrate
from storage.engine import make_engine
from tests.integration.support import FULL_PATH, record_path, snapshot
from workflow.cli.main import app as cli
from workflow.service import Ketnap


def _declared(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    """Everything but the indexes only a migration makes: the expression indexes (storage/tables.py
    EXPRESSION_INDEXES) and PostgreSQL's trigram index on the folded names (migration pages_0001)."""
    return not (kind == "index" and (name in storage.tables.EXPRESSION_INDEXES or name == "ix_candidate_search_trgm"))


def test_the_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                         "include_object": _declared})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []
    assert {"event", "candidate", "deadline", "organisation"} <= set(SQLModel.metadata.tables)


def test_upgrading_again_is_harmless(ketnap: Ketnap) -> None:
    record_path(ketnap, FULL_PATH[:5])
    before = snapshot(ketnap.engine)

    migrate.upgrade(ketnap.engine)

    assert migrate.current_revision(ketnap.engine) == migrate.head_revision()
    assert snapshot(ketnap.engine) == before


def test_ketnap_init_twice_keeps_the_data(ketnap: Ketnap, db_url: str) -> None:
    record_path(ketnap, FULL_PATH[:5])
    before = snapshot(ketnap.engine)
    runner = CliRunner()

    first = runner.invoke(cli, ["--db", db_url, "--json", "init"])
    second = runner.invoke(cli, ["--db", db_url, "--json", "init"])

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert json.loads(first.stdout)["revision"] == json.loads(second.stdout)["revision"] == migrate.head_revision()
    assert snapshot(ketnap.engine) == before


def test_the_schema_check_without_alembic_reads_what_alembic_reads(engine: Engine) -> None:
    """Every command compares the schema's revision with the code's without importing Alembic (issue 14); both
    halves must say what Alembic says, or a command would refuse a current schema or accept an old one."""
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        stored = MigrationContext.configure(conn).get_current_heads()
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()

    assert migrate.current_revision(engine) == ",".join(sorted(stored))
    assert migrate.head_revision() == ",".join(sorted(heads))
    assert len(heads) > 1  # the feature branches: a check that read one head would not notice the others


def test_an_empty_or_older_schema_is_not_current(tmp_path: Path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    older = make_engine(f"sqlite:///{tmp_path / 'older.db'}")
    migrate.upgrade(older, "0011")  # before the feature branches

    assert migrate.current_revision(empty) is None
    assert migrate.current_revision(older) == "0011" != migrate.head_revision()
    empty.dispose()
    older.dispose()
