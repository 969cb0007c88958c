"""Shared fixtures: a real SQLite file per test, and a real PostgreSQL database per test run.

PostgreSQL tests read KETNAP_TEST_DATABASE_URL. Without it they skip with a visible reason, unless
KETNAP_REQUIRE_POSTGRES=1 (set by .ci/run), in which case a missing server fails the run.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage import migrate, report_model
from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from workflow.bootstrap import bootstrap
from workflow.service import Ketnap

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PG_URL_ENV = "KETNAP_TEST_DATABASE_URL"


def _postgres_or_skip() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if os.environ.get("KETNAP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{PG_URL_ENV} is not set but KETNAP_REQUIRE_POSTGRES=1", pytrace=False)
        pytest.skip(f"PostgreSQL tests need {PG_URL_ENV}")
    return url


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database for this test run on the configured server, dropped at the end. Under pytest-xdist
    (`make test`) each worker is a session of its own, so each worker has its own database."""
    base = make_url(_postgres_or_skip())
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"ketnap_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # a throwaway database: a commit need not wait for the disk (every connection to it, servers included)
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as err:  # noqa: BLE001
        if os.environ.get("KETNAP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"cannot create a test database on {base}: {err}", pytrace=False)
        pytest.skip(f"PostgreSQL at {base} is not usable: {err}")
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        # DELETE, not TRUNCATE: a few rows per table, where TRUNCATE makes new files for every table and index
        # (0.3 s a test). The append-only triggers and the foreign keys are off for this transaction only.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        for (sequence,) in conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")):
            conn.execute(text("SELECT setval(:s, 1, false)"), {"s": f'"{sequence}"'})
        report_model.adopt(conn, T0)  # what `ketnap init` leaves in a new database: the steps keep the report rows


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head for the whole run: every test gets a copy, not a fresh `migrate.upgrade`
    (Alembic through every branch costs about 0.3 s, a thousand times over)."""
    path = tmp_path_factory.mktemp("template") / "ketnap.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    path = tmp_path / "ketnap.db"
    shutil.copy2(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on a real SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("pg_url"))
    engine = make_engine(url)
    _truncate(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def app(engine: Engine, clock: FrozenClock) -> Ketnap:
    return bootstrap(settings(), engine=engine, clock=clock)
