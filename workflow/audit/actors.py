"""Whether the actor of each event, when a user, held a role and organisations allowing it when the event was
recorded (issue 11, item 1): the same judgement as the service's (workflow/access.py `recording_denial`), with
what the user held at the event's `recorded_at` (storage/user_history.py) instead of what they hold now.

An actor that is no user at that moment (the CLI's operator, an import, the demo, a name given to a user only
later) is not judged: the server's operator may record anything. The organisations a user could record in are
taken from the tree as every organisation change recorded by that moment left it (what the service saw), and,
for logs whose organisation changes were recorded after their steps (the organisation log added by an upgrade,
a late restructuring), also from the tree in force on the step's date: a step is outside the user's scope only
when neither covers it.
"""

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime

from states.errors import RuleViolation
from states.events import Event
from states.organisations import Tree
from storage.organisations import history_of
from storage.user_history import Held, UserHistory
from workflow.access import AccessDenied, named_org, read_scope, recording_denial, recording_orgs, write_scope
from workflow.audit.findings import ACTOR_INACTIVE, ACTOR_ROLE, ACTOR_SCOPE, Finding
from workflow.audit.orgs import OrgDirectory
from workflow.clock import VIETNAM

ROLES_VI = {"admin": "quản trị", "secretary": "bí thư chi bộ", "committee": "văn phòng cấp ủy",
            "auditor": "kiểm tra"}


def _when(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


class ActorCheck:
    """Built once per audit (a worker builds its own): users' histories and the trees by recording time."""

    def __init__(self, users: UserHistory, orgs: OrgDirectory) -> None:
        self.users, self.orgs = users, orgs
        self._log = sorted(orgs.events, key=lambda e: (e.recorded_at, e.position or 0))
        self._recorded = [e.recorded_at for e in self._log]
        self._trees: dict[int, Tree] = {}
        self._scopes: dict[tuple[str, int, tuple[str, ...]], frozenset[str]] = {}
        self._split = {code for code, org in orgs.latest.orgs.items() if org.ended_by == "split"}
        self._verdicts: dict[tuple[object, ...], AccessDenied | None] = {}  # `Held`s live as long as this

    def findings(self, events: list[Event]) -> list[Finding]:
        """The findings of one stream, in version order."""
        found: list[Finding] = []
        known = self.users.by_username
        if not known or not any(e.actor in known for e in events):
            return found  # most streams, in a log written by the operator, an import or the demo
        branch: str | None = None  # the candidate's branch before each event, as recorded
        for index, event in enumerate(events):
            named = named_org(event.type, event.payload)
            held = self.users.held(event.actor, event.recorded_at)
            if held is not None:
                problem = self._judge(events, index, recording_orgs(event.type, event.payload, branch), held)
                if problem is not None:
                    found.append(problem)
            branch = named or branch
        return found

    def _judge(self, events: Sequence[Event], index: int, orgs: list[str], held: Held) -> Finding | None:
        """The finding for `events[index]`, judged on the events before it, or None."""
        event = events[index]
        if not held.active:
            return self._finding(ACTOR_INACTIVE, event, held, f"{event.actor} was deactivated",
                                 f"tài khoản {event.actor} đã bị khóa")
        covered = _Covered(self, event, held)
        key = self._verdict_key(event, orgs, held)
        if key is not None and key in self._verdicts:
            denied = self._verdicts[key]
        else:
            try:
                denied = recording_denial(held.role, event.type, event.payload, events[:index], orgs, covered)
            except RuleViolation:
                return None  # a malformed correction: the rules' recheck reports it (rule_broken)
            if key is not None:
                self._verdicts[key] = denied
        if denied is None:
            return None
        if denied.code == "out_of_scope":
            outside = ", ".join(sorted(c for c in set(orgs) if c not in covered))
            return self._finding(ACTOR_SCOPE, event, held, str(denied),
                                 f"tổ chức {outside} không thuộc phạm vi của {event.actor}",
                                 {"outside": outside})
        role_vi = ROLES_VI.get(held.role, held.role)
        return self._finding(ACTOR_ROLE, event, held, str(denied),
                             f"{event.actor} ({role_vi}) không được ghi nhận bước {event.type}"
                             + (" (sửa một bước do vai trò khác ghi nhận)" if event.type == "correct" else ""))

    def _finding(self, kind: str, event: Event, held: Held, en: str, vi: str,
                 extra: dict[str, str] | None = None) -> Finding:
        detail = (f"{event.type} recorded by {event.actor} ({held.role} of {', '.join(held.orgs)} since "
                  f"{held.valid_from.isoformat()}): {en}")
        return Finding(kind, event.stream_id, event.version, detail, {
            "step": event.type, "actor": event.actor, "role": held.role, "orgs": list(held.orgs),
            "held_since": held.valid_from.isoformat(), "recorded_at": event.recorded_at.isoformat(),
            "message_vi": f"{vi} vào {_when(event.recorded_at)}.", "message_en": f"{en} at {event.recorded_at}",
            **(extra or {})})

    def _verdict_key(self, event: Event, orgs: list[str], held: Held) -> tuple[object, ...] | None:
        """What a step's judgement depends on, when it does not depend on the candidate itself: the same user's
        same step in the same organisations between the same organisation changes is judged once. A correction
        (it reads the history) and a branch ended by a split (its candidates went to different successors) are
        judged every time."""
        if event.type == "correct" or any(code in self._split for code in orgs):
            return None
        return (id(held), event.type, *orgs, None, bisect_right(self._recorded, event.recorded_at),
                self.orgs.history.epoch(event.effective_on))

    def covers(self, code: str, event: Event, held: Held) -> bool:
        """Whether `held` let its user record for `code` when `event` was recorded (see the module's note)."""
        count = bisect_right(self._recorded, event.recorded_at)
        then = self._tree_recorded(count)
        if then.current(code, event.stream_id) in self._scope("write", count, then, held.orgs):
            return True
        on = event.effective_on
        tree = self.orgs.history.tree_on(on)
        scope = self._scope("read", -1 - self.orgs.history.epoch(on), tree, held.orgs)
        return code in scope or tree.current(code, event.stream_id) in scope

    def _tree_recorded(self, count: int) -> Tree:
        tree = self._trees.get(count)
        if tree is None:
            tree = self._trees[count] = history_of(self._log[:count]).latest()
        return tree

    def _scope(self, kind: str, key: int, tree: Tree, roots: tuple[str, ...]) -> frozenset[str]:
        memo = (kind, key, roots)
        found = self._scopes.get(memo)
        if found is None:
            found = self._scopes[memo] = write_scope(tree, roots) if kind == "write" else read_scope(tree, roots)
        return found


class _Covered:
    """The organisations a user could record in when an event was recorded, as `recording_denial` asks."""

    def __init__(self, check: ActorCheck, event: Event, held: Held) -> None:
        self.check, self.event, self.held = check, event, held

    def __contains__(self, code: object) -> bool:
        return self.check.covers(str(code), self.event, self.held)
