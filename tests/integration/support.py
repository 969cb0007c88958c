"""Helpers for the storage and service tests: an organisation tree, recording a path, table snapshots and
an independent check of the hash chain."""

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine, MetaData, inspect, select

from states.events import Event
from states.hashing import GENESIS, event_hash
from tests.builders import AFTER_VOTE, PATH_TO_VOTE
from workflow.commands import AddOrganisation, RecordStep
from workflow.service import Ketnap, StepResult

Path = list[tuple[str, date, dict[str, Any]]]
FULL_PATH: Path = [*PATH_TO_VOTE, *AFTER_VOTE]

# DU-XA decides for CB-01 and CB-02 (their grassroots committee DU-CS is not authorised to admit), so the
# committee vote of the standard path is required and `decided_by="DU-XA"` is the competent body (V2, V3).
ORG_TREE = [
    AddOrganisation(code="DU-XA", name="Đảng ủy xã Tân Lập", level="commune"),
    AddOrganisation(code="DU-CS", name="Đảng ủy Trường THPT Tân Lập", level="grassroots", parent="DU-XA"),
    AddOrganisation(code="CB-01", name="Chi bộ Giáo viên", level="branch", parent="DU-CS"),
    AddOrganisation(code="CB-02", name="Chi bộ Học sinh", level="branch", parent="DU-CS"),
]



def add_org_tree(app: Ketnap) -> None:
    for org in ORG_TREE:
        app.add_org(org)


def steps_until(stop: str | None, path: Path | None = None) -> Path:
    """The steps of `path` (the full standard path by default) before the one named `stop`."""
    steps = path or FULL_PATH
    names = [name for name, _, _ in steps]
    return steps[: names.index(stop)] if stop is not None else list(steps)


def record_path(app: Ketnap, steps: Iterable[tuple[str, date, dict[str, Any]]],
                candidate_id: str | None = None, **person: Any) -> str:
    """Record `steps` for a new candidate (or `candidate_id`); `person` overrides identify's fields."""
    for name, on, fields in steps:
        values = {**fields, **person} if name == "identify" else fields
        result = app.record_step(RecordStep(candidate_id=candidate_id, step=name, on=on, fields=values))
        candidate_id = result.candidate.id
    assert candidate_id is not None
    return candidate_id


def record(app: Ketnap, candidate_id: str, name: str, on: date, fields: dict[str, Any] | None = None,
           **kw: Any) -> StepResult:
    return app.record_step(RecordStep(candidate_id=candidate_id, step=name, on=on, fields=fields or {}, **kw))


_REFLECTED: dict[tuple[str, tuple[str, ...]], MetaData] = {}


def _reflected(engine: Engine) -> MetaData:
    """The tables as the database has them, reflected once per dialect and set of table names."""
    key = (engine.dialect.name, tuple(sorted(inspect(engine).get_table_names())))
    if key not in _REFLECTED:
        meta = MetaData()
        meta.reflect(engine)
        _REFLECTED[key] = meta
    return _REFLECTED[key]


def snapshot(engine: Engine) -> bytes:
    """Every row of every table (event, candidate, deadline, organisation and any later one), in primary-key
    order, as bytes: equal snapshots mean nothing was inserted, updated or deleted."""
    parts: dict[str, list[list[str]]] = {}
    with engine.connect() as conn:
        for name, table in sorted(_reflected(engine).tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            parts[name] = [[repr(value) for value in row] for row in rows]
    return json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")


def chain_problems(events: Sequence[Event]) -> list[str]:
    """Versions 1..n without gaps, each prev_hash the hash before it, each hash recomputed from the event."""
    problems = []
    previous = GENESIS
    for expected_version, event in enumerate(events, start=1):
        if event.version != expected_version:
            problems.append(f"{event.stream_id}: version {event.version} where {expected_version} was expected")
        if event.prev_hash != previous:
            problems.append(f"{event.stream_id}#{event.version}: prev_hash does not link to the event before")
        if event.hash != event_hash(event, event.prev_hash):
            problems.append(f"{event.stream_id}#{event.version}: hash does not match the stored fields")
        previous = event.hash
    return problems
