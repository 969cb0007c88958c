"""Contacts: how to reach the secretary or the office of an organisation (ARCHITECTURE.md decision 10)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.reminder_tables import ContactRow

CONTACTS = ContactRow.__table__  # type: ignore[attr-defined]
ROLES = ("secretary", "office")


@dataclass(frozen=True)
class Contact:
    org: str
    role: str
    email: str | None = None
    webhook_url: str | None = None
    name: str | None = None
    language: str = "vi"


def _contact(row: object) -> Contact:
    r: ContactRow = row  # type: ignore[assignment]
    return Contact(r.org, r.role, r.email, r.webhook_url, r.name, r.language)


def get(conn: Connection, org: str, role: str) -> Contact | None:
    row = conn.execute(select(CONTACTS).where(CONTACTS.c.org == org, CONTACTS.c.role == role)).first()
    return _contact(row) if row else None


def put(conn: Connection, contact: Contact, now: datetime | None = None) -> None:
    """Create or replace the contact of (org, role)."""
    values = {"org": contact.org, "role": contact.role, "email": contact.email, "webhook_url": contact.webhook_url,
              "name": contact.name, "language": contact.language, "updated_at": (now or datetime.now(UTC))}
    insert = postgresql.insert(CONTACTS) if conn.dialect.name == "postgresql" else sqlite.insert(CONTACTS)
    stmt = insert.values(values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["org", "role"],
                                            set_={k: stmt.excluded[k] for k in values if k not in ("org", "role")}))


def all_contacts(conn: Connection, org: str | None = None) -> list[Contact]:
    query = select(CONTACTS).order_by(CONTACTS.c.org, CONTACTS.c.role)
    if org is not None:
        query = query.where(CONTACTS.c.org == org)
    return [_contact(r) for r in conn.execute(query)]
