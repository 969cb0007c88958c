"""The upgrade that adds the users' dated history (userhist_0001) seeds it from what is known: each user held
their current role and organisations since they were added, active then, and inactive from the upgrade on if
they are inactive now."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, bindparam, text

from storage import migrate, user_history
from storage.engine import make_engine

pytestmark = pytest.mark.integration
ADDED = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
AT = bindparam("at", ADDED, type_=DateTime(timezone=True))  # stored as the application stores a timestamp


def test_upgrading_seeds_one_row_per_user_and_marks_the_inactive_from_the_upgrade(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (code, name, level, admits, created_at) VALUES "
                          "('CB-01', 'Chi bộ', 'branch', 0, :at), ('CB-02', 'Chi bộ 2', 'branch', 0, :at)")
                     .bindparams(AT))
        conn.execute(text('INSERT INTO "user" (id, username, full_name, role, active, created_at) VALUES '
                          "(1, 'sec', 'Bí thư', 'secretary', 1, :at), (2, 'gone', 'Đã nghỉ', 'committee', 0, :at)")
                     .bindparams(AT))
        conn.execute(text("INSERT INTO user_scope (user_id, org_code) VALUES (1, 'CB-02'), (1, 'CB-01'), "
                          "(2, 'CB-01')"))
    before = datetime.now(UTC)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        sec, gone = user_history.of_user(conn, 1), user_history.of_user(conn, 2)
        history = user_history.load(conn)
    engine.dispose()

    assert [(h.valid_from, h.role, h.orgs, h.active) for h in sec] == [(ADDED, "secretary", ("CB-01", "CB-02"), True)]
    assert [(h.role, h.active) for h in gone] == [("committee", True), ("committee", False)]
    assert gone[0].valid_from == ADDED and gone[1].valid_from >= before
    assert history.held("gone", ADDED) == gone[0] and history.held("sec", before) == sec[0]
    assert history.held("sec", datetime(2025, 2, 28, tzinfo=UTC)) is None  # not a user yet
