"""Re-admission through the service on a real database (SQLite file and PostgreSQL): a refusal writes nothing,
and the admissions report counts re-admissions apart ("kết nạp lại") without changing the other figures."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from states.errors import RuleViolation
from tests.builders import AFTER_VOTE, PATH_TO_VOTE
from tests.integration.reports_data import FULL, HEADER, admit, import_row, people, workbook
from tests.integration.support import snapshot
from tests.integration.test_documents import docx_text
from workflow.commands import RecordStep
from workflow.paperwork.make import make_document
from workflow.reports.admissions import admissions_report
from workflow.reports.importer import ImportRefused, import_workbook
from workflow.reports.periods import parse_period
from workflow.service import Ketnap

PREVIOUS = {"admitted_on": "2010-05-19", "left_on": "2018-03-01", "left_reason": "struck_off"}
CONSENT = {"document_no": "45-CV/TU", "signed_on": "2024-07-20"}
DECISION = dict(AFTER_VOTE[0][2])


def walk(app: Ketnap, steps: list[tuple[str, date, dict[str, Any]]], cid: str | None = None) -> str:
    for name, on, fields in steps:
        cid = app.record_step(RecordStep(candidate_id=cid, step=name, on=on, fields=dict(fields))).candidate.id
    assert cid is not None
    return cid


def readmitted_until_decision(app: Ketnap) -> str:
    (name, on, person), *rest = PATH_TO_VOTE
    return walk(app, [(name, on, {**person, "previous_membership": PREVIOUS}), *rest])


def test_a_barred_previous_membership_creates_no_candidate(ketnap: Ketnap) -> None:
    name, on, person = PATH_TO_VOTE[0]
    with pytest.raises(RuleViolation) as refused:
        walk(ketnap, [(name, on, {**person, "previous_membership": {**PREVIOUS, "left_reason": "asked_to_leave"}})])
    assert [v.rule for v in refused.value.violations] == ["readmission_barred"]
    with ketnap.uow.reading() as tx:
        assert tx.conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == 0


def test_a_decision_without_consent_is_refused_and_writes_nothing(ketnap: Ketnap) -> None:
    cid = readmitted_until_decision(ketnap)
    written = len(ketnap.events(cid))
    _, on, _ = AFTER_VOTE[0]
    with pytest.raises(RuleViolation) as refused:
        walk(ketnap, [("decide_admission", on, DECISION)], cid)
    assert [v.rule for v in refused.value.violations] == ["readmission_consent_missing"]
    assert len(ketnap.events(cid)) == written
    walk(ketnap, [("decide_admission", on, {**DECISION, "readmission_consent": CONSENT})], cid)
    assert len(ketnap.events(cid)) == written + 1


def test_the_report_counts_readmissions_apart_and_keeps_the_total(ketnap: Ketnap) -> None:
    admit(ketnap.engine, date(2024, 5, 14), people(3, org="CB-01"))
    before = admissions_report(ketnap, "DU-XA", parse_period("2024"))
    assert (before["admissions"], before["readmissions"]) == (3, 0)
    cid = readmitted_until_decision(ketnap)
    _, on, _ = AFTER_VOTE[0]
    walk(ketnap, [("decide_admission", on, {**DECISION, "readmission_consent": CONSENT})], cid)
    after = admissions_report(ketnap, "DU-XA", parse_period("2024"))
    assert (after["admissions"], after["readmissions"]) == (4, 1)  # counted in the total, and apart
    assert sum(m["admissions"] for m in after["months"]) == 4


def test_a_readmission_decision_says_so_and_names_the_consent(ketnap: Ketnap, tmp_path: Path) -> None:
    """The 9-KNĐ of a re-admission is titled "Kết nạp lại đảng viên" and rests on the provincial standing
    committee's consent (R1-R3); a first admission's keeps its own title."""
    cid = readmitted_until_decision(ketnap)
    _, on, _ = AFTER_VOTE[0]
    walk(ketnap, [("decide_admission", on, {**DECISION, "readmission_consent": CONSENT})], cid)
    text = docx_text(make_document(ketnap, cid, "9-knd", "docx").content, tmp_path)
    assert "Kết nạp lại đảng viên" in text and "Điều 1. Kết nạp lại quần chúng" in text
    assert "văn bản đồng ý số 45-CV/TU ngày 20 tháng 7 năm 2024 của ban thường vụ tỉnh ủy" in text

    first = walk(ketnap, [*PATH_TO_VOTE, AFTER_VOTE[0]])
    text = docx_text(make_document(ketnap, first, "9-knd", "docx").content, tmp_path)
    assert "Kết nạp đảng viên" in text and "Kết nạp lại" not in text and "đồng ý số" not in text


def _readmission_row() -> dict[str, Any]:
    """Person 1 up to the admission decision, who was a member from 2010 to 2018 and was struck off."""
    row = import_row(1, steps=[name for name, _, _ in FULL].index("decide_admission") + 1)
    row.update({HEADER["identify", "previous_membership.admitted_on"]: "19/05/2010",
                HEADER["identify", "previous_membership.left_on"]: date(2018, 3, 1),
                HEADER["identify", "previous_membership.left_reason"]: "Bị xóa tên (lý do khác)"})
    return row


def test_the_excel_import_records_a_readmission_with_its_consent(ketnap: Ketnap, tmp_path: Path) -> None:
    row = _readmission_row()
    decided_on = row[HEADER["decide_admission", "on"]]
    row.update({HEADER["decide_admission", "readmission_consent.document_no"]: "45-CV/TU",
                HEADER["decide_admission", "readmission_consent.signed_on"]: decided_on - timedelta(days=3)})

    [cid] = import_workbook(ketnap, workbook(tmp_path / "ket-nap-lai.xlsx", [row])).candidates

    events = {e.type: e for e in ketnap.events(cid)}
    assert events["identify"].payload["previous_membership"] == {
        **PREVIOUS, "convicted": False,
        "readmitted_before": False}
    assert events["decide_admission"].payload["readmission_consent"] == {
        "document_no": "45-CV/TU", "signed_on": (decided_on - timedelta(days=3)).isoformat()}


def test_an_imported_readmission_without_consent_imports_nothing(ketnap: Ketnap, tmp_path: Path) -> None:
    before = snapshot(ketnap.engine)
    with pytest.raises(ImportRefused) as refused:
        import_workbook(ketnap, workbook(tmp_path / "ket-nap-lai.xlsx", [_readmission_row()]))
    assert [p.violation.rule for p in refused.value.problems] == ["readmission_consent_missing"]
    assert snapshot(ketnap.engine) == before
