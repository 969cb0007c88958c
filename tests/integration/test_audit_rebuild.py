"""`audit rebuild` rebuilds the projections from the log in one transaction: a failure leaves the old ones
intact, a success repairs them and keeps each deadline's id (reminders key on it)."""

import json

import pytest
from sqlalchemy import Engine, delete, select, update
from typer.testing import CliRunner

from storage.checkpoints import HEADS
from storage.event_store import EVENTS
from storage.projections import CANDIDATES, DEADLINES
from tests.integration.support import FULL_PATH, record_path, snapshot, steps_until
from workflow.audit import checkpoint
from workflow.audit.rebuild import RebuildFailed, rebuild
from workflow.audit.verify import verify
from workflow.cli.main import app as cli_app
from workflow.refusals import EXIT_VERIFY_FAILED
from workflow.service import Ketnap

pytestmark = pytest.mark.integration


def deadline_ids(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        return {(r.stream_id, r.kind): r.id for r in conn.execute(select(DEADLINES))}


def test_a_failed_rebuild_leaves_the_old_projections_intact(ketnap: Ketnap) -> None:
    good = record_path(ketnap, FULL_PATH)
    broken = record_path(ketnap, steps_until("branch_vote"), full_name="Lê Thị Mai")
    with ketnap.engine.begin() as conn:
        conn.execute(update(CANDIDATES).where(CANDIDATES.c.id == good).values(stage="dropped"))
        conn.execute(update(EVENTS).where(EVENTS.c.stream_id == broken, EVENTS.c.version == 1)
                     .values(payload={"full_name": "no org any more"}))  # a log that cannot be replayed
    before = snapshot(ketnap.engine)
    with pytest.raises(RebuildFailed) as failed:
        rebuild(ketnap.engine, ketnap.clock.now())
    assert failed.value.stream_id == broken
    assert snapshot(ketnap.engine) == before  # even the candidate replayed before the failure is untouched


def test_a_rebuild_repairs_projections_and_keeps_deadline_ids(ketnap: Ketnap) -> None:
    a = record_path(ketnap, FULL_PATH)
    b = record_path(ketnap, steps_until("hold_ceremony"), full_name="Lê Thị Mai")
    ids = deadline_ids(ketnap.engine)
    with ketnap.engine.begin() as conn:
        conn.execute(update(CANDIDATES).where(CANDIDATES.c.id == a).values(stage="dropped"))
        conn.execute(delete(DEADLINES).where(DEADLINES.c.stream_id == b, DEADLINES.c.kind == "ceremony"))
        conn.execute(CANDIDATES.insert().values({**dict(conn.execute(select(CANDIDATES).where(
            CANDIDATES.c.id == a)).one()._mapping), "id": "ghost"}))
    assert not verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).ok
    done = rebuild(ketnap.engine, ketnap.clock.now())
    assert (done.streams, done.removed_candidates) == (2, 1)
    assert verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).ok
    after = deadline_ids(ketnap.engine)
    assert {k: v for k, v in after.items() if k != (b, "ceremony")} == {k: v for k, v in ids.items()
                                                                       if k != (b, "ceremony")}


def cli(ketnap: Ketnap, *args: str) -> tuple[int, dict[str, object]]:
    url = ketnap.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli_app, ["--db", url, "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_cli_exit_status_is_zero_only_when_everything_holds(ketnap: Ketnap) -> None:
    cid = record_path(ketnap, steps_until("branch_vote"))
    code, made = cli(ketnap, "audit", "checkpoint")
    assert code == 0 and len(str(made["digest"])) == 64
    code, report = cli(ketnap, "audit", "verify", "--since-checkpoint", str(made["digest"]))
    assert (code, report["ok"]) == (0, True)
    with ketnap.engine.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.stream_id == cid, EVENTS.c.version == 2)
                     .values(actor="someone else"))
    code, report = cli(ketnap, "audit", "verify", "--org", "DU-XA")
    assert code == EXIT_VERIFY_FAILED and report["counts"] == {"edited": 1}
    code, report = cli(ketnap, "audit", "verify", "--org", "CB-02")
    assert (code, report["streams"]) == (0, 0)  # the candidate never belonged to CB-02
    code, report = cli(ketnap, "audit", "verify", "--since-checkpoint", "0" * 64)
    assert code == EXIT_VERIFY_FAILED and report["counts"]["checkpoint"] == 1  # type: ignore[index]
    code, refused = cli(ketnap, "audit", "verify", "--candidate", "nobody")
    assert code == 2 and refused["error"] == "candidate_not_found"


def test_a_checkpoint_whose_stored_heads_were_altered_is_reported(ketnap: Ketnap) -> None:
    record_path(ketnap, steps_until("branch_vote"))
    with ketnap.engine.begin() as conn:
        made = checkpoint.create(conn, ketnap.clock.now(), "auditor")
        conn.execute(update(HEADS).values(hash="f" * 64))
    report = verify(ketnap.engine, ketnap.rulebook, ketnap.calendar, since_checkpoint=made.digest)
    assert [f.kind for f in report.findings] == ["checkpoint"]
    assert report.checkpoint is not None and report.checkpoint["log_as_of_checkpoint_intact"] is True
