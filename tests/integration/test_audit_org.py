"""The audit of one organisation (`audit verify --org`), on SQLite and PostgreSQL: it reads the streams of the
candidates who ever belonged to the organisation or one under it, transferred in or out included, finds
tampering in them as the whole audit does, and neither reads nor reports the streams of other branches."""

from datetime import date

import pytest
from sqlalchemy import update

from states.organisations import OrgChange
from storage.event_store import EVENTS
from tests.integration.support import record, record_path, steps_until
from workflow.audit.findings import EDITED, Report
from workflow.audit.verify import Scope, verify
from workflow.service import Ketnap

pytestmark = pytest.mark.integration


def audit(app: Ketnap, org: str | None = None, workers: int = 1) -> Report:
    return verify(app.engine, app.rulebook, app.calendar, Scope(org=org), workers=workers)


def tamper(app: Ketnap, *streams: str) -> None:
    """Change the actor of each stream's second event behind the store's back."""
    with app.engine.begin() as conn:
        for stream in streams:
            conn.execute(update(EVENTS).where(EVENTS.c.stream_id == stream, EVENTS.c.version == 2)
                         .values(actor="someone else"))


def edited(report: Report) -> set[str]:
    return {f.stream_id for f in report.findings if f.kind == EDITED}


def test_an_organisation_audit_finds_tampering_in_its_subtree_and_reports_nothing_outside(ketnap: Ketnap) -> None:
    ours = record_path(ketnap, steps_until("branch_vote"))  # CB-01
    theirs = record_path(ketnap, steps_until("branch_vote"), full_name="Lê Thị Mai", org="CB-02")
    tamper(ketnap, ours, theirs)
    for workers in (1, 2):
        report = audit(ketnap, "CB-01", workers)
        assert (edited(report), report.found, report.streams) == ({ours}, 1, 1)
        assert report.events == 9
    assert edited(audit(ketnap, "DU-CS")) == {ours, theirs}  # both branches are under it
    assert edited(audit(ketnap)) == {ours, theirs}


def test_candidates_transferred_in_or_out_belong_to_both_organisations_audits(ketnap: Ketnap) -> None:
    moved = record_path(ketnap, steps_until("collect_comments"))  # identified in CB-01, then transferred
    record(ketnap, moved, "transfer", date(2024, 6, 12), {"to_org": "CB-02"})
    member = record_path(ketnap, steps_until("review_vote"), full_name="Lê Thị Mai")  # a probationary member
    record(ketnap, member, "transfer_probationary", date(2025, 3, 3), {"to_org": "CB-02", "transfer_ref": "15-GGT"})
    record(ketnap, member, "transfer_received", date(2025, 4, 1), {"to_org": "CB-02"})  # from now on CB-02's
    stayed = record_path(ketnap, steps_until("branch_vote"), full_name="Trần Văn Hùng")
    assert audit(ketnap, "CB-02").ok and audit(ketnap, "CB-02").streams == 2
    tamper(ketnap, moved, member, stayed)
    assert edited(audit(ketnap, "CB-02")) == {moved, member}
    assert edited(audit(ketnap, "CB-01")) == {moved, member, stayed}


def test_a_branch_dissolved_under_the_organisation_stays_in_its_audit(ketnap: Ketnap) -> None:
    """Its candidates belonged to the organisation: the audit of the organisation above still reads them."""
    gone = record_path(ketnap, steps_until("branch_vote"), full_name="Lê Thị Mai", org="CB-02")
    record(ketnap, gone, "drop", date(2024, 7, 1), {"reason": "withdrew"})  # a branch is dissolved empty
    ketnap.organisations.change([OrgChange("dissolved", "CB-02", date(2025, 7, 1), "9-QĐ/ĐU", "DU-XA")], "admin")
    tamper(ketnap, gone)
    assert edited(audit(ketnap, "DU-CS")) == {gone}
    assert edited(audit(ketnap, "CB-01")) == set()
