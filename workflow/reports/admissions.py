"""The admissions report for any organisation subtree and period, computed from the read model of the log.

What committees publish (DOMAIN.md section 8): admissions against every plan that applies with % achieved
(E2, E3, E8), the rate against the membership at the start of the year (E3, E4), breakdowns by category and by
sub-unit (E1, E5, E7), the same period of the previous year (E1), then the pipeline, a forecast, and the
recognitions and removals of probationary members. An admission counts on the date of the decision (party age
runs from it, D14) unless config.yaml's `reports.count_admissions_on` says `ceremony`.

Each admission counts for the organisation whose subtree held the admitting branch on the counted date (the tree
of that date, scope.py), so a past period's figures survive a later restructuring; a new organisation's report
over a period that began before it existed counts its predecessors' branches, as such, unless left out. Plans
and membership counts stay with the organisation they were entered for: a predecessor's plans are listed, not
counted as the successor's.
"""

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from states.organisations import Organisation, Tree
from storage import plans as plan_store
from storage import report_reads
from workflow.reports import historical, pipeline
from workflow.reports.categories import Categoriser, headings
from workflow.reports.periods import Period
from workflow.reports.plans import SOURCES, Plan, plans
from workflow.reports.scope import Scope, percent
from workflow.reports.settings import ReportSettings
from workflow.service import Ketnap

DATE_COLUMN = {"decision": "decided_on", "ceremony": "ceremony_on"}
ALL = "*"  # the key of every admission of the subtree (organisation codes never contain "*")


@dataclass(frozen=True)
class Admission:
    org: str  # the branch on the counted date (after merges and splits in force then)
    on: date  # the counting date
    categories: frozenset[str]
    unit: str  # the report root's direct sub-unit that held the branch that day (the root for its own branch)
    predecessor: str | None = None  # before the root existed: the organisation that held the branch then
    readmission: bool = False  # kết nạp lại (DOMAIN.md R1-R3), counted separately as well as in the total


class Counting:
    """Admissions of the subtree between two dates, sorted by date and grouped by sub-unit once, so that any
    window, unit or category is counted without scanning everything again."""

    def __init__(self, admissions: Sequence[Admission]) -> None:
        self.admissions = sorted(admissions, key=lambda a: a.on)
        self._by_unit: dict[str, list[Admission]] = {ALL: self.admissions}
        for a in self.admissions:
            self._by_unit.setdefault(a.unit, []).append(a)
        self._dates = {unit: [a.on for a in rows] for unit, rows in self._by_unit.items()}

    def _window(self, start: date, end: date, unit: str | None) -> list[Admission]:
        dates = self._dates.get(unit or ALL, [])
        return self._by_unit.get(unit or ALL, [])[bisect_left(dates, start):bisect_right(dates, end)]

    def count(self, start: date, end: date, *, unit: str | None = None, category: str | None = None) -> int:
        rows = self._window(start, end, unit)
        return len(rows) if category is None else sum(1 for a in rows if category in a.categories)

    def in_period(self, period: Period) -> list[Admission]:
        return self._window(period.start, period.end, None)


def _admissions(conn: Connection, scope: Scope, column: str, start: date, end: date,
                settings: ReportSettings) -> list[Admission]:
    """Every admission the root's subtree held on its counted date, its predecessors' included (marked), with
    the tree of that date: one placement per (branch, tree epoch), not per candidate, and categories, groups
    and organisation types worked out once per distinct record (categories.Categoriser)."""
    found = []
    judge = Categoriser(settings)
    types: dict[tuple[str, int], str | None] = {}  # (branch, tree epoch): its type that day (issue 20)
    history = scope.history
    for r in report_reads.admissions(conn, column, start, end, scope.codes(start, end)):
        # by position (report_reads.admissions's order): a province reads tens of thousands of rows
        cid, org, on, sex, birth, ethnicity, religion, youth_union, trade_union, categories, readmission = r
        place = scope.place(org, cid, on)
        if place is not None:
            held = judge.of(categories, sex, ethnicity, religion, youth_union, trade_union, birth, on)
            if settings.groups:  # issue 20: groups count like categories, by the type of the branch that day
                key = (place.branch, history.epoch(on))
                if key not in types:
                    types[key] = history.tree_on(on).type_of(place.branch)
                held = held | judge.groups(held, types[key])
            found.append(Admission(place.branch, on, held, place.unit, place.predecessor, bool(readmission)))
    return found


