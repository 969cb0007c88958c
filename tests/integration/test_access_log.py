"""The read-access log on a real SQLite file and the real PostgreSQL (issue 11, item 7): the database itself
refuses to change or delete a row, and an auditor reads only the rows of their organisations."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from storage.access_log import ACCESS_LOG
from tests.fakes import FrozenClock
from tests.integration.support import record_path, steps_until
from workflow import access_log, accounts
from workflow.access import AccessDenied
from workflow.clock import VIETNAM
from workflow.scoped import principal_for
from workflow.service import Ketnap

OPERATOR = access_log.operator_viewer("bí thư", "ops")


def _rows(app: Ketnap) -> list[tuple[object, ...]]:
    with app.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(ACCESS_LOG).order_by(ACCESS_LOG.c.id))]


@pytest.mark.parametrize("statement", ["UPDATE access_log SET actor = 'someone else'",
                                       "UPDATE access_log SET at = at WHERE id = 1",
                                       "DELETE FROM access_log",
                                       "DELETE FROM access_log WHERE view = 'cli_show'"])
def test_the_database_refuses_to_change_or_delete_an_access_row(ketnap: Ketnap, statement: str) -> None:
    candidate = record_path(ketnap, steps_until("assign_helper"))
    access_log.viewed(ketnap, OPERATOR, "cli_show", candidate)
    before = _rows(ketnap)
    with pytest.raises(DBAPIError, match="access_log is append-only"), ketnap.engine.begin() as conn:
        conn.execute(text(statement))
    assert _rows(ketnap) == before
    access_log.viewed(ketnap, OPERATOR, "cli_history", candidate)  # appending still works
    assert len(_rows(ketnap)) == 2


def test_a_view_is_placed_in_the_candidates_organisation_at_the_time(ketnap: Ketnap) -> None:
    first = record_path(ketnap, steps_until("assign_helper"))
    second = record_path(ketnap, steps_until("assign_helper"), org="CB-02", full_name="Lê Văn Tám")
    access_log.viewed(ketnap, OPERATOR, "cli_show", first)
    access_log.viewed(ketnap, OPERATOR, "cli_show", second)
    access_log.viewed(ketnap, OPERATOR, "export_xlsx", scope="org=* stage=*", count=2)
    rows = access_log.read(ketnap, None, actor="bí thư").rows
    assert [(r["view"], r["candidate_id"], r["org"], r["count"]) for r in rows] == [
        ("export_xlsx", None, None, 2), ("cli_show", second, "CB-02", None), ("cli_show", first, "CB-01", None)]
    assert {(r["role"], r["via"], r["origin"]) for r in rows} == {(None, "cli", "cli:ops")}


def test_an_auditor_reads_only_the_views_of_their_organisations(ketnap: Ketnap) -> None:
    first = record_path(ketnap, steps_until("assign_helper"))
    second = record_path(ketnap, steps_until("assign_helper"), org="CB-02", full_name="Lê Văn Tám")
    for candidate in (first, second):
        access_log.viewed(ketnap, OPERATOR, "cli_show", candidate)
    access_log.viewed(ketnap, OPERATOR, "export_xlsx", scope="org=* stage=*", count=2)

    def seen(username: str, role: str, orgs: list[str]) -> list[tuple[str, str | None]]:
        user = accounts.add_user(ketnap, username, role, orgs, None, full_name=username)
        page = access_log.read(ketnap, principal_for(ketnap, user, "session"), actor="bí thư")
        return [(r["view"], r["candidate_id"]) for r in page.rows]

    assert seen("kt_tinh", "auditor", ["DU-XA"]) == [("export_xlsx", None), ("cli_show", second),
                                                    ("cli_show", first)]
    assert seen("kt_cb02", "auditor", ["CB-02"]) == [("cli_show", second)]
    for role in ("secretary", "committee", "admin"):
        with pytest.raises(AccessDenied):
            seen(f"u_{role}", role, ["DU-XA"])


def test_the_log_is_read_newest_first_a_page_at_a_time_and_from_a_date(ketnap: Ketnap, clock: FrozenClock) -> None:
    candidate = record_path(ketnap, steps_until("assign_helper"))
    for _ in range(5):
        access_log.viewed(ketnap, OPERATOR, "cli_show", candidate)
        clock.advance(days=1)
    first = access_log.read(ketnap, None, candidate_id=candidate, limit=2)
    rest = access_log.read(ketnap, None, candidate_id=candidate, limit=2, offset=4)
    assert first.has_more and not rest.has_more and len(rest.rows) == 1
    assert [r["at"] for r in first.rows] == [clock.now() - timedelta(days=1), clock.now() - timedelta(days=2)]
    start = access_log.since((clock.now() - timedelta(days=2)).astimezone(VIETNAM).strftime("%d/%m/%Y"))
    assert start is not None
    assert len(access_log.read(ketnap, None, candidate_id=candidate, since=start).rows) == 2
    assert access_log.read(ketnap, None, candidate_id="nobody").rows == []
