"""Issue 13 items 3 and 6 through the service and the Excel import, on SQLite and PostgreSQL: who counts in a
branch vote (DOMAIN.md V1, QĐ294 §9.3.2; the denominator is stored with the vote, a refused vote writes nothing),
and a probationary member's transfer (D16, P9)."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from states.errors import RuleViolation
from tests.integration.reports_data import FULL, HEADER, import_row, workbook
from tests.integration.support import record, record_path, snapshot, steps_until
from workflow.reports.importer import import_workbook
from workflow.service import Ketnap

SHIFT = 400  # the standard path moved so that its branch vote (2025-08-05) falls under qd294-2025
VOTE_ON = date(2024, 7, 1) + timedelta(days=SHIFT)
LEFT_OUT = {"official_members": 20, "temporarily_elsewhere": 2, "exempted_absent": 3}  # convened: 15


def _moved(stop: str) -> list[tuple[str, date, dict[str, object]]]:
    rows = []
    for name, on, fields in steps_until(stop):
        moved = {k: (date.fromisoformat(str(v)) + timedelta(days=SHIFT)).isoformat() if k == "issued_on" else v
                 for k, v in fields.items()}
        rows.append((name, on + timedelta(days=SHIFT), moved))
    return rows


def test_a_refused_count_writes_nothing_and_an_accepted_vote_stores_its_denominator(ketnap: Ketnap) -> None:
    candidate_id = record_path(ketnap, _moved("branch_vote"))
    before = snapshot(ketnap.engine)
    with pytest.raises(RuleViolation) as refused:
        record(ketnap, candidate_id, "branch_vote", VOTE_ON, {**LEFT_OUT, "convened": 16, "in_favour": 10})
    assert [(v.rule, v.field) for v in refused.value.violations] == [("vote_convened", "convened")]
    assert snapshot(ketnap.engine) == before

    result = record(ketnap, candidate_id, "branch_vote", VOTE_ON, {**LEFT_OUT, "in_favour": 10})
    [event] = result.events
    assert (event.rule_set, event.derived["passed"], event.derived["denominator"]) == ("qd294-2025", True, 15)
    assert ketnap.show(candidate_id).candidate.branch_votes[-1].members == 15


def test_the_excel_import_accepts_who_was_left_out(ketnap: Ketnap, tmp_path: Path) -> None:
    steps = [name for name, _, _ in FULL].index("branch_vote") + 1
    rows = []
    for i, in_favour in ((1, 10), (3, 9)):  # exactly 2/3 of 15, and one fewer
        row = import_row(i, steps=steps, shift_days=SHIFT)
        row.update({HEADER["branch_vote", "official_members"]: 20, HEADER["branch_vote", "in_favour"]: in_favour,
                    HEADER["branch_vote", "temporarily_elsewhere"]: 2, HEADER["branch_vote", "exempted_absent"]: 3,
                    HEADER["branch_vote", "present"]: 14})
        rows.append(row)
    path = workbook(tmp_path / "bieu-quyet.xlsx", rows)

    result = import_workbook(ketnap, path)

    votes = [ketnap.events(c)[-1] for c in result.candidates]
    assert [(e.type, e.derived["passed"], e.derived["denominator"]) for e in votes] == [
        ("branch_vote", True, 15), ("branch_vote", False, 15)]
    assert votes[0].payload["present"] == 14 and votes[0].payload["exempted_absent"] == 3


def test_the_excel_import_accepts_a_probationary_members_transfer(ketnap: Ketnap, tmp_path: Path) -> None:
    """Issue 13 item 6: the transfer and its reception, between the ceremony and the review; the receiving
    branch is the one the transfer names, so the reception needs only its date."""
    row = import_row(1, steps=len(FULL))  # CB-01, recognised on 2025-09-20
    row.update({HEADER["transfer_probationary", "on"]: date(2025, 3, 3),
                HEADER["transfer_probationary", "to_org"]: "CB-02",
                HEADER["transfer_probationary", "transfer_ref"]: "15-GGT/ĐU",
                HEADER["transfer_received", "on"]: date(2025, 4, 1)})
    path = workbook(tmp_path / "chuyen-sinh-hoat.xlsx", [row])

    [candidate_id] = import_workbook(ketnap, path).candidates

    events = ketnap.events(candidate_id)
    steps = [e.type for e in events]
    assert steps.index("transfer_probationary") < steps.index("transfer_received") < steps.index("review_vote")
    received = events[steps.index("transfer_received")]
    assert received.payload["to_org"] == "CB-02" and received.derived["late"] is False
    shown = ketnap.show(candidate_id).candidate
    assert (shown.stage.value if shown.stage else None, shown.org) == ("official", "CB-02")
