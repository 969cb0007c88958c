"""The read model reports are computed from: one `report_candidate` row per candidate, folded from its events.

It follows the log by global position (a checkpoint), so a report first folds only the streams that changed
since the last one; `rebuild` starts again from the first event. The events stay the only truth
(ARCHITECTURE.md decisions 1 and 4); this table can be dropped and rebuilt at any time. The fold is here;
reading the streams and storing the rows is storage/report_model.py's.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection

from states.candidate import Candidate, apply, corrections_of
from states.events import Event
from storage import report_model
from storage.event_store import iter_streams, last_position
from workflow.service import Ketnap

BATCH = 500

# Steps whose date is a milestone the reports need and the Candidate state does not keep.
MILESTONES = {"assign_helper": "mentored_on", "enrol_training": "enrolled_on"}


def _on(event: Event, overrides: dict[int, dict[str, Any]]) -> date:
    """The event's business date, as corrected by a later `correct` event if one changed it."""
    fixed = overrides.get(event.version, {}).get("fields", {}).get("on")
    return date.fromisoformat(fixed) if fixed else event.effective_on


def _org_on(c: Candidate, day: date) -> str:
    """The branch the candidate belonged to on `day` (transfers move later steps, not earlier ones)."""
    org = c.transfers[0][1] if c.transfers else c.org
    for moved_on, _from, to in c.transfers:
        if moved_on <= day:
            org = to
    return org


def _open_due(c: Candidate, kind: str) -> date | None:
    deadline = c.deadlines.get(kind)
    return deadline.due_on if deadline is not None and deadline.is_open else None


def facts_of(events: Sequence[Event]) -> dict[str, Any]:
    """The report facts of one candidate: replay with corrections, plus the dates replay does not keep."""
    overrides = corrections_of(events)
    c = Candidate(id=events[0].stream_id)
    extra: dict[str, Any] = {"dropped_stage": None}
    for event in events:
        before = c.stage
        apply(c, event, overrides or None)
        if event.type in MILESTONES:
            extra[MILESTONES[event.type]] = _on(event, overrides)
        elif event.type == "drop" and before is not None:
            extra["dropped_stage"] = before.value
    vote = c.last_passed_branch_vote
    assert c.stage is not None, "a stream starts with identify"
    return {
        "id": c.id, "version": c.version, "org": c.org, "stage": c.stage.value, "full_name": c.full_name,
        "admitted_org": _org_on(c, c.decided_on) if c.decided_on else None, "sex": c.sex,
        "birth_date": c.birth_date, "ethnicity": c.ethnicity, "religion": c.religion, "youth_union": c.youth_union,
        "trade_union": c.trade_union, "categories": list(c.categories), "class_name": c.class_name,
        "identified_on": c.identified_on, "mentored_on": extra.get("mentored_on"),
        "enrolled_on": extra.get("enrolled_on"), "certified_on": c.certificate_issued_on, "vetted_on": c.vetted_on,
        "branch_vote_on": vote.on if vote else None, "admission_due_on": _open_due(c, "admission_decision"),
        "decided_on": c.decided_on, "ceremony_due_on": _open_due(c, "ceremony"), "ceremony_on": c.ceremony_on,
        "probation_ends_on": c.probation_ends_on, "recognised_on": c.recognised_on, "official_on": c.official_on,
        "dropped_on": c.dropped_on, "dropped_reason": c.dropped_reason, "dropped_stage": extra["dropped_stage"],
        "readmission": c.readmission,
    }


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _head(conn: Connection) -> int:
    return last_position(conn) or 0


def catch_up(conn: Connection, now: datetime) -> int:
    """Fold the streams that changed since the checkpoint; returns how many candidates were refolded."""
    report_model.lock(conn)
    since, until = report_model.checkpoint(conn), _head(conn)
    if until <= since:
        return 0
    streams = iter_streams(conn) if since == 0 else report_model.changed_streams(conn, since, until, BATCH)
    done = 0
    for chunk in _chunks((facts_of(s) for s in streams), BATCH):
        report_model.replace_rows(conn, chunk)
        done += len(chunk)
    report_model.set_checkpoint(conn, until, now)
    return done


def rebuild(conn: Connection, now: datetime) -> int:
    """Drop every row and fold the whole log again."""
    report_model.clear(conn)
    return catch_up(conn, now)


def refresh(app: Ketnap) -> int:
    """Bring the read model up to the log; a cheap read when nothing was recorded since the last report."""
    with app.uow.reading() as tx:
        if _head(tx.conn) <= report_model.checkpoint(tx.conn):
            return 0
    with app.uow.transaction() as tx:
        return catch_up(tx.conn, app.clock.now())
