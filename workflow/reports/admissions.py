"""The admissions report for any organisation subtree and period, computed from the read model of the log.

What committees publish (DOMAIN.md section 8): admissions against every plan that applies with % achieved
(E2, E3, E8), the rate against the membership at the start of the year (E3, E4), breakdowns by category and by
sub-unit (E1, E5, E7), the same period of the previous year (E1), then the pipeline, a forecast, and the
recognitions and removals of probationary members. An admission counts on the date of the decision (party age
runs from it, D14) unless config.yaml's `reports.count_admissions_on` says `ceremony`.
"""

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from storage.report_tables import MembershipRow
from workflow.reports import pipeline, readmodel
from workflow.reports.categories import HEADINGS, categories_of
from workflow.reports.periods import Period
from workflow.reports.plans import SOURCES, Plan, plans
from workflow.reports.readmodel import FACTS
from workflow.reports.scope import Scope, load_scope, percent
from workflow.reports.settings import ReportSettings
from workflow.service import Ketnap

MEMBERSHIP = MembershipRow.__table__  # type: ignore[attr-defined]
DATE_COLUMN = {"decision": "decided_on", "ceremony": "ceremony_on"}
ALL = "*"  # the key of every admission of the subtree (organisation codes never contain "*")


@dataclass(frozen=True)
class Admission:
    org: str  # the branch on the decision date
    on: date  # the counting date
    categories: frozenset[str]


class Counting:
    """Admissions of the subtree between two dates, sorted by date and grouped by sub-unit once, so that any
    window, unit or category is counted without scanning everything again."""

    def __init__(self, admissions: Sequence[Admission], scope: Scope) -> None:
        self.scope = scope
        self.admissions = sorted(admissions, key=lambda a: a.on)
        self._by_unit: dict[str, list[Admission]] = {ALL: self.admissions}
        for a in self.admissions:
            self._by_unit.setdefault(scope.unit_of.get(a.org, ""), []).append(a)
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
    when = FACTS.c[column]
    query = select(FACTS.c.admitted_org, when.label("on"), FACTS.c.sex, FACTS.c.birth_date, FACTS.c.ethnicity,
                   FACTS.c.religion, FACTS.c.youth_union, FACTS.c.trade_union, FACTS.c.categories,
                   ).where(when >= start, when <= end, FACTS.c.decided_on.is_not(None))
    if not scope.whole_tree:
        query = query.where(FACTS.c.admitted_org.in_(sorted(scope.codes)))
    rows = conn.execute(query).all()
    return [Admission(r.admitted_org, r.on, frozenset(categories_of(r._mapping, r.on, settings))) for r in rows]


