"""The step path's contract on the in-memory unit of work and on a real SQLite file, with the same assertions:
an accepted step, a refused one (nothing written), a version conflict (nothing written) and a correction. The
in-memory run checks the application's rules in milliseconds; the SQLite run proves the fake tells the truth."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from states.errors import RuleViolation
from states.organisations import SINCE_ALWAYS, OrgChange
from storage import migrate
from storage.engine import make_engine
from storage.errors import ConcurrencyConflictError, IdempotencyKeyReused
from storage.memory import MemoryUnitOfWork
from tests.builders import PATH_TO_VOTE, settings
from tests.conftest import T0
from tests.fakes import FrozenClock
from tests.integration.support import ORG_TREE
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep
from workflow.service import Ketnap

FIRST = PATH_TO_VOTE[:4]


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ketnap]:
    if request.param == "memory":
        changes = [OrgChange("created", o.code, SINCE_ALWAYS, name=o.name, level=o.level, parent=o.parent,
                             admits=o.admits) for o in ORG_TREE]
        base = bootstrap(settings(), engine=make_engine("sqlite://"), clock=FrozenClock(T0))
        yield replace(base, steps_uow=MemoryUnitOfWork(changes))
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'ketnap.db'}")
    migrate.upgrade(engine)
    ketnap = bootstrap(settings(), engine=engine, clock=FrozenClock(T0))
    for org in ORG_TREE:
        ketnap.add_org(org)
    yield ketnap
    engine.dispose()


def walk(app: Ketnap, steps: list[tuple[str, date, dict[str, object]]]) -> str:
    cid: str | None = None
    for name, on, fields in steps:
        cid = app.record_step(RecordStep(candidate_id=cid, step=name, on=on, fields=dict(fields))).candidate.id
    assert cid is not None
    return cid


def test_an_accepted_step_moves_the_candidate_and_appends_one_event(app: Ketnap) -> None:
    cid = walk(app, FIRST)

    shown = app.show(cid)
    assert (shown.candidate.stage.value if shown.candidate.stage else None, shown.candidate.version) == \
        ("training_class", 4)
    assert [e.type for e in app.events(cid)] == [name for name, _, _ in FIRST]
    assert [e.version for e in app.events(cid)] == [1, 2, 3, 4]


def test_a_refused_step_lists_every_reason_and_writes_nothing(app: Ketnap) -> None:
    cid = walk(app, FIRST[:2])

    with pytest.raises(RuleViolation) as refused:
        app.record_step(RecordStep(candidate_id=cid, step="enrol_training", on=date(2023, 1, 1),
                                   fields={"class_name": ""}))

    assert {v.rule for v in refused.value.violations}
    assert len(app.events(cid)) == 2


def test_a_stale_version_is_a_conflict_and_writes_nothing(app: Ketnap) -> None:
    cid = walk(app, FIRST[:2])
    name, on, fields = FIRST[2]

    with pytest.raises(ConcurrencyConflictError):
        app.record_step(RecordStep(candidate_id=cid, step=name, on=on, fields=dict(fields), expected_version=1))

    assert len(app.events(cid)) == 2


def test_a_correction_keeps_the_original_and_changes_the_replayed_value(app: Ketnap) -> None:
    cid = walk(app, FIRST)

    app.record_step(RecordStep(candidate_id=cid, step="correct", on=date(2026, 11, 19), fields={
        "corrects": 2, "fields": {"helper": "Lê Thị Hồng"}, "reason": "ghi nhầm tên"}))

    events = app.events(cid)
    assert [e.type for e in events][-1] == "correct" and events[1].payload["helper"] == "Phạm Văn Bình"
    assert app.show(cid).candidate.helper == "Lê Thị Hồng"


def test_a_step_repeated_with_its_idempotency_key_is_answered_as_the_first_and_writes_nothing(app: Ketnap) -> None:
    cid = walk(app, FIRST)
    name, on, fields = PATH_TO_VOTE[4]
    step = RecordStep(candidate_id=cid, step=name, on=on, fields=dict(fields), actor="sec")
    first = app.record_step(step, idempotency_key="k")
    again = app.record_step(step, idempotency_key="k")

    assert (again.candidate.version, [e.hash for e in again.events]) == (first.candidate.version,
                                                                          [e.hash for e in first.events])
    assert len(app.events(cid)) == len(FIRST) + 1
    with pytest.raises(IdempotencyKeyReused):
        app.record_step(step.model_copy(update={"on": date(2024, 4, 2)}), idempotency_key="k")
    assert len(app.events(cid)) == len(FIRST) + 1
    app.record_step(step.model_copy(update={"actor": "other"}), idempotency_key="k")  # another user's key
    assert [e.actor for e in app.events(cid)[len(FIRST):]] == ["sec", "other"]
