"""The hash-chain check names each kind of tampering at its stream and version, on events in memory."""

import hashlib

import pytest

from states.events import Event
from states.hashing import GENESIS, event_hash
from tests.builders import history_until
from workflow.audit.chain import check_stream
from workflow.audit.checkpoint import merkle_root
from workflow.audit.findings import DELETED, EDITED, INSERTED, REORDERED, Finding


def stored(events: list[Event]) -> list[Event]:
    """As read back from the store: global positions in append order."""
    return [e._replace(position=i) for i, e in enumerate(events, start=1)]


def rechain(events: list[Event], start: int = 0) -> list[Event]:
    """Recompute prev_hash and hash from `start` on, as a careful forger would."""
    out = list(events[:start])
    for e in events[start:]:
        prev = out[-1].hash if out else GENESIS
        e = e._replace(prev_hash=prev)
        out.append(e._replace(hash=event_hash(e, prev)))
    return out


@pytest.fixture(scope="module")
def log() -> list[Event]:
    return stored(history_until("decide_admission"))


def kinds(found: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.kind, f.version) for f in found]


def test_an_untouched_stream_has_no_finding(log: list[Event]) -> None:
    assert check_stream(log) == []


def test_an_edited_payload_is_named_at_its_version(log: list[Event]) -> None:
    events = list(log)
    events[1] = events[1]._replace(payload={**events[1].payload, "helper": "Người khác"})
    assert kinds(check_stream(events)) == [(EDITED, 2)]


def test_an_edit_that_recomputes_its_own_hash_is_still_named(log: list[Event]) -> None:
    events = list(log)
    edited = events[2]._replace(effective_on=events[2].effective_on.replace(day=2))
    events[2] = edited._replace(hash=event_hash(edited, edited.prev_hash))
    assert kinds(check_stream(events)) == [(EDITED, 3)]


def test_a_deleted_event_is_named_by_the_missing_version(log: list[Event]) -> None:
    events = [e for e in log if e.version != 5]
    assert kinds(check_stream(events)) == [(DELETED, 5)]


def test_a_swapped_pair_is_named_as_reordered(log: list[Event]) -> None:
    a, b = log[2], log[3]
    events = [*log[:2], b._replace(version=3), a._replace(version=4), *log[4:]]
    assert kinds(check_stream(events)) == [(REORDERED, 3), (REORDERED, 4)]


def test_an_event_appended_with_a_consistent_hash_but_a_wrong_link_is_inserted(log: list[Event]) -> None:
    head, before = log[-1], log[-2]
    forged = head._replace(version=head.version + 1, type="collect_comments", payload={"sources": ["residence"]},
                     derived={}, prev_hash=before.hash, position=head.position + 1)  # type: ignore[operator]
    forged = forged._replace(hash=event_hash(forged, forged.prev_hash))
    assert kinds(check_stream([*log, forged])) == [(INSERTED, forged.version)]


def test_an_event_slipped_into_the_middle_is_inserted_and_the_rest_renumbered(log: list[Event]) -> None:
    k = 4
    forged = log[k - 1]._replace(type="assign_helper", payload={"helper": "Người lạ"}, derived={},
                     position=len(log) + 1)
    forged = forged._replace(hash=event_hash(forged, forged.prev_hash))
    shifted = [e._replace(version=e.version + 1) for e in log[k - 1:]]
    found = kinds(check_stream([*log[: k - 1], forged, *shifted]))
    assert found[0] == (INSERTED, k)
    assert all(kind == REORDERED for kind, _ in found[1:])


def test_a_stream_recomputed_consistently_passes_the_chain_alone(log: list[Event]) -> None:
    events = list(log)
    events[1] = events[1]._replace(payload={"helper": "Người khác"})
    assert check_stream(rechain(events, 1)) == []  # only a checkpoint can catch this


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written recursively from the definition."""
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])).digest()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_the_checkpoint_digest_is_the_rfc6962_merkle_root(n: int) -> None:
    heads = [(f"s{i:03d}", i + 1, f"{i:064x}") for i in range(n)]
    leaves = [f'["{s}",{v},"{h}"]'.encode() for s, v, h in heads]
    assert merkle_root(heads) == _reference_root(leaves).hex()


def test_the_digest_changes_with_any_head() -> None:
    heads = [("a", 3, "0" * 64), ("b", 2, "1" * 64)]
    assert merkle_root(heads) != merkle_root([("a", 3, "0" * 64), ("b", 2, "2" * 64)])
    assert merkle_root(heads) != merkle_root(heads[:1])
