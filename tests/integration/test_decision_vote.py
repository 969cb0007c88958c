"""V3 through the service, with the real tree: a grassroots committee authorised to admit (DU-CS admits) decides
and recognises only with its vote of at least 2/3 of all its members; each refusal writes nothing, and the
audit re-judges the accepted decisions alike."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from states.errors import RuleViolation
from tests.fakes import FrozenClock
from tests.integration.support import FULL_PATH, add_org_tree, record, record_path, snapshot, steps_until
from workflow.audit.verify import verify
from workflow.commands import AddOrganisation
from workflow.service import Ketnap

AFTER_RULE_DAY = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # config.yaml decision_vote_from: its first day
AUTHORISED_TREE = [
    AddOrganisation(code="DU-XA", name="Đảng ủy xã Tân Lập", level="commune"),
    AddOrganisation(code="DU-CS", name="Đảng ủy Trường THPT Tân Lập", level="grassroots", parent="DU-XA",
                    admits=True),
    AddOrganisation(code="CB-01", name="Chi bộ Giáo viên", level="branch", parent="DU-CS"),
]


def _step(name: str) -> tuple[Any, dict[str, Any]]:
    _, on, fields = next(s for s in FULL_PATH if s[0] == name)
    return on, {**fields, "decided_by": "DU-CS"}


@pytest.fixture
def ketnap(app: Ketnap, clock: FrozenClock) -> Ketnap:
    for org in AUTHORISED_TREE:
        app.add_org(org)
    clock.current = AFTER_RULE_DAY
    return app


def _refused(app: Ketnap, engine: Engine, cid: str, name: str, fields: dict[str, Any]) -> list[str]:
    on, _ = _step(name)
    before = snapshot(engine)
    with pytest.raises(RuleViolation) as refused:
        record(app, cid, name, on, fields)
    assert snapshot(engine) == before
    return [v.rule for v in refused.value.violations]


def test_an_authorised_committee_decides_and_recognises_by_its_vote(ketnap: Ketnap, engine: Engine) -> None:
    path = [(n, on, {**f, "decided_by": "DU-CS"} if "decided_by" in f else f)
            for n, on, f in steps_until("decide_admission")]
    cid = record_path(ketnap, path)
    on, fields = _step("decide_admission")
    assert _refused(ketnap, engine, cid, "decide_admission", fields) == ["decision_needs_vote"]
    assert _refused(ketnap, engine, cid, "decide_admission", {**fields, "committee_members": 9, "in_favour": 5}) \
        == ["decision_vote_not_passed"]
    record(ketnap, cid, "decide_admission", on, {**fields, "committee_members": 9, "in_favour": 6})
    for name in ("hold_ceremony", "submit_member_history", "certify_new_member_course", "review_vote",
                 "committee_review_vote"):
        _, step_on, step_fields = next(s for s in FULL_PATH if s[0] == name)
        record(ketnap, cid, name, step_on, step_fields)
    on, fields = _step("recognise_official")
    assert _refused(ketnap, engine, cid, "recognise_official", fields) == ["decision_needs_vote"]
    assert _refused(ketnap, engine, cid, "recognise_official", {**fields, "committee_members": 9, "in_favour": 5}) \
        == ["decision_vote_not_passed"]
    result = record(ketnap, cid, "recognise_official", on, {**fields, "committee_members": 9, "in_favour": 6})
    assert result.candidate.stage.value == "official"
    assert verify(ketnap.engine, ketnap.rulebook, ketnap.calendar).ok


def test_an_upper_committee_decides_without_a_vote(app: Ketnap, clock: FrozenClock) -> None:
    """The standard tree: DU-CS may not admit, so DU-XA (a commune committee) decides, with no vote on it."""
    add_org_tree(app)
    clock.current = AFTER_RULE_DAY
    cid = record_path(app, steps_until("hold_ceremony"))
    assert record(app, cid, "hold_ceremony", *next((on, f) for n, on, f in FULL_PATH if n == "hold_ceremony"))
