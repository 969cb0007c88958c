"""The report by type of grassroots organisation (loại hình tổ chức cơ sở đảng) and by group (issue 20).

What blocs of agencies and enterprises publish ("90 tổ chức cơ sở đảng: 60 cơ quan, đơn vị sự nghiệp, 29 doanh
nghiệp, 1 loại hình khác"; "kết nạp 586 đảng viên, trong doanh nghiệp 177"): for one organisation's subtree and
any period (a year, a congress term from its congress's date, a span up to a date), per configured type and per
group of config.yaml `reports.groups`:

- the grassroots organisations living on the period's last day (the tree of that day: a rearrangement changes
  the count from its date on, and the count of an earlier day stays what it was);
- the members at the start of the period's last year (membership counts of each grassroots organisation, or the
  sum of its sub-units', by the type the organisation had on 1 January);
- the admissions counted in the period, each under the type of its branch on the counted date;
- the trainees of the Party-awareness classes held in the subtree and starting in the period, under the type
  of their branch on the class's first day.

A type is the organisation's own or, for a branch, its grassroots organisation's (states/organisations.py
`Tree.type_of`). An organisation counts in a group by its type; a new member or a trainee by their type or one
of their categories (workflow/reports/categories.py `groups_of`). This module only reads: the admissions
report's figures (admissions.py) are not touched by it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from states.organisations import OrgHistory, Tree
from storage import plans as plan_store
from storage import report_reads
from workflow.reports.admissions import DATE_COLUMN
from workflow.reports.categories import Categoriser, categories_of, groups_of
from workflow.reports.classes import list_classes, roster
from workflow.reports.labels import COUNTED_ON_VI
from workflow.reports.periods import Period, PeriodError
from workflow.reports.plans import term
from workflow.reports.scope import Scope
from workflow.reports.settings import ReportSettings
from workflow.reports.xlsx import Column, Sheet
from workflow.service import Ketnap

NO_TYPE = "_none"  # the row of organisations with no type recorded
NO_TYPE_VI = "Chưa xác định loại hình"
MEASURES = ("organisations", "members", "admissions", "trainees")


@dataclass(frozen=True)
class Counted:
    """One thing counted: under which type, and in which groups."""

    org_type: str | None
    groups: frozenset[str]


def so_far(period: Period, as_of: date | None) -> Period:
    """`period` cut at `as_of` ("đến nay"): the figures so far of a term or a year still running.

    Raises:
        PeriodError: `as_of` is before the period starts."""
    if as_of is None or as_of >= period.end:
        return period
    if as_of < period.start:
        raise PeriodError(f"{period.label} up to {as_of.isoformat()}")
    return Period(period.start, as_of, f"{period.label} (đến {as_of.strftime('%d/%m/%Y')})")


def term_period(app: Ketnap, org: str, name: str) -> Period:
    """The span of the plan named `name` ("Nghị quyết Đại hội 2020-2025"): from its congress's date to its end.

    Raises:
        PlanError: the organisation has no plan of that name."""
    with app.uow.reading() as tx:
        return term(tx.conn, org, name).period()


def _members(tree: Tree, code: str, counts: dict[str, int]) -> int | None:
    """The organisation's own count; without one, the sum of its sub-units' (None if none is known)."""
    if code in counts:
        return counts[code]
    parts = [m for m in (_members(tree, c, counts) for c in tree.children(code)) if m is not None]
    return sum(parts) if parts else None


def _organisations(tree: Tree, root: str) -> list[tuple[Counted, int]]:
    return [(Counted(o.org_type, frozenset()), 1) for o in tree.grassroots([root]) if o.code != root]


def _membership(conn: Connection, history: OrgHistory, root: str, year: int) -> tuple[list[tuple[Counted, int]],
                                                                                         int | None]:
    counts = plan_store.membership_counts(conn, [year])[year]
    tree = history.tree_on(date(year, 1, 1))
    found = []
    for org in tree.grassroots([root]):
        if org.code != root:
            members = _members(tree, org.code, counts)
            if members is not None:
                found.append((Counted(org.org_type, frozenset()), members))
    return found, _members(tree, root, counts)


def _admissions(conn: Connection, scope: Scope, column: str, period: Period,
                settings: ReportSettings) -> list[tuple[Counted, int]]:
    found = []
    judge, history = Categoriser(settings), scope.history
    types: dict[tuple[str, int], str | None] = {}  # (branch, tree epoch): its type, worked out once
    for r in report_reads.admissions(conn, column, period.start, period.end, scope.codes(period.start, period.end)):
        place = scope.place(r.admitted_org, r.id, r.on)
        if not scope.counts(place):
            continue
        assert place is not None
        key = (place.branch, history.epoch(r.on))
        if key not in types:
            types[key] = history.tree_on(r.on).type_of(place.branch)
        org_type = types[key]
        found.append((Counted(org_type, judge.groups(judge.categories(r._mapping, r.on), org_type)), 1))
    return found


def _trainees(conn: Connection, scope: Scope, period: Period,
              settings: ReportSettings) -> tuple[list[tuple[Counted, int]], int]:
    """Trainees of the classes held in the subtree (their organiser placed there on the first day, never as a
    predecessor's, as class_stats counts them), and how many classes."""
    found, held = [], 0
    for klass in list_classes(conn, scope.codes(period.start, period.end), period):
        if not scope.counts(scope.place(klass.organiser, "", klass.starts_on)):
            continue
        held += 1
        tree = scope.history.tree_on(klass.starts_on)
        for m in roster(conn, klass):
            org_type = tree.type_of(m["org"])
            cats = categories_of(m, klass.starts_on, settings)
            found.append((Counted(org_type, frozenset(groups_of(cats, org_type, settings))), 1))
    return found, held


def _by_org_type(counted: list[tuple[Counted, int]], groups_by_type: dict[str, set[str]]) -> tuple[Counter[str],
                                                                                                 Counter[str]]:
    """(per type, per group): an organisation's groups come from its type, a person's were worked out already."""
    per_type: Counter[str] = Counter()
    per_group: Counter[str] = Counter()
    for what, n in counted:
        per_type[what.org_type or NO_TYPE] += n
        in_groups = what.groups or frozenset(groups_by_type.get(what.org_type or "", set()))
        for group in in_groups:
            per_group[group] += n
    return per_type, per_group


def type_report(app: Ketnap, org: str, period: Period, *, as_of: date | None = None,
                count_on: str | None = None, predecessors: bool = True) -> dict[str, Any]:
    """The report as one JSON-ready document: `rows` per type (config order, then "no type"), `groups`, `total`,
    each with organisations, members, admissions and trainees.

    Raises:
        OrganisationError: no organisation `org`.
        PeriodError: `as_of` is before the period starts.
    """
    settings = app.settings
    reports = settings.reports
    counted_on = count_on or reports.count_admissions_on
    period = so_far(period, as_of)
    groups_by_type: dict[str, set[str]] = {}
    for key, group in reports.groups.items():
        for org_type in group.org_types:
            groups_by_type.setdefault(org_type, set()).add(key)
    with app.uow.reading() as tx:
        history = tx.org_history()
        scope = Scope(history, org, predecessors=predecessors)
        year = period.end.year
        members, members_total = _membership(tx.conn, history, scope.root.code, year)
        trainees, classes_held = _trainees(tx.conn, Scope(history, org, predecessors=False), period, reports)
        measures = {
            "organisations": _organisations(history.tree_on(period.end), scope.root.code),
            "members": members,
            "admissions": _admissions(tx.conn, scope, DATE_COLUMN[counted_on], period, reports),
            "trainees": trainees,
        }
    split = {name: _by_org_type(counted, groups_by_type) for name, counted in measures.items()}
    types = {**settings.org_types, NO_TYPE: NO_TYPE_VI}
    rows = [{"key": key, "heading": heading, **{name: split[name][0].get(key, 0) for name in MEASURES}}
            for key, heading in types.items()]
    rows = [r for r in rows if r["key"] != NO_TYPE or any(r[name] for name in MEASURES)]
    groups = [{"key": key, "heading": group.vi, **{name: split[name][1].get(key, 0) for name in MEASURES}}
              for key, group in reports.groups.items()]
    total = {name: sum(n for _, n in measures[name]) for name in MEASURES}
    root = scope.root_on(period.end)
    return {
        "org": {"code": root.code, "name": root.name},
        "period": {"label": period.label, "start": period.start, "end": period.end},
        "organisations_on": period.end, "members_year": year, "counted_on": counted_on,
        "members_of_root": members_total, "classes_held": classes_held,
        "rows": rows, "groups": groups, "total": total,
    }


def of_which(heading: str) -> str:
    """A group's row under the total: "Trong doanh nghiệp" becomes "Trong đó: doanh nghiệp"."""
    return f"Trong đó: {heading[len('Trong '):] if heading.startswith('Trong ') else heading}"


# --- Excel: the layout sent upward (docs/ORG_TYPES.md "Excel layout") -------------------------------------------

def type_sheets(doc: dict[str, Any]) -> list[Sheet]:
    """Rows: every type numbered (STT), the total, then each group ("Trong đó: ..."); columns: the four
    measures as whole numbers. A second sheet says what the figures cover."""
    day = doc["organisations_on"].strftime("%d/%m/%Y")
    columns = [Column("no", "STT"), Column("heading", "Loại hình tổ chức cơ sở đảng"),
               Column("organisations", f"Số tổ chức cơ sở đảng (đến {day})", "int"),
               Column("members", f"Đảng viên đầu năm {doc['members_year']}", "int"),
               Column("admissions", "Kết nạp đảng viên", "int"),
               Column("trainees", "Học viên lớp bồi dưỡng nhận thức về Đảng", "int")]
    rows: list[dict[str, Any]] = [{**r, "no": str(i)} for i, r in enumerate(doc["rows"], start=1)]
    rows.append({**doc["total"], "no": "", "heading": "Tổng số"})
    rows += [{**g, "no": "", "heading": of_which(g["heading"])} for g in doc["groups"]]
    period = doc["period"]
    about = [
        {"item": "Tổ chức", "value": f"{doc['org']['name']} ({doc['org']['code']})"},
        {"item": "Kỳ báo cáo", "value": period["label"]},
        {"item": "Từ ngày", "value": period["start"]},
        {"item": "Đến ngày", "value": period["end"]},
        {"item": "Số lớp bồi dưỡng nhận thức về Đảng", "value": doc["classes_held"]},
        {"item": "Kết nạp tính theo ngày", "value": COUNTED_ON_VI.get(doc["counted_on"], doc["counted_on"])},
    ]
    return [Sheet("Theo loại hình", columns, rows),
            Sheet("Thông tin", [Column("item", "Nội dung"), Column("value", "Giá trị", "auto")], about)]
