"""What an audit finds: one named problem per stream and version, collected into a report."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Kinds of finding, from the hash chain, the checkpoint, the rules and the projections.
EDITED = "edited"  # the stored fields no longer hash to the stored hash
DELETED = "deleted"  # a version is missing from the stream
INSERTED = "inserted"  # a self-consistent event that the chain does not lead to
REORDERED = "reordered"  # an event sits at another version, or global order disagrees with versions
BROKEN_LINK = "broken_link"  # prev_hash does not name the event before, and nothing explains it better
STREAM_DELETED = "stream_deleted"  # a stream covered by a checkpoint is gone
TRUNCATED = "truncated"  # a stream lost events up to its head at the checkpoint
REWRITTEN = "rewritten"  # the event at a checkpointed head no longer has the hash recorded then
UNCOVERED = "uncovered"  # events placed before the checkpoint's last position that it did not cover
CHECKPOINT = "checkpoint"  # the checkpoint itself is unknown or its stored heads do not give its digest
RULE_BROKEN = "rule_broken"  # the step breaks a rule of the rule set in force on its date
RULE_SET_MISMATCH = "rule_set_mismatch"  # the stored rule set is not the one in force on the event's date
REPLAY_FAILED = "replay_failed"  # the stream cannot be replayed at all
PROJECTION = "projection"  # a candidate or deadline row differs from the replay
# The actor, a user, did not hold what the step needs when it was recorded (workflow/audit/actors.py).
ACTOR_ROLE = "actor_role_not_allowed"  # their role then did not record this step (or the step it corrects)
ACTOR_SCOPE = "actor_out_of_scope"  # the candidate's branch, or the one named, was outside their organisations
ACTOR_INACTIVE = "actor_inactive"  # their account was deactivated then

TAMPER_KINDS = frozenset({EDITED, DELETED, INSERTED, REORDERED, BROKEN_LINK, STREAM_DELETED, TRUNCATED,
                          REWRITTEN, UNCOVERED, CHECKPOINT})


@dataclass(frozen=True)
class Finding:
    kind: str
    stream_id: str
    version: int | None
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "stream_id": self.stream_id, "version": self.version, "detail": self.detail,
                **({"data": self.data} if self.data else {})}

    def __str__(self) -> str:
        where = f"{self.stream_id}#{self.version}" if self.version is not None else self.stream_id
        return f"{self.kind}: {where}: {self.detail}"


@dataclass
class Report:
    """Counts grow with the log; findings grow only with the problems found, and with `keep` only up to it.

    `keep`: hold at most the first `keep` findings in (candidate, version, kind) order (the page shown), while
    `found` and the counts by kind take in every one; None holds them all (`audit verify --all`)."""

    streams: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None
    # events per "rule set + guidance" that judged them (DOMAIN.md section 7 caveat: two documents, two dates)
    judged_under: Counter[str] = field(default_factory=Counter)
    keep: int | None = None
    found: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.found == 0

    def add(self, found: list[Finding]) -> None:
        self.found += len(found)
        self.kinds.update(f.kind for f in found)
        self.findings.extend(found)
        if self.keep is not None and len(self.findings) > 2 * self.keep + 1000:
            self.sort()  # memory: twice the page, not every problem of a broken log

    def sort(self) -> None:
        """In (candidate, version, kind) order, cut to `keep`."""
        self.findings.sort(key=lambda f: (f.stream_id, f.version or 0, f.kind))
        if self.keep is not None:
            del self.findings[self.keep:]

    @property
    def more(self) -> int:
        """Findings found but not held (not shown)."""
        return self.found - len(self.findings)

    def counts(self) -> dict[str, int]:
        return dict(sorted(self.kinds.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "streams": self.streams, "events": self.events, "counts": self.counts(),
                "judged_under": dict(sorted(self.judged_under.items())),
                "checkpoint": self.checkpoint, "findings": [f.as_dict() for f in self.findings],
                "findings_total": self.found, "findings_more": self.more}
