"""The organisation tree: province, commune, upper, grassroots, branch (DOMAIN.md section 4, authority)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

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


def get(conn: Connection, code: str) -> Organisation | None:
    row = conn.execute(select(ORGS).where(ORGS.c.code == code)).first()
    return _org(row) if row else None


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
