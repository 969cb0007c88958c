"""Recompute one stream's hash chain and name what broke it (ARCHITECTURE.md decision 3).

Each event's hash covers its own fields and the hash before it, so an edit breaks the event's own hash, a
deletion leaves a version gap, an insertion leaves an event the chain does not lead to, and a swap leaves
events whose hash only matches another version number.
"""

from collections.abc import Container, Sequence

from states.events import Event
from states.hashing import GENESIS, event_hash
from workflow.audit.findings import BROKEN_LINK, DELETED, EDITED, INSERTED, REORDERED, Finding


def hash_holds(e: Event) -> bool:
    """The stored hash is the hash of the stored fields and the stored prev_hash."""
    try:
        return event_hash(e, e.prev_hash) == e.hash
    except (TypeError, ValueError):  # a value the canonical form cannot hold is itself an edit
        return False


def _recorded_version(e: Event, candidates: range) -> int | None:
    """The version number under which this event's fields were hashed, if it is not the one it has now."""
    for version in candidates:
        if version != e.version and hash_holds(e._replace(version=version)):
            return version
    return None


_PRIORITY = {INSERTED: 4, REORDERED: 3, EDITED: 2, BROKEN_LINK: 1}


def _put(found: dict[int, Finding], finding: Finding) -> None:
    """One finding per stored version: the most specific explanation wins."""
    assert finding.version is not None
    current = found.get(finding.version)
    if current is None or _PRIORITY.get(finding.kind, 5) > _PRIORITY.get(current.kind, 5):
        found[finding.version] = finding


def check_stream(events: Sequence[Event], verified: Container[int] = ()) -> list[Finding]:
    """Every break in one stream's chain (events ordered by stored version), at most one finding per version.

    Each event is placed at the version its fields were hashed with ("recorded"); links are then followed by
    hash, so a swap, a renumbering, a fork and a re-hashed edit each get their own name."""
    if not events:
        return []
    own = [e.position in verified or hash_holds(e) for e in events]  # verified: positions whose hash holds
    if all(own) and _intact(events):
        return []
    stream = events[0].stream_id
    found: dict[int, Finding] = {}
    recorded = _recorded_versions(events, own, found)
    _missing_versions(stream, recorded, found)
    by_hash = {e.hash: (e, r) for e, r in zip(events, recorded, strict=True)}
    at_version = {r: (e, ok) for e, r, ok in zip(events, recorded, own, strict=True)}
    linked_to = {e.prev_hash for e in events}
    for e, r in zip(events, recorded, strict=True):
        _check_link(e, r, by_hash, at_version, linked_to, found)
    _forks(events, found)
    _check_positions(events, found)
    return [found[v] for v in sorted(found)]


def _intact(events: Sequence[Event]) -> bool:
    """Versions 1..n in order, each linking to the one before from the genesis on, positions growing: with
    every own hash holding, none of the checks below can find anything (an audit's usual stream)."""
    previous_hash, previous_position = GENESIS, None
    for expected, e in enumerate(events, start=1):
        if e.version != expected or e.prev_hash != previous_hash or (
                e.position is not None and previous_position is not None and e.position < previous_position):
            return False
        previous_hash, previous_position = e.hash, e.position
    return True


def _recorded_versions(events: Sequence[Event], own: list[bool], found: dict[int, Finding]) -> list[int]:
    last = events[-1].version
    recorded = []
    for e, ok in zip(events, own, strict=True):
        moved = None if ok else _recorded_version(e, range(1, last + 2))
        if not ok and moved is not None:
            _put(found, Finding(REORDERED, e.stream_id, e.version, f"recorded as version {moved}, now stored as "
                                f"version {e.version}", {"recorded_as": moved}))
        elif not ok:
            _put(found, Finding(EDITED, e.stream_id, e.version, "the stored fields no longer match the event's "
                                "hash (edited after it was recorded)"))
        recorded.append(moved if moved is not None else e.version)
    return recorded


def _missing_versions(stream: str, recorded: list[int], found: dict[int, Finding]) -> None:
    present = set(recorded)
    missing = [v for v in range(1, max(present) + 1) if v not in present]
    runs: list[list[int]] = []
    for v in missing:
        if runs and runs[-1][-1] == v - 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    for run in runs:
        names = ", ".join(str(v) for v in run)
        found.setdefault(run[0], Finding(DELETED, stream, run[0], f"version{'s' if len(run) > 1 else ''} "
                                         f"{names} missing from the stream", {"missing": run}))


def _check_link(e: Event, r: int, by_hash: dict[str, tuple[Event, int]],
                at_version: dict[int, tuple[Event, bool]], linked_to: set[str], found: dict[int, Finding]) -> None:
    """Event e (recorded as version r) must link to the event recorded as version r - 1."""
    if e.prev_hash == GENESIS:
        if r != 1:
            _put(found, Finding(INSERTED, e.stream_id, e.version, "it starts a new chain in the middle of a stream"))
        return
    parent = by_hash.get(e.prev_hash)
    if parent is not None:
        if parent[1] != r - 1 and r - 1 in at_version:
            _put(found, Finding(INSERTED, e.stream_id, e.version, f"it links to version {parent[1]}, not to "
                                f"version {r - 1}: added to the chain later"))
        return
    before = at_version.get(r - 1)
    if before is None:
        return  # the version before was deleted: already named
    previous, previous_ok = before
    if previous_ok and previous.hash not in linked_to:
        _put(found, Finding(EDITED, previous.stream_id, previous.version, "edited and re-hashed: the next event "
                            "still links to its old hash"))
    elif previous_ok:
        _put(found, Finding(BROKEN_LINK, e.stream_id, e.version, f"it does not link to version {r - 1}"))


def _forks(events: Sequence[Event], found: dict[int, Finding]) -> None:
    """Two events linking to the same parent: the one stored later was added to the chain."""
    claims: dict[str, list[Event]] = {}
    for e in events:
        claims.setdefault(e.prev_hash, []).append(e)
    for claimants in claims.values():
        if len(claimants) < 2:
            continue
        ordered = sorted(claimants, key=lambda x: (x.position if x.position is not None else x.version))
        for extra in ordered[1:]:
            _put(found, Finding(INSERTED, extra.stream_id, extra.version, f"it links to the same event as version "
                                f"{ordered[0].version} and was stored after it: added to the chain later"))


def _check_positions(events: Sequence[Event], found: dict[int, Finding]) -> None:
    """Global positions must grow with versions: the store appends a stream in order."""
    for earlier, later in zip(events, events[1:], strict=False):
        if (earlier.position is not None and later.position is not None and later.position < earlier.position
                and later.version not in found and earlier.version not in found):
            found[later.version] = Finding(REORDERED, later.stream_id, later.version,
                                           f"stored before version {earlier.version} in the global order "
                                           f"(position {later.position} < {earlier.position})")