def _subtree_members(tree: Tree, code: str, counts: dict[str, int]) -> int | None:
    """The unit's own count; without one, the sum of its sub-units' counts in `tree` (None if none is known).
    Counts stay with the organisation they were entered for: a predecessor's count is not its successor's."""
    if code in counts:
        return counts[code]
    parts = [m for m in (_subtree_members(tree, c, counts) for c in tree.children(code)) if m is not None]
    return sum(parts) if parts else None


def _plan_window(plan: Plan, period: Period) -> tuple[date, date]:
    return plan.start, min(plan.end, period.end)


def _plan_target(plan: Plan, scope: Scope, members: dict[int, dict[str, int]], end: date) -> tuple[int | None, str]:
    """A total target, or the rate times the membership at the start of each year of the window (E4: "≥ 7% so
    với tổng số đảng viên đầu năm"), rounded up because the rate is a minimum."""
    if plan.total is not None:
        return plan.total, ""
    if plan.rate_percent is None:  # a term that only names its period (issue 20)
        return None, "no target"
    target, missing = 0, []
    for year in range(plan.first_year, end.year + 1):
        base = _subtree_members(scope.membership_tree(year), plan.org, members.get(year, {}))
        if base is None:
            missing.append(year)
        else:
            target += math.ceil(plan.rate_percent * base / 100)
    if missing:
        return None, f"membership missing for {', '.join(map(str, missing))}"
    return target, f"{plan.rate_percent}% of the membership at the start of each year"


def _plan_result(plan: Plan, scope: Scope, counting: Counting, period: Period, members: dict[int, dict[str, int]],
                 decimals: int, unit: str | None = None, names: dict[str, str] | None = None) -> dict[str, Any]:
    start, end = _plan_window(plan, period)
    target, note = _plan_target(plan, scope, members, end)
    admitted = counting.count(start, end, unit=unit)
    targets = [{"category": category, "heading": (names or {}).get(category, category), "target": wanted,
                "admissions": (n := counting.count(start, end, unit=unit, category=category)),
                "percent": percent(n, wanted, decimals)} for category, wanted in sorted(plan.targets.items())]
    return {**plan.as_dict(), "source_vi": SOURCES[plan.source], "window": {"start": start, "end": end},
            "to_date": end < plan.end, "target": target, "target_note": note,
            "admissions": admitted, "percent": percent(admitted, target, decimals), "targets": targets}


def _categories(admitted: Sequence[Admission], decimals: int, names: dict[str, str]) -> list[dict[str, Any]]:
    counts = Counter(c for a in admitted for c in a.categories)
    return [{"category": key, "heading": heading, "admissions": counts.get(key, 0),
             "percent_of_admissions": percent(counts.get(key, 0), len(admitted), decimals)}
            for key, heading in names.items()]


def _months(admitted: Sequence[Admission], period: Period) -> list[dict[str, Any]]:
    counts = Counter(f"{a.on.year}-{a.on.month:02d}" for a in admitted)
    months, day = [], period.start.replace(day=1)
    while day <= period.end:
        key = f"{day.year}-{day.month:02d}"
        months.append({"month": key, "admissions": counts.get(key, 0)})
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _rates(scope: Scope, unit: str | None, counting: Counting, period: Period, members: dict[int, dict[str, int]],
           decimals: int) -> list[dict[str, Any]]:
    """Admissions of each year of the period as % of the membership on 1 January of that year (E3, E4); `unit`
    None is the whole subtree."""
    rows = []
    for year in period.years:
        start, end = max(period.start, date(year, 1, 1)), min(period.end, date(year, 12, 31))
        base = _subtree_members(scope.membership_tree(year), unit or scope.root.code, members.get(year, {}))
        n = counting.count(start, end, unit=unit)
        rows.append({"year": year, "members": base, "admissions": n, "rate_percent": percent(n, base, decimals)})
    return rows


