"""Plans with their sub-targets by category, and membership counts at the start of each year: reference data
that committee offices enter (the tables are in storage/report_tables.py).

A plan is known by its organisation, years, source and name: saving it again replaces its values and its
sub-targets, so a committee corrects a plan by entering it again.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from storage.report_tables import MembershipRow, PlanRow, PlanTargetRow

PLANS = PlanRow.__table__  # type: ignore[attr-defined]
TARGETS = PlanTargetRow.__table__  # type: ignore[attr-defined]
MEMBERSHIP = MembershipRow.__table__  # type: ignore[attr-defined]


def save_plan(conn: Connection, key: Mapping[str, Any], values: Mapping[str, Any],
              targets: Mapping[str, int]) -> int:
    """Insert the plan known by `key` (org, first_year, last_year, source, name), or replace the values and the
    sub-targets of the one stored; returns its id."""
    found = conn.execute(select(PLANS.c.id).where(*(PLANS.c[k] == v for k, v in key.items()))).scalar()
    if found is None:
        found = conn.execute(PLANS.insert().values(**key, **values).returning(PLANS.c.id)).scalar_one()
    else:
        conn.execute(PLANS.update().where(PLANS.c.id == found).values(**values))
        conn.execute(delete(TARGETS).where(TARGETS.c.plan_id == found))
    if targets:
        conn.execute(TARGETS.insert(), [{"plan_id": found, "category": k, "target": v}
                                        for k, v in sorted(targets.items())])
    return int(found)


def delete_plan(conn: Connection, plan_id: int) -> bool:
    """Delete the plan and its sub-targets; False when there was no such plan."""
    conn.execute(delete(TARGETS).where(TARGETS.c.plan_id == plan_id))
    return bool(conn.execute(delete(PLANS).where(PLANS.c.id == plan_id)).rowcount)


def plan_rows(conn: Connection, *, orgs: Iterable[str] | None = None, years: tuple[int, int] | None = None,
              ids: Iterable[int] | None = None) -> list[Any]:
    """Plans of `orgs` whose years overlap `years` (first, last), or with these `ids`, ordered by organisation,
    years and source: rows of every column of the plan table."""
    query = select(PLANS).order_by(PLANS.c.org, PLANS.c.first_year, PLANS.c.last_year, PLANS.c.source, PLANS.c.id)
    if orgs is not None:
        query = query.where(PLANS.c.org.in_(list(orgs)))
    if years is not None:
        query = query.where(PLANS.c.first_year <= years[1], PLANS.c.last_year >= years[0])
    if ids is not None:
        query = query.where(PLANS.c.id.in_(list(ids)))
    return list(conn.execute(query).all())


def plan_targets(conn: Connection, plan_ids: list[int]) -> dict[int, dict[str, int]]:
    """The sub-targets {category: target} of each of `plan_ids` that has any."""
    targets: dict[int, dict[str, int]] = {}
    for t in conn.execute(select(TARGETS).where(TARGETS.c.plan_id.in_(plan_ids))):
        targets.setdefault(t.plan_id, {})[t.category] = t.target
    return targets


def set_membership(conn: Connection, org: str, year: int, members: int, now: datetime, actor: str) -> None:
    """Record (or replace) the membership of `org` on 1 January of `year`."""
    values = {"members": members, "updated_at": now, "actor": actor}
    updated = conn.execute(MEMBERSHIP.update().where(MEMBERSHIP.c.org == org, MEMBERSHIP.c.year == year)
                           .values(**values)).rowcount
    if not updated:
        conn.execute(MEMBERSHIP.insert().values(org=org, year=year, **values))


def membership_rows(conn: Connection, org: str | None = None) -> list[dict[str, Any]]:
    """Every membership count (of `org` only, if given), by organisation and year."""
    query = select(MEMBERSHIP).order_by(MEMBERSHIP.c.org, MEMBERSHIP.c.year)
    if org is not None:
        query = query.where(MEMBERSHIP.c.org == org)
    return [dict(r._mapping) for r in conn.execute(query)]


def membership_counts(conn: Connection, years: Iterable[int]) -> dict[int, dict[str, int]]:
    """{year: {org: members}} for each of `years`, empty for a year with no count."""
    counts: dict[int, dict[str, int]] = {y: {} for y in years}
    for r in conn.execute(select(MEMBERSHIP).where(MEMBERSHIP.c.year.in_(list(counts)))):
        counts[r.year][r.org] = r.members
    return counts
