"""Fixtures for the storage and service tests; `db_url`, `engine`, `clock` and `app` come from tests/conftest.py
and run every test on a real SQLite file and on the real PostgreSQL."""

import pytest

from tests.integration.support import add_org_tree
from workflow.service import Ketnap


@pytest.fixture
def ketnap(app: Ketnap) -> Ketnap:
    """The app with the organisation tree of `support.ORG_TREE`."""
    add_org_tree(app)
    return app
