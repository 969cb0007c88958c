"""Reports to the upper level: the engine marks an event `report_upward` (states/derive.py) when PROCEDURE.md
says the step must be reported upward; this pass turns each such event into one outbox row for the `upper`
role of the candidate's branch.

- a failed branch vote is recorded, moves nothing, and is reported upward (DOMAIN.md V1);
- the third failed review vote is reported upward (D19);
- a ceremony held after its deadline is reported to the upper level (D8).

The pass reads only events recorded since its cursor (the last global position scanned; positions are commit
order, storage/event_store.py) and keys each row `u:<stream_id>:<version>`, so a repeated sweep, a second
process or a lost cursor never writes a report twice (UNIQUE key, storage/outbox.py).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from storage import event_store
from storage import outbox as store

CURSOR = "report_upward"
REPORTED_STEPS = ("branch_vote", "review_vote", "hold_ceremony")
REASONS = {  # step -> (why it is reported, its entry in the rule reference); research: DOMAIN.md V1, D19, D8
    "branch_vote": ("failed_vote", "/rules#topic-votes"),
    "review_vote": ("third_failed_review", "/rules#topic-recognition"),
    "hold_ceremony": ("late_ceremony", "/rules#deadline-ceremony"),
}


def report_key(stream_id: str, version: int) -> str:
    return f"u:{stream_id}:{version}"


def _row(event: Any, now: datetime) -> dict[str, Any]:
    return {"key": report_key(event.stream_id, event.version), "kind": "report", "slot": "report_upward",
            "role": "upper", "deadline_id": None, "due_on": None, "org": None, "fire_at": store.utc(now),
            "created_at": store.utc(now), "late": False, "status": "pending", "attempts": 0,
            "available_at": store.utc(now), "channels_done": "",
            "context": {"position": event.position, "stream_id": event.stream_id, "version": event.version}}


def plan_reports(engine: Engine, now: datetime, chunk: int = 5000) -> int:
    """Write one outbox row per `report_upward` event recorded since the cursor; returns rows written."""
    written = 0
    with engine.begin() as conn:
        top = event_store.last_position(conn)
    if top is None:
        return 0
    while True:
        with engine.begin() as conn:
            after = store.read_cursor(conn, CURSOR, now)
            if after >= top:
                return written
            batch = event_store.derived_of_types(conn, REPORTED_STEPS, after, top, chunk)
            written += store.insert_new(conn, [_row(e, now) for e in batch
                                               if (e.derived or {}).get("report_upward")])
            store.advance_cursor(conn, CURSOR, batch[-1].position if len(batch) == chunk else top, now)


def report_context(event: Any, ceremony_due_on: date | None) -> dict[str, Any]:
    """What a report template says about the event: the step, its date, why it is reported, the rule."""
    reason, ref = REASONS[event.type]
    payload, derived = dict(event.payload or {}), dict(event.derived or {})
    return {"step": event.type, "on": event.effective_on.isoformat(), "reason": reason, "ref": ref,
            "in_favour": payload.get("in_favour"),
            "members": derived.get("denominator", payload.get("official_members")),  # V1: those counted
            "threshold": derived.get("threshold"), "failures": derived.get("failures"),
            "due_on": ceremony_due_on.isoformat() if ceremony_due_on else None,
            "stream_id": event.stream_id, "version": event.version}
