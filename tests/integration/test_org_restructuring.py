"""The 2025 restructuring, end to end on SQLite and PostgreSQL: a candidate is taken through the procedure while
their district committee is dissolved mid-way (issue 10). The branch votes in May 2025 under district H; from
1 July 2025 H no longer exists and the grassroots committee is placed under the new commune X; the admission
decision in August 2025 is X's. Candidate events are never rewritten; every rule reads the tree of its date."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, update

from states.errors import RuleViolation
from states.hashing import event_hash
from states.organisations import OrgChange
from storage.organisations import ORG_EVENTS, ORGS, load_events
from tests.builders import AFTER_VOTE, PATH_TO_VOTE
from tests.integration.reminders_support import add_contacts, at_local, deadline, memory_reminders, with_reminders
from tests.integration.support import record, record_path
from workflow.audit import checkpoint
from workflow.audit.findings import REWRITTEN, STREAM_DELETED
from workflow.audit.verify import verify
from workflow.commands import AddOrganisation
from workflow.service import Ketnap

SHIFT = timedelta(days=310)  # the standard path moved so that the branch vote falls in May 2025
RESTRUCTURED = date(2025, 7, 1)

TREE = [
    AddOrganisation(code="TINH", name="Đảng bộ tỉnh Điện Biên", level="province"),
    AddOrganisation(code="H", name="Đảng bộ huyện Điện Biên", level="upper", parent="TINH"),
    AddOrganisation(code="DU-CS", name="Đảng ủy Trường THPT Thanh Nưa", level="grassroots", parent="H"),
    AddOrganisation(code="CB-01", name="Chi bộ Giáo viên", level="branch", parent="DU-CS"),
]


def shifted(step: tuple[str, date, dict[str, Any]]) -> tuple[str, date, dict[str, Any]]:
    name, on, fields = step
    moved = {k: (date.fromisoformat(v) + SHIFT).isoformat() if k in ("issued_on", "received_on") else v
             for k, v in fields.items()}
    return name, on + SHIFT, moved


def restructure(app: Ketnap) -> None:
    """HD 31-HD/BTCTW: district H ends, its grassroots committee goes under the new commune X."""
    app.organisations.add(AddOrganisation(code="X", name="Đảng bộ xã Thanh Nưa", level="commune", parent="TINH",
                                          on=RESTRUCTURED, decision="1234-QĐ/TU", issuer="Tỉnh ủy Điện Biên"),
                          "admin")
    app.organisations.change([
        OrgChange("moved", "DU-CS", RESTRUCTURED, "1235-QĐ/TU", "Tỉnh ủy Điện Biên", parent="X"),
        OrgChange("dissolved", "H", RESTRUCTURED, "1236-QĐ/TU", "Tỉnh ủy Điện Biên"),
    ], "admin")


@pytest.fixture
def app_h(app: Ketnap) -> Ketnap:
    for org in TREE:
        app.add_org(org)
    return app


def until_decision(app: Ketnap) -> str:
    return record_path(app, [shifted(s) for s in PATH_TO_VOTE], org="CB-01")


def decision(decided_by: str) -> dict[str, Any]:
    _, on, fields = shifted(AFTER_VOTE[0])
    return {**fields, "decided_by": decided_by, "received_on": (date(2025, 8, 5)).isoformat()}


def test_the_vote_under_h_and_the_decision_by_x_verify_clean(app_h: Ketnap) -> None:
    cid = until_decision(app_h)
    restructure(app_h)

    done = record(app_h, cid, "decide_admission", date(2025, 8, 1), decision("X"))

    assert done.candidate.decided_on == date(2025, 8, 1)
    report = verify(app_h.engine, app_h.rulebook, app_h.calendar)
    assert report.ok, [str(f) for f in report.findings]


def test_the_same_decision_recorded_as_taken_by_the_dissolved_district_is_refused(app_h: Ketnap) -> None:
    cid = until_decision(app_h)
    restructure(app_h)

    with pytest.raises(RuleViolation) as refused:
        record(app_h, cid, "decide_admission", date(2025, 8, 1), decision("H"))

    assert [(v.rule, v.field) for v in refused.value.violations] == [("decided_by_not_competent", "decided_by")]
    assert "X" in refused.value.violations[0].message_en
    assert len(app_h.events(cid)) == len(PATH_TO_VOTE)  # nothing written


def test_a_decision_by_h_in_june_stays_valid_after_h_is_dissolved(app_h: Ketnap) -> None:
    cid = until_decision(app_h)
    record(app_h, cid, "decide_admission", date(2025, 6, 2), decision("H") | {"received_on": "2025-06-03"})

    restructure(app_h)

    report = verify(app_h.engine, app_h.rulebook, app_h.calendar)
    assert report.ok, [str(f) for f in report.findings]


def test_the_audit_flags_a_decision_by_h_dated_after_its_dissolution(app_h: Ketnap) -> None:
    """Recorded while the tree did not know of the dissolution yet (the change was recorded later, dated back)."""
    cid = until_decision(app_h)
    record(app_h, cid, "decide_admission", date(2025, 8, 1), decision("H"))

    restructure(app_h)

    report = verify(app_h.engine, app_h.rulebook, app_h.calendar)
    assert [(f.kind, f.stream_id, f.version) for f in report.findings] == [("rule_broken", cid, len(PATH_TO_VOTE) + 1)]
    assert [v["rule"] for v in report.findings[0].data["violations"]] == ["decided_by_not_competent"]


def test_who_decides_and_the_upper_level_follow_the_date(app_h: Ketnap) -> None:
    restructure(app_h)
    before, after = app_h.organisations.tree(date(2025, 6, 30)), app_h.organisations.tree(RESTRUCTURED)

    assert before.competent_body("CB-01") == ("H", True)
    assert after.competent_body("CB-01") == ("X", True)
    assert [o.code for o in before.chain("CB-01")] == ["CB-01", "DU-CS", "H", "TINH"]
    assert [o.code for o in after.chain("CB-01")] == ["CB-01", "DU-CS", "X", "TINH"]
    assert before.get("X") is None and after.get("H") is not None and after.living("H") is None


def test_a_merged_branch_carries_its_candidates_and_their_clocks(app_h: Ketnap) -> None:
    app_h.add_org(AddOrganisation(code="CB-02", name="Chi bộ Học sinh", level="branch", parent="DU-CS"))
    cid = until_decision(app_h)
    deadlines_before = {d["kind"]: d["due_on"] for d in app_h.deadlines()}

    app_h.organisations.change([OrgChange("merged", "CB-01", date(2025, 6, 1), "9-QĐ/ĐU", into="CB-02")], "admin")

    rows = app_h.candidates(org="CB-02")
    assert [r["id"] for r in rows] == [cid]
    assert {d["kind"]: d["due_on"] for d in app_h.deadlines()} == deadlines_before
    assert {d["org"] for d in app_h.deadlines()} == {"CB-02"}
    assert app_h.events(cid)[0].payload["org"] == "CB-01"  # the stream is never rewritten
    record(app_h, cid, "decide_admission", date(2025, 6, 2), decision("H") | {"received_on": "2025-06-03"})
    assert app_h.candidates(org="CB-02")[0]["stage"] == "admitted"
    report = verify(app_h.engine, app_h.rulebook, app_h.calendar)
    assert report.ok, [str(f) for f in report.findings]


def test_the_organisation_log_is_hash_chained_and_verified(app_h: Ketnap) -> None:
    restructure(app_h)
    with app_h.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE org_event SET payload = '{\"decision\": \"forged\", \"issuer\": \"\"}' "
                             "WHERE stream_id = 'H' AND type = 'dissolved'")

    report = verify(app_h.engine, app_h.rulebook, app_h.calendar)

    assert any(f.stream_id == "org:H" for f in report.findings), [str(f) for f in report.findings]


def test_reminders_go_to_the_new_committees_office_from_the_change_date_never_twice(app_h: Ketnap) -> None:
    cid = record_path(app_h, [shifted(s) for s in PATH_TO_VOTE], org="CB-01")
    restructure(app_h)
    add_contacts(app_h.engine, {("H", "office"): "vanphong@huyen.example.vn", ("X", "office"): "vanphong@xa.example.vn",
                                ("CB-01", "secretary"): "bithu@cb01.example.vn"})
    due = deadline(app_h.engine, cid, "admission_decision").due_on
    assert due - timedelta(days=30) < RESTRUCTURED <= due - timedelta(days=7)
    reminders = memory_reminders(app_h, with_reminders(kinds={"admission_decision": {
        "before_days": [30, 7], "notify": ["office"], "on_the_day": False}}))

    for moment in (at_local(due - timedelta(days=30), 9), at_local(due - timedelta(days=7), 9)):
        for _ in range(2):  # a second sweep and dispatch at the same moment sends nothing more
            reminders.run_once(moment)

    sent = [(to, m.key.split(":")[3]) for to, m in reminders.channels["email"].sent]  # type: ignore[attr-defined]
    assert sent == [("vanphong@huyen.example.vn", "before-30"), ("vanphong@xa.example.vn", "before-7")]


def test_a_batch_with_one_bad_change_writes_nothing_and_names_it(app_h: Ketnap) -> None:
    cid = until_decision(app_h)
    before = (app_h.organisations.history_log().changes, app_h.orgs(), app_h.candidates())
    batch = [
        OrgChange("created", "X", RESTRUCTURED, "1234-QĐ/TU", name="Đảng bộ xã Thanh Nưa", level="commune",
                  parent="TINH"),
        OrgChange("moved", "DU-CS", RESTRUCTURED, parent="X"),
        OrgChange("merged", "CB-01", RESTRUCTURED, into="CB-77"),  # no such successor
        OrgChange("moved", "TINH", RESTRUCTURED, parent="CB-01"),  # a cycle
    ]

    with pytest.raises(RuleViolation) as refused:
        app_h.organisations.change(batch, "admin")

    assert [(v.rule, v.message_en.split(":")[0]) for v in refused.value.violations] == [
        ("org_successor_not_living", "#3 merged CB-01 (2025-07-01)"),
        ("org_move_cycle", "#4 moved TINH (2025-07-01)")]
    assert (app_h.organisations.history_log().changes, app_h.orgs(), app_h.candidates()) == before
    assert app_h.candidates()[0]["id"] == cid


def test_a_dry_run_shows_who_moves_and_writes_nothing(app_h: Ketnap) -> None:
    cid = until_decision(app_h)
    app_h.add_org(AddOrganisation(code="CB-02", name="Chi bộ Học sinh", level="branch", parent="DU-CS"))

    preview = app_h.organisations.change([OrgChange("merged", "CB-01", RESTRUCTURED, into="CB-02")], "admin",
                                         dry_run=True)

    assert [(m.id, m.from_org, m.to_org) for m in preview.moved] == [(cid, "CB-01", "CB-02")]
    assert preview.moved[0].open_deadlines >= 1
    assert app_h.organisations.tree().living("CB-01") is not None
    assert app_h.candidates()[0]["org"] == "CB-01"


@pytest.mark.parametrize("change", [
    OrgChange("renamed", "CB-01", RESTRUCTURED, "5-QĐ/ĐU", name="Chi bộ Giáo viên Tự nhiên"),
    OrgChange("moved", "CB-01", RESTRUCTURED, parent="TINH"),
    OrgChange("level_changed", "DU-CS", RESTRUCTURED, level="upper"),
    OrgChange("authorised", "DU-CS", RESTRUCTURED, admits=True),
    OrgChange("merged", "CB-01", RESTRUCTURED, into="CB-02"),
    OrgChange("split", "DU-CS", RESTRUCTURED, parts={"CB-01": "H", "CB-02": "H"}),
    OrgChange("dissolved", "CB-02", RESTRUCTURED),
], ids=lambda c: c.kind)
def test_each_kind_of_change_is_logged_projected_and_verified(app_h: Ketnap, change: OrgChange) -> None:
    app_h.add_org(AddOrganisation(code="CB-02", name="Chi bộ Học sinh", level="branch", parent="DU-CS"))
    before = app_h.organisations.tree(date(2025, 6, 30))

    done = app_h.organisations.change([change], "admin")

    assert [(e.stream_id, e.type, e.effective_on) for e in done.events] == [(change.code, change.kind, change.on)]
    assert app_h.organisations.tree(date(2025, 6, 30)).orgs == before.orgs  # the day before is as it was
    after = app_h.organisations.tree(RESTRUCTURED).get(change.code)
    assert after is not None and after != before.get(change.code)
    assert {o.code: o for o in app_h.orgs()}[change.code].ended_by == after.ended_by
    report = verify(app_h.engine, app_h.rulebook, app_h.calendar)
    assert report.ok, [str(f) for f in report.findings]


def _checkpoint(app: Ketnap) -> str:
    with app.engine.begin() as conn:
        return checkpoint.create(conn, app.clock.now(), "auditor").digest


def _rehash_org_stream(app: Ketnap, code: str, payload: dict[str, Any]) -> None:
    """Rewrite an organisation's last event and re-hash its chain consistently: only a checkpoint can tell."""
    with app.engine.begin() as conn:
        events = [e for e in load_events(conn) if e.stream_id == code]
        last = events[-1]._replace(payload=payload)
        new_hash = event_hash(last, last.prev_hash)
        conn.execute(update(ORG_EVENTS).where(ORG_EVENTS.c.stream_id == code, ORG_EVENTS.c.version == last.version)
                     .values(payload=payload, hash=new_hash))


