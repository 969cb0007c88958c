"""Fixtures for the HTTP API and the web pages: an organisation tree, one user per role, their API tokens,
and candidates in two branches, on the `app` fixture (a real SQLite file and the real PostgreSQL)."""

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from tests.builders import AFTER_VOTE, PATH_TO_VOTE, PERSON
from tests.fakes import FrozenClock
from workflow import accounts
from workflow.bootstrap import bootstrap
from workflow.commands import AddOrganisation, RecordStep
from workflow.service import Ketnap
from workflow.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SECRET = {"KETNAP_SESSION_SECRET": "a-test-secret-of-at-least-thirty-two-characters"}
PASSWORD = "mật-khẩu-thử"  # noqa: S105 - a test password, with diacritics on purpose

# The branch's grassroots committee is not authorised to admit, so it votes (V2) and the commune decides (S10):
# the names match tests/builders.py, whose path decides with `decided_by: DU-XA`.
ORGS = [
    AddOrganisation(code="TINH", name="Tỉnh ủy", level="province"),
    AddOrganisation(code="DU-XA", name="Đảng ủy xã", level="commune", parent="TINH"),
    AddOrganisation(code="DU-CS", name="Đảng ủy cơ sở trường học", level="grassroots", parent="DU-XA"),
    AddOrganisation(code="CB-01", name="Chi bộ Giáo viên", level="branch", parent="DU-CS"),
    AddOrganisation(code="CB-02", name="Chi bộ Học sinh", level="branch", parent="DU-CS"),
]
USERS = {  # username: (role, organisations)
    "sec_a": ("secretary", ["CB-01"]),
    "sec_b": ("secretary", ["CB-02"]),
    "committee": ("committee", ["DU-XA"]),
    "auditor": ("auditor", ["TINH"]),
    "admin": ("admin", ["TINH"]),
}


@dataclass
class Env:
    """Everything a web test needs: the service, the application, a client, tokens and seeded candidates."""

    ketnap: Ketnap
    web: FastAPI
    client: TestClient
    clock: FrozenClock
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def seed(self, org: str, until: str | None, name: str = PERSON["full_name"]) -> str:
        """A candidate in `org` with the standard path recorded up to (not including) the step `until`."""
        candidate_id: str | None = None
        for step, on, fields in [*PATH_TO_VOTE, *AFTER_VOTE]:
            if step == until:
                break
            values: dict[str, Any] = {**fields, "org": org, "full_name": name} if step == "identify" else fields
            result = self.ketnap.record_step(RecordStep(candidate_id=candidate_id, step=step, on=on, fields=values,
                                                        actor="seed"))
            candidate_id = result.candidate.id
        assert candidate_id is not None
        return candidate_id

    def login(self, username: str, password: str = PASSWORD) -> TestClient:
        """A fresh browser-like client signed in as `username` (given a password first: hashing costs time)."""
        accounts.set_password(self.ketnap, username, password)
        browser = TestClient(self.web)
        page = browser.get("/login")
        response = browser.post("/login", data={"csrf_token": csrf_of(page.text), "username": username,
                                                "password": password, "next": "/"}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return browser


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "every page with a form carries the CSRF token"
    return match.group(1)


def build_env(ketnap: Ketnap, clock: FrozenClock) -> Env:
    for org in ORGS:
        ketnap.add_org(org)
    web = create_app(ketnap, environ=SECRET)
    env = Env(ketnap, web, TestClient(web), clock)
    for username, (role, orgs) in USERS.items():
        accounts.add_user(ketnap, username, role, orgs, None, full_name=f"Người dùng {username}")
        issued = accounts.create_token(ketnap, username, "tests")
        env.tokens[username], env.token_ids[username] = issued.token, issued.id
    return env


@pytest.fixture
def env(app: Ketnap, clock: FrozenClock) -> Env:
    """On SQLite and on PostgreSQL (the `app` fixture is parametrised over both)."""
    return build_env(app, clock)


@pytest.fixture
def sqlite_env(sqlite_url: str, clock: FrozenClock) -> Iterator[Env]:
    """For the page tests, which exercise rendering rather than the database: SQLite only."""
    from storage.engine import make_engine
    from tests.builders import settings

    engine: Engine = make_engine(sqlite_url)
    yield build_env(bootstrap(settings(), engine=engine, clock=clock), clock)
    engine.dispose()


ON = date(2026, 11, 2)  # a working day before the clock's today (2026-11-20)
