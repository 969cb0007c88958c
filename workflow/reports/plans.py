"""Plans (kế hoạch, chỉ tiêu) per organisation and period, and membership counts at the start of each year.

An organisation may hold several plans for one period: its own resolution's target and the one assigned by the
upper level ("đạt 155% nghị quyết và 100% kế hoạch tỉnh giao"). A plan has a total target, or a rate of the
membership at the start of each year (E3: 3-4%; E4: 7%), and optional sub-targets by category (E3, E7).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import Connection

from states.errors import RuleViolation
from states.text import Line
from storage import organisations
from storage import plans as plan_store
from workflow.commands import Command
from workflow.errors import PlanError as PlanError  # re-exported: its home is workflow/errors.py (no tables)
from workflow.reports.categories import headings
from workflow.reports.periods import Period
from workflow.reports.rules import violation
from workflow.service import Ketnap

SOURCES: dict[str, str] = {"resolution": "Nghị quyết (tự đề ra)", "assigned": "Cấp trên giao"}
YEAR = Field(ge=1930, le=2100)  # the Party was founded in 1930


@dataclass(frozen=True)
class Plan:
    id: int
    org: str
    first_year: int
    last_year: int
    source: str
    name: str
    document: str | None
    total: int | None
    rate_basis_points: int | None
    targets: dict[str, int] = field(default_factory=dict)
    starts_on: date | None = None  # a term from its congress's date (issue 20); None: 1 January of first_year
    ends_on: date | None = None  # None: 31 December of last_year

    @property
    def start(self) -> date:
        return self.starts_on or date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return self.ends_on or date(self.last_year, 12, 31)

    def period(self) -> Period:
        """The plan's own span as a report period, named as the plan is ("Nghị quyết Đại hội 2020-2025")."""
        return Period(self.start, self.end, self.name or self.period_label)

    @property
    def period_label(self) -> str:
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}-{self.last_year}"

    @property
    def rate_percent(self) -> Decimal | None:
        return None if self.rate_basis_points is None else Decimal(self.rate_basis_points) / 100

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "org": self.org, "period": self.period_label, "first_year": self.first_year,
                "last_year": self.last_year, "source": self.source, "name": self.name, "document": self.document,
                "total": self.total, "rate_percent": None if self.rate_percent is None else float(self.rate_percent),
                "targets": dict(self.targets), "starts_on": self.starts_on, "ends_on": self.ends_on}


