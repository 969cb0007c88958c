"""Long batches do not starve the web (issue 11, item 6): an Excel import and a class certification are judged
whole without the write lock, then written a few rows per transaction; another writer (a web step, through its
own engine and connection) records between two slices. One refused row still imports nothing; an import cut
between two slices is finished by running the same file again; a row refused only when written stops there and
says how many rows stay. On a real SQLite file and on PostgreSQL."""

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.engine import make_engine
from storage.event_store import EVENTS
from storage.failures import BusyRetry
from tests.builders import PERSON, settings
from tests.fakes import FrozenClock
from tests.integration.reports_data import HEADER, import_row
from tests.integration.test_reports_classes import CLASS, waiting
from tests.integration.test_reports_import import candidates, write
from workflow.bootstrap import bootstrap
from workflow.commands import RecordStep
from workflow.config import DatabaseSettings
from workflow.reports.classes import add_class, certify, enrol
from workflow.reports.importer import ImportRefused, import_workbook
from workflow.service import Ketnap

SHEET = "Chi bộ 1"
ROWS = 10
SLICE = 4  # 10 rows: slices of 4, 4 and 2, so two pauses


@pytest.fixture
def sliced(ketnap: Ketnap) -> Ketnap:
    ketnap.settings = ketnap.settings.model_copy(update={"database": DatabaseSettings(
        write_slice_rows=SLICE, write_slice_pause_ms=1)})
    return ketnap


@pytest.fixture
def web(db_url: str, clock: FrozenClock) -> Iterator[Ketnap]:
    """The web's own service: another engine, so another connection to the same database."""
    engine = make_engine(db_url)
    yield bootstrap(settings(), engine=engine, clock=clock)
    engine.dispose()


def _between_slices(app: Ketnap, then: Callable[[int], None]) -> list[int]:
    """Run `then(n)` in the n-th pause between two slices (1, 2, ...); returns the list of pauses taken."""
    pauses: list[int] = []

    def pause(_seconds: float) -> None:
        pauses.append(len(pauses) + 1)
        then(pauses[-1])

    app.busy_retry = BusyRetry(1, 0.0, sleep=pause)
    return pauses


def _workbook(tmp_path: Path) -> Path:
    return write(tmp_path / "danh-sach.xlsx", {SHEET: [import_row(i, steps=3) for i in range(ROWS)]})


def _positions(app: Ketnap, actor: str) -> list[int]:
    with app.engine.connect() as conn:
        return list(conn.execute(select(EVENTS.c.position).where(EVENTS.c.actor == actor)
                                 .order_by(EVENTS.c.position)).scalars())


def test_a_web_step_is_recorded_between_two_slices_of_an_import(sliced: Ketnap, web: Ketnap,
                                                                tmp_path: Path) -> None:
    def web_step(_: int) -> None:
        web.record_step(RecordStep(candidate_id=None, step="identify", on=date(2024, 1, 10),
                                   fields={**PERSON, "full_name": f"Người ghi trên web {len(pauses)}"}, actor="web"))

    pauses = _between_slices(sliced, web_step)
    result = import_workbook(sliced, _workbook(tmp_path), actor="văn phòng")

    assert (result.rows, len(result.candidates), result.skipped) == (ROWS, ROWS, 0)
    assert pauses == [1, 2]
    imported, by_web = _positions(sliced, "văn phòng"), _positions(sliced, "web")
    assert len(by_web) == 2 and imported[0] < by_web[0] < by_web[1] < imported[-1]
    assert candidates(sliced) == ROWS + 2


def test_an_import_cut_between_two_slices_is_finished_by_running_the_same_file_again(sliced: Ketnap,
                                                                                     tmp_path: Path) -> None:
    def killed(n: int) -> None:
        raise SystemExit("the process stops here (a SIGKILL, a power cut)")

    _between_slices(sliced, killed)
    path = _workbook(tmp_path)
    with pytest.raises(SystemExit):
        import_workbook(sliced, path)
    assert candidates(sliced) == SLICE  # the first slice is committed, each row whole

    sliced.busy_retry = None
    finished = import_workbook(sliced, path)
    assert (finished.skipped, finished.rows, len(finished.candidates)) == (SLICE, ROWS - SLICE, ROWS - SLICE)
    assert candidates(sliced) == ROWS
    with pytest.raises(ImportRefused) as again:
        import_workbook(sliced, path)
    assert [p.violation.rule for p in again.value.problems] == ["import_already_imported"]


def test_a_row_refused_only_when_written_stops_the_import_and_says_what_stays(sliced: Ketnap, web: Ketnap,
                                                                            tmp_path: Path) -> None:
    row = import_row(SLICE + 1, steps=3)  # in the second slice
    person = {**PERSON, "org": row[HEADER["identify", "org"]], "full_name": row[HEADER["identify", "full_name"]],
              "birth_date": row[HEADER["identify", "birth_date"]].isoformat()}

    def same_person_on_the_web(n: int) -> None:
        if n == 1:
            web.record_step(RecordStep(candidate_id=None, step="identify", on=date(2024, 1, 10), fields=person))

    _between_slices(sliced, same_person_on_the_web)
    with pytest.raises(ImportRefused) as refused:
        import_workbook(sliced, _workbook(tmp_path))

    assert [p.violation.rule for p in refused.value.problems] == ["import_duplicate_candidate"]
    assert refused.value.problems[0].row == SLICE + 3  # header row, then rows from 0
    assert refused.value.written == SLICE and f"the {SLICE} row(s) written before it stay" in str(refused.value)
    assert candidates(sliced) == SLICE + 1


def test_one_refused_row_still_imports_nothing_and_takes_no_pause(sliced: Ketnap, tmp_path: Path) -> None:
    rows = [import_row(i, steps=3) for i in range(ROWS)]
    rows[7] = {**rows[7], HEADER["identify", "sex"]: "X"}
    pauses = _between_slices(sliced, lambda n: None)
    with pytest.raises(ImportRefused) as refused:
        import_workbook(sliced, write(tmp_path / "sai.xlsx", {SHEET: rows}))

    assert refused.value.written == 0 and "nothing was imported" in str(refused.value)
    assert (pauses, candidates(sliced)) == ([], 0)


def test_a_class_is_certified_in_slices_with_a_web_step_between_them(sliced: Ketnap, web: Ketnap) -> None:
    add_class(sliced, CLASS, "test")
    ids = waiting(sliced, "CB-01", 5)
    enrol(sliced, CLASS.code, ids, None, "test")
    late = waiting(sliced, "CB-02", 1)[0]

    def web_step(n: int) -> None:
        if n == 1:
            web.record_step(RecordStep(candidate_id=late, step="enrol_training", on=date(2024, 3, 1),
                                       fields={"class_name": "Lớp khác"}, actor="web"))

    pauses = _between_slices(sliced, web_step)
    result = certify(sliced, CLASS.code, date(2024, 3, 6), {}, prefix="N-", actor="văn phòng")

    assert sorted(result.recorded) == sorted(ids) and pauses == [1]  # slices of 4 and 1
    certified, by_web = _positions(sliced, "văn phòng"), _positions(sliced, "web")
    assert certified[0] < by_web[0] < certified[-1]
