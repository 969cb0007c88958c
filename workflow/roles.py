"""The four roles of a ketnap user. What each may do is decided in workflow/access.py; the names live here,
without the storage and the procedure, so `ketnap user add --help` lists them at once (issue 14)."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    AUDITOR = "auditor"
