"""Historical records in the admissions report (issue 13, item 5): the totals an organisation entered for past
periods (states/history_records.py) added to the admissions counted from candidates, marked as such.

The rule for a record's period against the report's: a record counts only when its period lies wholly inside
the report's period; one that straddles a bound is listed as `partial`, not counted (its figures cannot be
split by date), with a note; one wholly outside is not shown. A record counts for the report's root when the
root's subtree held the record's organisation on the record's last day (the tree of that date, as an
admission is placed on its counted date, workflow/reports/scope.py), a predecessor's record only when
predecessors are included.

What a record adds: the total, the re-admissions and each category it gives. Plans, months, sub-units and the
membership rate count candidates only: a record has no dates inside its period. The previous period counts
records wholly inside it, so the change is like for like.

Kept apart from admissions.py (one function that reads, one that adds to the document) so that report changes
elsewhere merge without touching it.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from states.history_records import HistoricalRecord, in_force
from storage import history_records as store
from workflow.reports.categories import HEADINGS
from workflow.reports.periods import Period
from workflow.reports.scope import Scope, percent

MARK_VI, MARK_EN = "số liệu lịch sử (không xét lại)", "historical record (not re-judged)"
PARTIAL_NOTE = ("kỳ số liệu chỉ nằm một phần trong kỳ báo cáo: không tính (không chia được theo ngày)",
                "the record's period lies only partly inside the report's: not counted (its figures cannot be "
                "split by date)")


def records_for(conn: Connection, scope: Scope) -> list[tuple[HistoricalRecord, str | None]]:
    """The records in force that count for the scope's root, each with the predecessor that held its
    organisation (None when the root's subtree did)."""
    found = []
    for record in in_force(store.load_events(conn)):
        place = scope.place(record.org, "", record.end)
        if scope.counts(place):
            assert place is not None
            found.append((record, place.predecessor))
    return found


def part(records: Sequence[tuple[HistoricalRecord, str | None]], period: Period) -> dict[str, Any]:
    """What the records add to a report over `period`: counted ones (wholly inside), partial ones (listed)."""
    counted = [(r, p) for r, p in records if r.inside(period.start, period.end)]
    partial = [(r, p) for r, p in records if r.overlaps(period.start, period.end)
               and not r.inside(period.start, period.end)]
    categories: Counter[str] = Counter()
    for r, _ in counted:
        categories.update(r.categories)
    return {"mark_vi": MARK_VI, "mark_en": MARK_EN,
            "admissions": sum(r.admitted for r, _ in counted),
            "readmissions": sum(r.readmitted for r, _ in counted),
            "categories": dict(sorted(categories.items())),
            "records": [_row(r, p) for r, p in counted],
            "partial": [{**_row(r, p), "note_vi": PARTIAL_NOTE[0], "note_en": PARTIAL_NOTE[1]} for r, p in partial]}


def _row(record: HistoricalRecord, predecessor: str | None) -> dict[str, Any]:
    return {**record.as_dict(), "predecessor": predecessor}


def add_to(doc: dict[str, Any], records: Sequence[tuple[HistoricalRecord, str | None]], period: Period,
           previous: Period, decimals: int) -> None:
    """Add the records to the report document: `admissions` becomes the total of both sources, with
    `recorded_admissions` (from candidates) and `historical` (this part) beside it."""
    now, before = part(records, period), part(records, previous)
    doc["historical"] = now
    doc["recorded_admissions"] = doc["admissions"]
    doc["admissions"] += now["admissions"]
    doc["readmissions"] += now["readmissions"]
    for row in doc["categories"]:
        row["admissions"] += now["categories"].get(row["category"], 0)
    for row in doc["categories"]:
        row["percent_of_admissions"] = percent(row["admissions"], doc["admissions"], decimals)
    last = doc["previous"]
    last["admissions"] += before["admissions"]
    last["change"] = doc["admissions"] - last["admissions"]
    last["change_percent"] = percent(last["change"], last["admissions"], decimals)
    last["historical_admissions"] = before["admissions"]


def headings() -> dict[str, str]:
    """The categories a record may give, with their headings (the report's)."""
    return dict(HEADINGS)


def recorded_in(scope: Scope, admissions: Sequence[tuple[str, str, date]]) -> int:
    """How many of `admissions` (branch, candidate id, counted date) the scope's root held: the candidates
    a historical record of the root over the same dates would count a second time."""
    return sum(1 for org, cid, on in admissions if scope.counts(scope.place(org, cid, on)))
