"""One `transitions` machine per rule set, built once and shared by every candidate.

The machine holds no models (ARCHITECTURE.md decision 5): a step is fired on a throw-away token that carries
only the stage, through `machine.events[step].trigger(token)`, so a million replays cost no per-candidate
machine. `auto_transitions=False`: nobody can jump a candidate to `official`.
"""

from enum import Enum
from functools import cache

from transitions import Machine, MachineError, State

from states.stages import Stage
from states.transitions_table import NEW, TABLE


class _Token:
    """What the machine moves: a stage and nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _name(stage: Stage | None) -> str:
    return NEW if stage is None else stage.value


class ProcedureMachine:
    def __init__(self, rule_set_id: str) -> None:
        self.rule_set_id = rule_set_id
        self._answers: dict[tuple[Stage | None, str], Stage | None] = {}
        self._triggers: dict[Stage | None, tuple[str, ...]] = {}
        self._machine = Machine(
            model=None,
            states=[NEW, *(s.value for s in Stage)],
            initial=NEW,
            auto_transitions=False,
            ignore_invalid_triggers=False,
            send_event=True,
        )
        for move in TABLE:
            sources: list[str | Enum | State] = [_name(s) for s in move.sources]
            if move.dest is None:
                self._machine.add_transition(move.step, sources, None)  # internal: records, moves nothing
            else:
                self._machine.add_transition(move.step, sources, move.dest.value)

    def steps_from(self, stage: Stage | None) -> list[str]:
        """The steps allowed from `stage`, asked of the machine once per stage (every step's answer lists them)."""
        found = self._triggers.get(stage)
        if found is None:
            found = self._triggers[stage] = tuple(self._machine.get_triggers(_name(stage)))
        return list(found)

    def fire(self, stage: Stage | None, step: str) -> Stage | None:
        """The stage after `step`, or None when `step` is not allowed from `stage`.

        The machine has no conditions or callbacks, so its answer depends only on (stage, step): it is asked
        once per pair and remembered, which keeps a replay or an audit of millions of events cheap.
        """
        key = (stage, step)
        if key not in self._answers:
            self._answers[key] = self._fire(stage, step)
        return self._answers[key]

    def _fire(self, stage: Stage | None, step: str) -> Stage | None:
        token = _Token(_name(stage))
        event = self._machine.events.get(step)
        if event is None:
            return None
        try:
            event.trigger(token)
        except MachineError:
            return None
        return None if token.state == NEW else Stage(token.state)

    def diagram(self) -> str:
        """A mermaid state diagram generated from the table (for the docs and the web page)."""
        lines = ["stateDiagram-v2", f"    [*] --> {Stage.IDENTIFIED.value}: identify"]
        for move in TABLE:
            if move.dest is None or move.step == "identify":
                continue
            for source in move.sources:
                lines.append(f"    {_name(source)} --> {move.dest.value}: {move.step}")
        lines += [f"    {Stage.OFFICIAL.value} --> [*]", f"    {Stage.DROPPED.value} --> [*]"]
        return "\n".join(lines)


@cache
def machine_for(rule_set_id: str) -> ProcedureMachine:
    """The one machine of a rule set; built on first use, never per candidate."""
    return ProcedureMachine(rule_set_id)
