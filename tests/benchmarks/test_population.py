"""The benchmarks' bulk builder writes what the step path writes: rebuilding every projection from the log it
wrote (`ketnap audit rebuild`, which folds the report rows with `facts_of` as a step does) changes no row.

Otherwise a benchmark would measure a report or a list on rows no real database holds (issue 19 item 2).
"""

from typing import Any

from sqlalchemy import Engine, Table, select

from benchmarks import population
from benchmarks.common import NOW, FixedClock
from storage.projections import CANDIDATES, DEADLINES
from storage.report_model import FACTS
from workflow.audit.rebuild import rebuild
from workflow.bootstrap import bootstrap
from workflow.config import load_settings


def _rows(engine: Engine, table: Table, key: str) -> list[dict[str, Any]]:
    """Every row, without the surrogate id a rebuild keeps anyway (deadline ids)."""
    with engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c[key], *table.primary_key.columns)).mappings().all()
    return [{k: v for k, v in r.items() if not (table is DEADLINES and k == "id")} for r in rows]


def test_bulk_rows_equal_what_a_rebuild_from_the_log_writes(engine: Engine) -> None:
    settings = load_settings()
    app = bootstrap(settings, engine=engine, clock=FixedClock())
    built = population.tree(2, 2)
    population.add_tree(app, built)
    templates = population.histories(settings, years=3)
    for batch in population.candidates(built, templates, 60, batch=25):
        population.write(engine, batch)
    tables = [(CANDIDATES, "id"), (DEADLINES, "stream_id"), (FACTS, "id")]
    written = [_rows(engine, t, key) for t, key in tables]
    assert all(written), "every table got rows"
    assert len(written[2]) == 60

    done = rebuild(engine, NOW)

    assert (done.streams, done.removed_candidates, done.removed_deadlines) == (60, 0, 0)
    for (table, key), before in zip(tables, written, strict=True):
        assert _rows(engine, table, key) == before, table.name
