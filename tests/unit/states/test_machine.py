"""The stage machine against PROCEDURE.md's step table, written out here by hand (not read from states/)."""

from collections import deque

import pytest

from states.candidate import Candidate
from states.decide import decide
from states.errors import StepNotAllowed, UnknownStep
from states.machine import machine_for
from states.stages import ACTIVE, TERMINAL, Stage
from tests.builders import calendar, make_step, rulebook
from tests.unit.states.helpers import STANDARD, run

ID, MEN, TRN, VET, ADM, PRO, OFF, DRP = (Stage.IDENTIFIED, Stage.MENTORED, Stage.TRAINING_CLASS, Stage.VETTED,
                                         Stage.ADMITTED, Stage.PROBATIONARY, Stage.OFFICIAL, Stage.DROPPED)
NON_TERMINAL = (ID, MEN, TRN, VET, ADM, PRO)
EVERY_STAGE: tuple[Stage | None, ...] = (None, *Stage)

# PROCEDURE.md, Steps: step -> (allowed in, moves to); None as a source is "(new)", None as a target "-".
PROCEDURE: dict[str, tuple[tuple[Stage | None, ...], Stage | None]] = {
    "identify": ((None,), ID),
    "assign_helper": ((ID,), MEN),
    "enrol_training": ((MEN,), TRN),
    "certify_training": ((MEN, TRN, VET), None),
    "submit_application": ((TRN, VET), None),
    "declare_history": ((TRN, VET), None),
    "conclude_vetting": ((TRN,), VET),
    "introduce": ((VET,), None),
    "collect_comments": ((VET,), None),
    "branch_vote": ((VET,), None),
    "committee_vote": ((VET,), None),
    "decide_admission": ((VET,), ADM),
    "hold_ceremony": ((ADM,), PRO),
    "submit_member_history": ((PRO,), None),
    "certify_new_member_course": ((PRO,), None),
    "review_vote": ((PRO,), None),
    "committee_review_vote": ((PRO,), None),
    "recognise_official": ((PRO,), OFF),
    "extend_deadline": ((VET, PRO), None),
    "drop": (NON_TERMINAL, DRP),
    "transfer": (NON_TERMINAL, None),
    # issue 13 item 6 (DOMAIN.md D16, P9), not yet in PROCEDURE.md's table (README says so)
    "transfer_probationary": ((PRO,), None),
    "transfer_received": ((PRO,), None),
    "correct": ((*Stage,), None),
}
RULE_SETS = ("qd29-2016", "qd24-2021", "qd232-2025", "qd294-2025")
CASES = [(step, stage) for step in PROCEDURE for stage in EVERY_STAGE]


def _label(stage: Stage | None) -> str:
    return "new" if stage is None else stage.value


@pytest.mark.parametrize(("step", "stage"), CASES, ids=[f"{s}-{_label(g)}" for s, g in CASES])
def test_each_step_is_allowed_exactly_in_its_stages(step: str, stage: Stage | None) -> None:
    sources, target = PROCEDURE[step]
    machine = machine_for("qd294-2025")
    after = machine.fire(stage, step)
    if stage in sources:
        assert after == (target or stage)
        assert step in machine.steps_from(stage)
    else:
        assert after is None
        assert step not in machine.steps_from(stage)


def test_the_machine_knows_exactly_the_steps_of_procedure_md() -> None:
    machine = machine_for("qd294-2025")
    known = {step for stage in EVERY_STAGE for step in machine.steps_from(stage)}
    assert known == set(PROCEDURE)


@pytest.mark.parametrize("rule_set", RULE_SETS)
def test_every_rule_set_has_the_same_moves(rule_set: str) -> None:
    machine = machine_for(rule_set)
    for step, stage in CASES:
        allowed = stage in PROCEDURE[step][0]
        assert (machine.fire(stage, step) is not None) is allowed, (step, stage)


@pytest.mark.parametrize("stage", EVERY_STAGE, ids=_label)
def test_no_automatic_transitions(stage: Stage | None) -> None:
    machine = machine_for("qd294-2025")
    assert not [t for t in machine.steps_from(stage) if t.startswith("to_")]
    for target in Stage:
        assert machine.fire(stage, f"to_{target.value}") is None


def test_decide_has_no_back_door_to_official() -> None:
    on = STANDARD[0][1]
    with pytest.raises(UnknownStep) as err:
        decide(Candidate("c-1", stage=VET), make_step("to_official", on), rulebook().for_date(on), calendar())
    assert err.value.step == "to_official"


@pytest.mark.parametrize("stage", sorted(TERMINAL), ids=str)
def test_terminal_stages_have_no_moving_steps(stage: Stage) -> None:
    machine = machine_for("qd294-2025")
    assert machine.steps_from(stage) == ["correct"]
    assert all(machine.fire(stage, step) == stage for step in machine.steps_from(stage))


@pytest.mark.parametrize("stage", ACTIVE, ids=str)
def test_every_active_stage_can_reach_a_terminal_one(stage: Stage) -> None:
    machine = machine_for("qd294-2025")
    seen, todo = {stage}, deque([stage])
    while todo:
        here = todo.popleft()
        for step in machine.steps_from(here):
            nxt = machine.fire(here, step)
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen & TERMINAL == TERMINAL  # both official (the way forward) and dropped (the way out)


@pytest.mark.parametrize("rule_set", RULE_SETS)
def test_one_machine_per_rule_set_without_registered_models(rule_set: str) -> None:
    assert machine_for(rule_set) is machine_for(rule_set)
    run(STANDARD)  # a whole admission through decide and replay
    engine = machine_for(rule_set)._machine  # the library object, looked at only to prove no model is kept
    assert engine.models == []
    assert engine.auto_transitions is False


def test_rule_sets_do_not_share_a_machine() -> None:
    assert len({id(machine_for(r)) for r in RULE_SETS}) == len(RULE_SETS)


@pytest.mark.parametrize(("step", "stage"), [
    ("hold_ceremony", VET), ("decide_admission", ADM), ("assign_helper", PRO), ("drop", OFF), ("transfer", DRP),
    ("identify", ID),
])
def test_decide_refuses_a_step_outside_its_stages_and_lists_the_allowed_ones(step: str, stage: Stage) -> None:
    on = STANDARD[-1][1]
    with pytest.raises(StepNotAllowed) as err:
        decide(Candidate("c-1", stage=stage), make_step(step, on), rulebook().for_date(on), calendar())
    expected = {s for s, (sources, _) in PROCEDURE.items() if stage in sources}
    assert set(err.value.allowed) == expected
    assert step in str(err.value) and stage.value in str(err.value)