def admissions_report(app: Ketnap, org: str, period: Period, count_on: str | None = None, *,
                      predecessors: bool = True) -> dict[str, Any]:
    """The whole report as one JSON-ready document (the CLI prints it, exports it or renders it as tables).
    `predecessors` False leaves out what the organisation's branches did before it existed.

    Raises:
        OrganisationError: no organisation `org`.
    """
    settings = app.settings.reports
    counted_on = count_on or settings.count_admissions_on
    decimals = settings.percent_decimals
    as_of = min(app.today(), period.end)
    previous = period.previous()
    with app.uow.reading() as tx:
        scope = Scope(tx.org_history(), org, predecessors=predecessors)
        units = scope.sub_units(period.start, period.end)
        applying = plans(tx.conn, orgs=[scope.root.code, *(u.code for u in units)], period=period)
        earliest = min([previous.start, *(_plan_window(p, period)[0] for p in applying)])
        placed = _admissions(tx.conn, scope, DATE_COLUMN[counted_on], earliest, period.end, settings)
        members = plan_store.membership_counts(tx.conn, range(earliest.year, period.end.year + 1))
        status = pipeline.status(tx.conn, scope, period, as_of, counted_on, app.calendar)
        before = _predecessors_doc(tx.conn, scope, period, placed)
        past = historical.records_for(tx.conn, scope)  # totals of past periods (issue 13, item 5)
    counting = Counting([a for a in placed if a.predecessor is None or predecessors])
    admitted = counting.in_period(period)
    last_year = counting.count(previous.start, previous.end)
    rates = _rates(scope, None, counting, period, members, decimals)
    names = headings(settings)
    root, latest = scope.root_on(period.end), scope.root
    doc: dict[str, Any] = {
        "org": {"code": root.code, "name": root.name, "level": root.level,
                "founded_on": scope.founded_on, "ended_on": latest.ended_on, "ended_by": latest.ended_by,
                "successors": list(latest.successors)},
        "period": _period_doc(period), "as_of": as_of, "counted_on": counted_on,
        "admissions": len(admitted),
        "readmissions": sum(1 for a in admitted if a.readmission),
        "previous": {"period": _period_doc(previous), "admissions": last_year, "change": len(admitted) - last_year,
                     "change_percent": percent(len(admitted) - last_year, last_year, decimals)},
        "membership": rates,
        "rate_percent": rates[0]["rate_percent"] if len(rates) == 1 else None,
        "plans": [_plan_result(p, scope, counting, period, members, decimals, names=names) for p in applying
                  if p.org == scope.root.code],
        "predecessors": before,
        "categories": _categories(admitted, decimals, names),
        "sub_units": _sub_units(scope, units, counting, period, previous, applying, members, decimals, names),
        "months": _months(admitted, period),
    }
    doc.update(pipeline.forecast_doc(status, len(admitted), period, as_of))
    historical.add_to(doc, past, period, previous, decimals)
    return doc


def _predecessors_doc(conn: Connection, scope: Scope, period: Period,
                      placed: Sequence[Admission]) -> dict[str, Any] | None:
    """For a period that began before the organisation existed: who held its branches then, what they admitted
    in the period (counted here unless left out), and their plans for that time, listed as theirs (a plan
    was its committee's target, not the successor's)."""
    if scope.founded_on is None or not scope.before_founding(period.start):
        return None
    last_day = min(period.end, scope.founded_on - timedelta(days=1))
    counts = Counter(a.predecessor for a in placed if a.predecessor and period.contains(a.on))
    held = {o.code: o.name for o in scope.predecessors(period.start, last_day)}
    latest = scope.history.latest()
    held.update({code: latest.name(code) for code in counts if code not in held})
    before = Period(period.start, last_day, f"{period.start.isoformat()}..{last_day.isoformat()}")
    listed = plans(conn, orgs=sorted(held), period=before)
    return {"founded_on": scope.founded_on, "included": scope.with_predecessors,
            "period": _period_doc(before), "admissions": sum(counts.values()),
            "organisations": [{"code": code, "name": name, "admissions": counts.get(code, 0)}
                              for code, name in sorted(held.items())],
            "plans": [{**p.as_dict(), "org_name": held[p.org], "source_vi": SOURCES[p.source]} for p in listed]}


def _period_doc(period: Period) -> dict[str, Any]:
    return {"label": period.label, "start": period.start, "end": period.end}


def _sub_units(scope: Scope, sub_units: Sequence[Organisation], counting: Counting, period: Period,
               previous: Period, applying: Sequence[Plan], members: dict[int, dict[str, int]],
               decimals: int, names: dict[str, str]) -> list[dict[str, Any]]:
    units = [scope.root_on(period.end)] if counting.count(period.start, period.end, unit=scope.root.code) else []
    rows = []
    for unit in [*units, *sub_units]:
        own = unit.code == scope.root.code  # members of the root's own branch are not counted apart
        rates = [] if own else _rates(scope, unit.code, counting, period, members, decimals)
        rows.append({
            "code": unit.code, "name": unit.name, "own": own,
            "admissions": counting.count(period.start, period.end, unit=unit.code),
            "previous": counting.count(previous.start, previous.end, unit=unit.code),
            "members": rates[0]["members"] if rates else None,
            "rate_percent": rates[0]["rate_percent"] if len(rates) == 1 else None,
            "plans": [_plan_result(p, scope, counting, period, members, decimals, unit=unit.code, names=names)
                      for p in applying
                      if p.org == unit.code and unit.code != scope.root.code],
        })
    return rows