def test_the_organisation_log_is_covered_by_checkpoints(app_h: Ketnap) -> None:
    restructure(app_h)
    digest = _checkpoint(app_h)
    assert verify(app_h.engine, app_h.rulebook, app_h.calendar, since_checkpoint=digest).ok

    _rehash_org_stream(app_h, "H", {"decision": "9999-QĐ/TU", "issuer": "Tỉnh ủy Điện Biên"})

    assert verify(app_h.engine, app_h.rulebook, app_h.calendar).ok  # the chain alone cannot tell
    report = verify(app_h.engine, app_h.rulebook, app_h.calendar, since_checkpoint=digest)
    assert [(f.kind, f.stream_id, f.version) for f in report.findings] == [(REWRITTEN, "org:H", 2)]


def test_a_deleted_organisation_history_is_named_against_a_checkpoint(app_h: Ketnap) -> None:
    app_h.add_org(AddOrganisation(code="CB-09", name="Chi bộ 9", level="branch", parent="DU-CS"))
    digest = _checkpoint(app_h)
    app_h.add_org(AddOrganisation(code="CB-10", name="Chi bộ 10", level="branch", parent="DU-CS"))

    with app_h.engine.begin() as conn:
        conn.execute(delete(ORG_EVENTS).where(ORG_EVENTS.c.stream_id == "CB-09"))
        conn.execute(delete(ORGS).where(ORGS.c.code == "CB-09"))

    report = verify(app_h.engine, app_h.rulebook, app_h.calendar, since_checkpoint=digest)
    assert [(f.kind, f.stream_id, f.version) for f in report.findings] == [(STREAM_DELETED, "org:CB-09", 1)]
