"""Lists are read a page at a time after a cursor (issue 19): across the pages every row is seen exactly once,
even when steps are recorded between two pages, and `total` counts what the list holds. On SQLite and
PostgreSQL."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from storage.candidate_lists import CandidateFilter, Order, list_candidates
from storage.paging import BadCursor, Page
from tests.builders import PERSON
from tests.integration.reminders_support import seed_due_deadlines
from tests.integration.support import record, record_path
from workflow.service import Ketnap

NAMES = ["Nguyễn Thị Hoà", "Trần Văn Khải", "Lê Ánh", "Phạm Đạt", "Hoàng Thuỷ", "Vũ Tuấn", "Đặng Hương",
         "Bùi Bình", "Đỗ Cường", "Ngô Dung", "Nguyễn Lan", "Lê Nam"]


def _trained(issued: date) -> list[tuple[str, date, dict[str, Any]]]:
    """Up to the training certificate, which opens its expiry deadline (due a fixed time after `issued`)."""
    return [("identify", date(2024, 1, 10), PERSON), ("assign_helper", date(2024, 1, 20), {"helper": "Phạm Văn Bình"}),
            ("enrol_training", date(2024, 3, 1), {"class_name": "Lớp NTVĐ 03/2024"}),
            ("certify_training", issued, {"certificate_no": "CN-1", "issued_on": issued.isoformat()})]


def _seed(ketnap: Ketnap, count: int = len(NAMES)) -> list[str]:
    """Candidates in two branches with certificates issued on a few days (so that due dates tie and the id
    decides)."""
    return [record_path(ketnap, _trained(date(2024, 3, 10) + timedelta(days=n % 3)), full_name=name,
                        org="CB-01" if n % 2 else "CB-02") for n, name in enumerate(NAMES[:count])]


def _pages(fetch: Any, between: Any = None) -> tuple[list[Any], list[Page]]:
    """Every page of a list after the cursor of the one before; `between(n)` runs after the n-th page."""
    pages, cursor = [], None
    while True:
        page = fetch(cursor)
        pages.append(page)
        if between is not None:
            between(len(pages))
        if page.next_cursor is None:
            return [r for p in pages for r in p.rows], pages
        cursor = page.next_cursor


def test_open_deadlines_are_seen_once_each_while_steps_are_recorded_between_pages(ketnap: Ketnap) -> None:
    ids = _seed(ketnap)
    before = {r["id"] for r in ketnap.deadlines()}
    assert len(before) == len(ids)
    added: list[str] = []

    def meanwhile(n: int) -> None:
        if n == 1:  # a new candidate whose deadline falls before the cursor, another's after it
            added.append(record_path(ketnap, _trained(date(2024, 3, 5))))
            added.append(record_path(ketnap, _trained(date(2024, 3, 20))))
        if n == 2:  # a step rewrites a listed candidate's rows; another's deadline closes
            record(ketnap, ids[0], "submit_application", date(2024, 4, 1))
            record(ketnap, ids[-1], "drop", date(2024, 4, 1), {"reason": "withdrew"})

    rows, pages = _pages(lambda cursor: ketnap.deadline_page(limit=5, cursor=cursor), meanwhile)
    seen = Counter(r["id"] for r in rows)
    assert max(seen.values()) == 1, seen  # none twice
    after = {r["id"] for r in ketnap.deadlines()}
    assert before & after <= set(seen)  # every row open throughout was on a page
    assert len(pages) >= 3 and all(len(p.rows) == 5 for p in pages[:-1])
    keys = [(r["due_on"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    assert pages[0].total == len(before) and pages[-1].total == len(after)


def test_the_candidate_list_pages_by_name_and_by_organisation_once_each(ketnap: Ketnap) -> None:
    ids = _seed(ketnap)
    today = ketnap.today()

    def by(order: Order, cursor: str | None) -> Page:
        with ketnap.uow.reading() as tx:
            return list_candidates(tx.conn, {"CB-01", "CB-02"}, CandidateFilter(limit=4, cursor=cursor, count=True),
                                   today, order=order)

    for order in Order:
        extra: list[str] = []

        def meanwhile(n: int, extra: list[str] = extra) -> None:
            if n == 1:
                extra.append(record_path(ketnap, [("identify", date(2024, 5, 1), PERSON)], full_name="An Bình",
                                         org="CB-01"))
                extra.append(record_path(ketnap, [("identify", date(2024, 5, 1), PERSON)], full_name="Yến Vy",
                                         org="CB-02"))

        rows, pages = _pages(lambda cursor, order=order: by(order, cursor), meanwhile)
        seen = Counter(r["id"] for r in rows)
        assert max(seen.values()) == 1 and set(ids) <= set(seen), order
        assert pages[0].total == len(ids) and pages[-1].total == len(ids) + len(extra)
        ids += extra
        if order is Order.ORG:
            assert [r["org"] for r in rows] == sorted(r["org"] for r in rows)


def test_a_page_says_how_many_follow_and_a_forged_cursor_is_refused(ketnap: Ketnap) -> None:
    _seed(ketnap, 7)
    first = ketnap.deadline_page(limit=3)
    assert (len(first.rows), first.total, first.more, first.has_more) == (3, 7, 4, True)
    third = ketnap.deadline_page(limit=3, offset=6)
    assert (len(third.rows), third.more, third.next_cursor) == (1, 0, None)
    with pytest.raises(BadCursor):
        ketnap.deadline_page(limit=3, cursor="bm90IGEgY3Vyc29y")
    with pytest.raises(BadCursor):
        ketnap.deadline_page(limit=3, cursor="WyIyMDI0LTAxLTAxIiwgIjEgT1IgMT0xIl0")  # ["2024-01-01", "1 OR 1=1"]


def test_working_days_left_count_the_holidays_of_each_year_the_deadline_spans(ketnap: Ketnap) -> None:
    """A deadline overdue since an earlier year: the page counts that year's public holidays too (Tết 2025 and
    2026, National Day...), as a day-by-day walk does, not only the current year's."""
    due = date(2025, 1, 20)  # before Tết 2025 (27/01 to 31/01 are days off)
    seed_due_deadlines(ketnap.engine, 1, due, date(2024, 12, 1), org="CB-01", prefix="tet")
    today = ketnap.today()
    (row,) = [r for r in ketnap.deadline_page(overdue=True, limit=100).rows if r["stream_id"] == "tet-000000"]
    days = [due + timedelta(days=n) for n in range(1, (today - due).days + 1)]
    weekdays = sum(d.weekday() < 5 for d in days)
    assert row["working_days_left"] == -sum(ketnap.calendar.is_working_day(d) for d in days)
    assert not ketnap.calendar.is_working_day(date(2025, 1, 29))  # a 2025 holiday on a Wednesday
    assert -row["working_days_left"] <= weekdays - 5  # at least Tết 2025's weekdays are not counted