def _members(conn: Connection, years: Iterable[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {y: {} for y in years}
    for r in conn.execute(select(MEMBERSHIP).where(MEMBERSHIP.c.year.in_(list(counts)))):
        counts[r.year][r.org] = r.members
    return counts


def _subtree_members(scope: Scope, code: str, counts: dict[str, int]) -> int | None:
    """The unit's own count; without one, the sum of its sub-units' counts (None if none is known)."""
    if code in counts:
        return counts[code]
    parts = [m for m in (_subtree_members(scope, c, counts) for c in scope.children.get(code, ())) if m is not None]
    return sum(parts) if parts else None


def _plan_window(plan: Plan, period: Period) -> tuple[date, date]:
    return date(plan.first_year, 1, 1), min(date(plan.last_year, 12, 31), period.end)


def _plan_target(plan: Plan, scope: Scope, members: dict[int, dict[str, int]], end: date) -> tuple[int | None, str]:
    """A total target, or the rate times the membership at the start of each year of the window (E4: "≥ 7% so
    với tổng số đảng viên đầu năm"), rounded up because the rate is a minimum."""
    if plan.total is not None:
        return plan.total, ""
    assert plan.rate_percent is not None
    target, missing = 0, []
    for year in range(plan.first_year, end.year + 1):
        base = _subtree_members(scope, plan.org, members.get(year, {}))
        if base is None:
            missing.append(year)
        else:
            target += math.ceil(plan.rate_percent * base / 100)
    if missing:
        return None, f"membership missing for {', '.join(map(str, missing))}"
    return target, f"{plan.rate_percent}% of the membership at the start of each year"


def _plan_result(plan: Plan, counting: Counting, period: Period, members: dict[int, dict[str, int]],
                 decimals: int, unit: str | None = None) -> dict[str, Any]:
    start, end = _plan_window(plan, period)
    target, note = _plan_target(plan, counting.scope, members, end)
    admitted = counting.count(start, end, unit=unit)
    targets = [{"category": category, "heading": HEADINGS[category], "target": wanted,
                "admissions": (n := counting.count(start, end, unit=unit, category=category)),
                "percent": percent(n, wanted, decimals)} for category, wanted in sorted(plan.targets.items())]
    return {**plan.as_dict(), "source_vi": SOURCES[plan.source], "window": {"start": start, "end": end},
            "to_date": end < date(plan.last_year, 12, 31), "target": target, "target_note": note,
            "admissions": admitted, "percent": percent(admitted, target, decimals), "targets": targets}


def _categories(admitted: Sequence[Admission], decimals: int) -> list[dict[str, Any]]:
    counts = Counter(c for a in admitted for c in a.categories)
    return [{"category": key, "heading": heading, "admissions": counts.get(key, 0),
             "percent_of_admissions": percent(counts.get(key, 0), len(admitted), decimals)}
            for key, heading in HEADINGS.items()]


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
        base = _subtree_members(scope, unit or scope.root.code, members.get(year, {}))
        n = counting.count(start, end, unit=unit)
        rows.append({"year": year, "members": base, "admissions": n, "rate_percent": percent(n, base, decimals)})
    return rows


def admissions_report(app: Ketnap, org: str, period: Period, count_on: str | None = None) -> dict[str, Any]:
    """The whole report as one JSON-ready document (the CLI prints it, exports it or renders it as tables).

    Raises:
        OrganisationError: no organisation `org`.
    """
    settings = app.settings.reports
    counted_on = count_on or settings.count_admissions_on
    decimals = settings.percent_decimals
    readmodel.refresh(app)
    as_of = min(app.today(), period.end)
    previous = period.previous()
    with app.uow.reading() as tx:
        scope = load_scope(tx.conn, org)
        applying = plans(tx.conn, orgs=[scope.root.code, *(u.code for u in scope.sub_units)], period=period)
        earliest = min([previous.start, *(_plan_window(p, period)[0] for p in applying)])
        counting = Counting(_admissions(tx.conn, scope, DATE_COLUMN[counted_on], earliest, period.end, settings),
                            scope)
        members = _members(tx.conn, range(earliest.year, period.end.year + 1))
        status = pipeline.status(tx.conn, scope, period, as_of, counted_on, app.calendar)
    admitted = counting.in_period(period)
    before = counting.count(previous.start, previous.end)
    rates = _rates(scope, None, counting, period, members, decimals)
    doc: dict[str, Any] = {
        "org": {"code": scope.root.code, "name": scope.root.name, "level": scope.root.level},
        "period": _period_doc(period), "as_of": as_of, "counted_on": counted_on,
        "admissions": len(admitted),
        "previous": {"period": _period_doc(previous), "admissions": before, "change": len(admitted) - before,
                     "change_percent": percent(len(admitted) - before, before, decimals)},
        "membership": rates,
        "rate_percent": rates[0]["rate_percent"] if len(rates) == 1 else None,
        "plans": [_plan_result(p, counting, period, members, decimals) for p in applying
                  if p.org == scope.root.code],
        "categories": _categories(admitted, decimals),
        "sub_units": _sub_units(scope, counting, period, previous, applying, members, decimals),
        "months": _months(admitted, period),
    }
    doc.update(pipeline.forecast_doc(status, len(admitted), period, as_of))
    return doc


def _period_doc(period: Period) -> dict[str, Any]:
    return {"label": period.label, "start": period.start, "end": period.end}


def _sub_units(scope: Scope, counting: Counting, period: Period, previous: Period, applying: Sequence[Plan],
               members: dict[int, dict[str, int]], decimals: int) -> list[dict[str, Any]]:
    units = [scope.root] if counting.count(period.start, period.end, unit=scope.root.code) else []
    rows = []
    for unit in [*units, *scope.sub_units]:
        own = unit.code == scope.root.code  # members of the root's own branch are not counted apart
        rates = [] if own else _rates(scope, unit.code, counting, period, members, decimals)
        rows.append({
            "code": unit.code, "name": unit.name, "own": own,
            "admissions": counting.count(period.start, period.end, unit=unit.code),
            "previous": counting.count(previous.start, previous.end, unit=unit.code),
            "members": rates[0]["members"] if rates else None,
            "rate_percent": rates[0]["rate_percent"] if len(rates) == 1 else None,
            "plans": [_plan_result(p, counting, period, members, decimals, unit=unit.code) for p in applying
                      if p.org == unit.code and unit.code != scope.root.code],
        })
    return rows