class SetPlan(Command):
    org: str = Field(min_length=1, max_length=64)
    first_year: int = YEAR
    last_year: int = YEAR
    source: str = "resolution"
    name: Line = Field(default="", max_length=300)
    document: Line | None = Field(default=None, max_length=300)
    total: int | None = Field(default=None, ge=0, le=10_000_000)
    rate_percent: Decimal | None = Field(default=None, gt=0, le=100)
    targets: dict[str, int] = Field(default_factory=dict)  # a category or a group (checked by set_plan)
    starts_on: date | None = None  # a term from its congress's date, within first_year
    ends_on: date | None = None  # to its end, within last_year

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        return value

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: dict[str, int]) -> dict[str, int]:
        if any(v < 0 for v in value.values()):
            raise ValueError("a sub-target cannot be negative")
        return value

    @model_validator(mode="after")
    def _shape(self) -> "SetPlan":
        if self.last_year < self.first_year:
            raise ValueError("the last year is before the first year")
        if self.total is not None and self.rate_percent is not None:
            raise ValueError("give either a total target or a rate of the membership, not both")
        if self.total is None and self.rate_percent is None and self.starts_on is None:
            raise ValueError("give a total target or a rate of the membership (only a term with its congress's "
                             "date may have none)")
        if self.starts_on is not None and self.starts_on.year != self.first_year:
            raise ValueError("the term's first day is not in its first year")
        if self.ends_on is not None and self.ends_on.year != self.last_year:
            raise ValueError("the term's last day is not in its last year")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("the term ends before it starts")
        return self

    @property
    def rate_basis_points(self) -> int | None:
        if self.rate_percent is None:
            return None
        return int((self.rate_percent * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _require_org(conn: Connection, code: str) -> None:
    if organisations.get(conn, code) is None:
        raise PlanError(f"no organisation with code {code!r}")


def check_targets(cmd: SetPlan, known: dict[str, str]) -> None:
    """Every sub-target names a category or a configured group, and none exceeds a total target.

    Raises:
        RuleViolation: every problem, each naming the field (Chỉ tiêu theo đối tượng)."""
    found = [violation("plan_target_unknown", field="targets", key=key, known=", ".join(known))
             for key in sorted(cmd.targets) if key not in known]
    if cmd.total is not None:
        found += [violation("plan_target_over_total", field="targets", key=key, heading=known[key], target=n,
                            total=cmd.total)
                  for key, n in sorted(cmd.targets.items()) if key in known and n > cmd.total]
    if found:
        raise RuleViolation("plan set", found)


def set_plan(app: Ketnap, cmd: SetPlan, actor: str) -> Plan:
    """Create the plan, or replace the one with the same organisation, period, source and name.

    Raises:
        RuleViolation: a sub-target names no category or group, or exceeds the total; nothing is written."""
    check_targets(cmd, headings(app.settings.reports))
    values = {"document": cmd.document, "total": cmd.total, "rate_basis_points": cmd.rate_basis_points,
              "starts_on": cmd.starts_on, "ends_on": cmd.ends_on, "created_at": app.clock.now(), "actor": actor}
    key = {"org": cmd.org, "first_year": cmd.first_year, "last_year": cmd.last_year, "source": cmd.source,
           "name": cmd.name}
    with app.uow.transaction() as tx:
        _require_org(tx.conn, cmd.org)
        found = plan_store.save_plan(tx.conn, key, values, cmd.targets)
        return plans(tx.conn, ids=[found])[0]


def remove_plan(app: Ketnap, plan_id: int) -> None:
    with app.uow.transaction() as tx:
        if not plan_store.delete_plan(tx.conn, plan_id):
            raise PlanError(f"no plan with id {plan_id}")


def plans(conn: Connection, *, orgs: Iterable[str] | None = None, period: Period | None = None,
          ids: Iterable[int] | None = None) -> list[Plan]:
    """Plans of `orgs` whose years overlap `period`, ordered by organisation, period and source."""
    years = None if period is None else (period.start.year, period.end.year)
    rows = plan_store.plan_rows(conn, orgs=orgs, years=years, ids=ids)
    targets = plan_store.plan_targets(conn, [r.id for r in rows]) if rows else {}
    return [Plan(r.id, r.org, r.first_year, r.last_year, r.source, r.name, r.document, r.total,
                 r.rate_basis_points, targets.get(r.id, {}), r.starts_on, r.ends_on) for r in rows]


def term(conn: Connection, org: str, name: str) -> Plan:
    """The plan of `org` named `name` ("Nghị quyết Đại hội 2020-2025"): its span is a report period.

    Raises:
        PlanError: no plan of the organisation has this name."""
    found = [p for p in plans(conn, orgs=[org]) if p.name == name]
    if not found:
        raise PlanError(f"no plan of {org} is named {name!r} (`ketnap plan list --org {org}`)")
    return found[0]


# --- membership at the start of the year ----------------------------------------------------------------------

def set_membership(app: Ketnap, org: str, year: int, members: int, actor: str) -> None:
    """Record the membership of `org` on 1 January of `year` (the base of the admission rate, E3, E4)."""
    if not 1930 <= year <= 2100 or members < 0:
        raise PlanError(f"membership {members} for {year} is not valid")
    with app.uow.transaction() as tx:
        _require_org(tx.conn, org)
        plan_store.set_membership(tx.conn, org, year, members, app.clock.now(), actor)


def membership_rows(conn: Connection, org: str | None = None) -> list[dict[str, Any]]:
    """Every membership count (of `org` only, if given), by organisation and year."""
    return plan_store.membership_rows(conn, org)
