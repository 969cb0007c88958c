"""The `candidate` and `deadline` tables equal the state replayed from the log after every step, including a
transfer and a correction, and a deadline keeps its row id while it is updated (ARCHITECTURE.md decision 4)."""

from datetime import date
from typing import Any

from sqlalchemy import select

from states.candidate import Candidate, replay
from storage.projections import CANDIDATES, DEADLINES
from tests.integration.support import FULL_PATH
from workflow.commands import RecordStep
from workflow.service import Ketnap

CEREMONY_MOVED_TO = date(2024, 8, 22)


def projected(ketnap: Ketnap, candidate_id: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    with ketnap.uow.reading() as tx:
        row = tx.conn.execute(select(CANDIDATES).where(CANDIDATES.c.id == candidate_id)).one()
        deadlines = tx.conn.execute(select(DEADLINES).where(DEADLINES.c.stream_id == candidate_id)).all()
    return dict(row._mapping), {d.kind: dict(d._mapping) for d in deadlines}


def expected_row(c: Candidate) -> dict[str, Any]:
    assert c.stage is not None
    return {"id": c.id, "org": c.org, "stage": c.stage.value, "version": c.version, "full_name": c.full_name,
            "birth_date": c.birth_date, "sex": c.sex, "education": c.education, "ethnicity": c.ethnicity,
            "religion": c.religion, "youth_union": c.youth_union, "trade_union": c.trade_union,
            "categories": list(c.categories), "identified_on": c.identified_on, "decided_on": c.decided_on,
            "ceremony_on": c.ceremony_on, "probation_ends_on": c.probation_ends_on,
            "official_on": c.official_on, "dropped_on": c.dropped_on}


DEADLINE_FIELDS = ("stream_id", "org", "kind", "due_on", "opened_on", "status", "closed_on", "closed_by",
                   "rule_set", "calendar")


def expected_deadlines(c: Candidate) -> dict[str, dict[str, Any]]:
    return {d.kind: {"stream_id": c.id, "org": c.org, "kind": d.kind, "due_on": d.due_on,
                     "opened_on": d.opened_on, "status": "open" if d.is_open else "closed",
                     "closed_on": d.closed_on, "closed_by": d.closed_by, "rule_set": d.rule_set,
                     "calendar": d.calendar} for d in c.deadlines.values()}


def test_projections_equal_the_replayed_state_after_every_step(ketnap: Ketnap) -> None:
    candidate_id: str | None = None
    ceremony_version = 0
    deadline_ids: dict[str, int] = {}
    checked: list[str] = []
    steps: list[tuple[str, date, dict[str, Any]]] = []
    for name, on, fields in FULL_PATH:
        steps.append((name, on, fields))
        if name == "introduce":
            steps.append(("transfer", date(2024, 6, 12), {"to_org": "CB-02"}))
        if name == "hold_ceremony":
            steps.append(("correct", date(2024, 8, 25), {"fields": {"on": CEREMONY_MOVED_TO.isoformat()},
                                                          "reason": "ngày ghi nhầm trên biên bản"}))
    for name, on, fields in steps:
        if name == "correct":
            fields = {**fields, "corrects": ceremony_version}
        result = ketnap.record_step(RecordStep(candidate_id=candidate_id, step=name, on=on, fields=fields))
        candidate_id = result.candidate.id
        if name == "hold_ceremony":
            ceremony_version = result.candidate.version

        row, deadlines = projected(ketnap, candidate_id)
        replayed = replay(ketnap.events(candidate_id))

        assert {k: row[k] for k in expected_row(replayed)} == expected_row(replayed), name
        assert {k: {f: d[f] for f in DEADLINE_FIELDS} for k, d in deadlines.items()} == \
            expected_deadlines(replayed), name
        for kind, d in deadlines.items():
            assert deadline_ids.setdefault(kind, d["id"]) == d["id"], f"{kind} got a new row at {name}"
        checked.append(name)

    assert checked == [n for n, _, _ in steps] and candidate_id is not None
    row, deadlines = projected(ketnap, candidate_id)
    assert row["stage"] == "official" and row["org"] == "CB-02" and row["version"] == len(steps)
    assert row["ceremony_on"] == CEREMONY_MOVED_TO
    assert {d["org"] for d in deadlines.values()} == {"CB-02"}
    assert {"certificate_expiry", "admission_decision", "ceremony", "probation_review"} <= set(deadline_ids)

