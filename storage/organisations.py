"""The organisation tree: province, commune, upper, grassroots, branch (DOMAIN.md section 4, authority)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.engine import Dialect

from storage import driver_sql
from storage.driver_sql import DriverStatement
from storage.tables import OrganisationRow

ORGS = OrganisationRow.__table__  # type: ignore[attr-defined]
LEVELS = ("province", "commune", "upper", "grassroots", "branch")


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    level: str
    parent_code: str | None
    admits: bool


def _org(row: object) -> Organisation:
    return Organisation(row.code, row.name, row.level, row.parent_code, bool(row.admits))  # type: ignore[attr-defined]


_GET_COLUMNS = (ORGS.c.code, ORGS.c.name, ORGS.c.level, ORGS.c.parent_code, ORGS.c.admits)
_GET = select(*_GET_COLUMNS).where(ORGS.c.code == bindparam("code"))


def _get_statement(dialect: Dialect) -> DriverStatement:
    return DriverStatement(_GET, dialect, result_types=[c.type for c in _GET_COLUMNS])


def get(conn: Connection, code: str) -> Organisation | None:
    """Steps look organisations up (identify, decide_admission, ...): a driver statement (driver_sql.py)."""
    rows = driver_sql.statement(conn, "organisation.get", _get_statement).rows(conn, {"code": code})
    if not rows:
        return None
    org_code, name, level, parent_code, admits = rows[0]
    return Organisation(org_code, name, level, parent_code, bool(admits))


def add(conn: Connection, org: Organisation, now: datetime | None = None) -> None:
    conn.execute(ORGS.insert().values(code=org.code, name=org.name, level=org.level, parent_code=org.parent_code,
                                      admits=org.admits, created_at=now or datetime.now(UTC)))


def all_orgs(conn: Connection) -> list[Organisation]:
    return [_org(r) for r in conn.execute(select(ORGS).order_by(ORGS.c.code))]


def ancestors(conn: Connection, code: str, limit: int = 10) -> list[Organisation]:
    """The organisation itself and its parents, nearest first."""
    chain: list[Organisation] = []
    current = get(conn, code)
    while current is not None and len(chain) < limit:
        chain.append(current)
        current = get(conn, current.parent_code) if current.parent_code else None
    return chain


def subtree_codes(conn: Connection, roots: Sequence[str]) -> set[str]:
    """Every organisation code under (and including) `roots`."""
    children: dict[str | None, list[str]] = {}
    for org in all_orgs(conn):
        children.setdefault(org.parent_code, []).append(org.code)
    found, todo = set(), list(roots)
    while todo:
        code = todo.pop()
        if code not in found:
            found.add(code)
            todo.extend(children.get(code, ()))
    return found
