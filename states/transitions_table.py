"""The transition table of PROCEDURE.md as data: which step is allowed in which stage, and where it moves.

A row with `dest=None` records a fact inside a stage and moves nothing. `None` as a source is a new
candidate (no stage yet).
"""

from dataclasses import dataclass

from states.stages import ACTIVE, Stage


@dataclass(frozen=True)
class Move:
    step: str
    sources: tuple[Stage | None, ...]
    dest: Stage | None = None


NEW = "new"  # the machine's name for "no stage yet"

TABLE: tuple[Move, ...] = (
    Move("identify", (None,), Stage.IDENTIFIED),
    Move("assign_helper", (Stage.IDENTIFIED,), Stage.MENTORED),
    Move("enrol_training", (Stage.MENTORED,), Stage.TRAINING_CLASS),
    Move("certify_training", (Stage.MENTORED, Stage.TRAINING_CLASS, Stage.VETTED)),
    Move("submit_application", (Stage.TRAINING_CLASS, Stage.VETTED)),
    Move("declare_history", (Stage.TRAINING_CLASS, Stage.VETTED)),
    Move("conclude_vetting", (Stage.TRAINING_CLASS,), Stage.VETTED),
    Move("introduce", (Stage.VETTED,)),
    Move("collect_comments", (Stage.VETTED,)),
    Move("branch_vote", (Stage.VETTED,)),
    Move("committee_vote", (Stage.VETTED,)),
    Move("decide_admission", (Stage.VETTED,), Stage.ADMITTED),
    Move("hold_ceremony", (Stage.ADMITTED,), Stage.PROBATIONARY),
    Move("submit_member_history", (Stage.PROBATIONARY,)),
    Move("certify_new_member_course", (Stage.PROBATIONARY,)),
    Move("review_vote", (Stage.PROBATIONARY,)),
    Move("committee_review_vote", (Stage.PROBATIONARY,)),
    Move("recognise_official", (Stage.PROBATIONARY,), Stage.OFFICIAL),
    Move("extend_deadline", (Stage.VETTED, Stage.PROBATIONARY)),  # D6 is open in VETTED, D12 in PROBATIONARY
    Move("drop", ACTIVE, Stage.DROPPED),
    Move("transfer", ACTIVE),
    # issue 13 item 6 (DOMAIN.md D16, P9): a probationary member's transfer is sent, then presented at the receiving
    # branch; the member belongs to the receiving branch from the day it receives the transfer
    Move("transfer_probationary", (Stage.PROBATIONARY,)),
    Move("transfer_received", (Stage.PROBATIONARY,)),
    Move("correct", (*Stage,)),
)

STEP_NAMES: tuple[str, ...] = tuple(m.step for m in TABLE)
MOVES: dict[tuple[Stage | None, str], Stage] = {
    (source, m.step): m.dest for m in TABLE if m.dest is not None for source in m.sources
}
ALLOWED_IN: dict[str, tuple[Stage | None, ...]] = {m.step: m.sources for m in TABLE}
