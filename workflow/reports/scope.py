"""An organisation subtree as reports see it: the root, its direct sub-units and which sub-unit each branch
reports through (DOMAIN.md section 8: "per-unit counts")."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection

from storage import organisations
from storage.organisations import Organisation
from workflow.service import OrganisationError


@dataclass
class Scope:
    root: Organisation
    orgs: dict[str, Organisation]
    children: dict[str | None, list[str]] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)  # the root and everything under it
    unit_of: dict[str, str] = field(default_factory=dict)  # code -> the root's direct sub-unit it belongs to

    @property
    def whole_tree(self) -> bool:
        """True when the subtree is every organisation: queries then need no IN list."""
        return len(self.codes) == len(self.orgs)

    @property
    def sub_units(self) -> list[Organisation]:
        return [self.orgs[c] for c in sorted(self.children.get(self.root.code, ()))]


def load_scope(conn: Connection, code: str) -> Scope:
    """Raises: OrganisationError when there is no organisation `code`."""
    orgs = {o.code: o for o in organisations.all_orgs(conn)}
    if code not in orgs:
        raise OrganisationError(f"no organisation with code {code!r}")
    children: dict[str | None, list[str]] = {}
    for org in orgs.values():
        children.setdefault(org.parent_code, []).append(org.code)
    scope = Scope(orgs[code], orgs, children)
    for unit in [code, *children.get(code, ())]:
        todo = [unit]
        while todo:
            current = todo.pop()
            scope.codes.add(current)
            scope.unit_of[current] = unit
            if current != code:
                todo.extend(children.get(current, ()))
    return scope


def percent(part: int | Decimal, whole: int | Decimal | None, decimals: int) -> float | None:
    """part / whole as a percentage rounded half up ("đạt 94,7% kế hoạch"); None when there is no base."""
    if not whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
