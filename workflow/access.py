"""Who may see and do what (ARCHITECTURE.md decision 11).

Every user has one role and one or more organisations; they see those organisations and everything under them
(states/organisations.py, Tree.subtree). Secretaries record the branch's steps, committee users record the
committee's votes and decisions (DOMAIN.md V2, S10, S15), auditors only read, admins manage users and
organisations. Which step belongs to whom is a question of office, not of the procedure, so it lives here
and not in states/.
"""

from dataclasses import dataclass
from enum import StrEnum

from states.steps import STEPS
from storage.users import User


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    AUDITOR = "auditor"


# The grassroots or upper committee's own acts: its votes (V2, S15) and its decisions (S10, D13).
COMMITTEE_STEPS = frozenset({"committee_vote", "decide_admission", "committee_review_vote", "recognise_official"})
# Either office may take someone off the list: the branch (off_list, withdrew) or the committee (not_admitted,
# removed_from_probation, which need its decision number).
SHARED_STEPS = frozenset({"drop"})


class AccessDenied(Exception):
    """The user is signed in but may not do this; the message is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class OutOfScope(LookupError):
    """Something outside the user's organisations: answered as 'not found', so it does not leak existence."""


class NotSignedIn(Exception):
    """No valid session or token; the API answers 401, pages send the user to the sign-in form."""

    def __init__(self, code: str = "unauthenticated", message: str = "sign in or send a bearer token") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Principal:
    """The signed-in user with the set of organisation codes they may see, for one request."""

    user: User
    scope: frozenset[str]
    via: str  # "session" or "token"
    token_id: int | None = None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def actor(self) -> str:
        """What every event this user records carries as its actor."""
        return self.user.username

    def sees(self, org: str | None) -> bool:
        return org is not None and org in self.scope

    def may_record(self, step: str) -> bool:
        return step in recordable_steps(self.role)

    def require_org(self, org: str) -> None:
        """Raises: OutOfScope."""
        if not self.sees(org):
            raise OutOfScope(org)

    def require_step(self, step: str) -> None:
        """Raises: AccessDenied naming who records this step."""
        if self.role in (Role.AUDITOR, Role.ADMIN):
            raise AccessDenied("read_only", f"a user with role {self.role} records no steps")
        if not self.may_record(step):
            owner = Role.COMMITTEE if step in COMMITTEE_STEPS else Role.SECRETARY
            raise AccessDenied("wrong_role", f"{step} is recorded by a {owner}, not a {self.role}")

    def require_writer(self) -> None:
        """Auditors change nothing, not even their own tokens (an operator issues them with the CLI).

        Raises: AccessDenied.
        """
        if self.role is Role.AUDITOR:
            raise AccessDenied("read_only", "auditors read and change nothing")

    def require_role(self, *roles: Role) -> None:
        """Raises: AccessDenied."""
        if self.role not in roles:
            raise AccessDenied("forbidden", f"only {', '.join(roles)} may do this")


def owners(step: str) -> list[str]:
    """The roles that record `step`; a correction is recorded by whoever records the step it corrects."""
    if step == "correct":
        return []
    return [r.value for r in (Role.SECRETARY, Role.COMMITTEE) if step in recordable_steps(r)]


def recordable_steps(role: Role) -> frozenset[str]:
    if role is Role.SECRETARY:
        return frozenset(STEPS) - COMMITTEE_STEPS
    if role is Role.COMMITTEE:
        return COMMITTEE_STEPS | SHARED_STEPS | {"correct"}
    return frozenset()
