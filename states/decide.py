"""The single entry point of the procedure: judge a step against the rules of its date and return its event.

Callers never see the `transitions` machine, a pydantic error or a bare False: a refused step raises
StepNotAllowed or RuleViolation listing every unmet rule with its citation (STYLE.md section 2).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NamedTuple

from pydantic import ValidationError

from states import labels
from states.calendar import WorkingCalendar
from states.candidate import Candidate, apply, corrections_of, replay
from states.catalogue import RULES, violation
from states.errors import RuleViolation, StepNotAllowed, Violation
from states.events import Event
from states.field_errors import explain
from states.fields import Fields
from states.hashing import fields_hash
from states.labels import Said
from states.machine import machine_for
from states.rules import RuleBook, RuleSet
from states.stages import Stage
from states.step import VIETNAM, Check, OrgFacts, Step
from states.steps import COMMON, STEPS, StepSpec, known_step


def validate_fields(spec: StepSpec, raw: dict[str, Any], rules: RuleSet | None) -> Fields:
    """Parse the step's fields; every problem becomes a violation that names the field.

    Raises:
        RuleViolation: a field is missing, unknown or malformed.
    """
    try:
        return spec.fields.model_validate(raw)
    except ValidationError as err:
        found: list[Violation] = []
        for problem in err.errors():
            name = _field_name(problem["loc"])
            if problem["type"] == "missing":
                found.append(violation("field_missing", rules, field=name))
            elif problem["type"] == "extra_forbidden":
                found.append(violation("field_unknown", rules, field=name, step=labels.step(spec.name)))
            elif problem["type"] in RULES:  # a rule of the field types themselves (states/text.py)
                params = {k: v for k, v in problem.get("ctx", {}).items() if k != "field"}
                found.append(violation(problem["type"], rules, field=name, **params))
            else:
                found.append(violation("field_invalid", rules, field=name, detail=explain(problem)))
        raise RuleViolation(spec.name, found) from None


def _field_name(loc: tuple[int | str, ...]) -> str:
    """`introducers[0].months_together`, the same form the guards use."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "fields"


def _judge(candidate: Candidate, step: Step, rules: RuleSet, calendar: WorkingCalendar) -> tuple[Fields, Check]:
    spec = known_step(step.name)
    if machine_for(rules.id).fire(candidate.stage, step.name) is None:
        raise StepNotAllowed(candidate.id, candidate.stage, step.name, machine_for(rules.id).steps_from(
            candidate.stage))
    fields = validate_fields(spec, dict(step.fields), rules)
    check = Check(candidate, step, fields, rules, calendar)
    found = [v for guard in (*COMMON, *spec.requires, *spec.checks) for v in guard(check)]
    if found:
        raise RuleViolation(step.name, found)
    return fields, check


def decide(candidate: Candidate, step: Step, rules: RuleSet, calendar: WorkingCalendar) -> list[Event]:
    """Return the events that `step` produces, or raise listing every unmet rule.

    Raises:
        UnknownStep, StepNotAllowed, RuleViolation.
    """
    if step.name == "correct":
        raise ValueError("a correction needs the history: call decide_correction")
    fields, check = _judge(candidate, step, rules, calendar)
    spec = STEPS[step.name]
    derived = spec.derive(check) if spec.derive else {}
    return [_event(candidate, step, rules, fields.model_dump(mode="json", exclude_none=True), derived)]


def _event(candidate: Candidate, step: Step, rules: RuleSet, payload: dict[str, Any],
           derived: dict[str, Any]) -> Event:
    """The event of an accepted step, stamped with both documents that judged it (DOMAIN.md section 7 caveat):
    the regulation as `rule_set`, the guidance as `derived.guidance` (events recorded before this stamp existed
    take the guidance in force on their date: RuleBook.guidance_of)."""
    derived = {**derived, "guidance": rules.guidance}
    if step.meta:
        derived = {**derived, "meta": dict(step.meta)}
    values = (candidate.id, candidate.version + 1, step.name, step.on, step.recorded_at, step.actor, rules.id,
              payload, derived, candidate.last_hash)
    return Event(*values, hash=fields_hash(*values))


@dataclass(frozen=True)
class Allowed:
    step: str
    moves_to: str | None
    missing: tuple[Violation, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


def allowed_steps(candidate: Candidate, rules: RuleSet, calendar: WorkingCalendar, on: date,
                  facts: OrgFacts | None = None) -> list[Allowed]:
    """What the secretary can do next on `on`, and for each step what is still missing.

    A step whose work is already on record (its spec's `done`) is left out, so neither the web nor the CLI's
    `next:` lines offer "Nộp đơn" twice; the machine still accepts it (a second letter is not a rule violation).
    """
    result = []
    for name in machine_for(rules.id).steps_from(candidate.stage):
        spec = STEPS[name]
        step = Step(name, on, {}, _noon(on), "", facts or OrgFacts())
        check = Check(candidate, step, None, rules, calendar)
        if spec.done is not None and spec.done(check):
            continue
        missing = tuple(v for guard in spec.requires for v in guard(check))
        result.append(Allowed(name, spec.moves_to, missing))
    return result


def _noon(on: date) -> datetime:
    """A moment on `on` in Vietnam, so that `on` itself is never "in the future" for the advice."""
    return datetime.combine(on, time(12), VIETNAM)


# --- corrections and re-checks ------------------------------------------------------------------------------

FactsFor = Callable[[Event, Candidate], OrgFacts]


def _lenient_facts(_event: Event, _candidate: Candidate) -> OrgFacts:
    """Without the organisation tree, assume the org existed and a committee vote was needed."""
    return OrgFacts(org_level="branch", competent_body=None, committee_vote_required=True)


Problems = list[tuple[Event, tuple[Violation, ...]]]


def recheck(events: Sequence[Event], rulebook: RuleBook, calendar: WorkingCalendar,
            facts_for: FactsFor = _lenient_facts) -> Problems:
    """Re-judge every step against the rule set in force on its date, on the state just before it.

    Raises:
        Whatever `replay` raises on a stream that cannot be replayed.
    """
    result = recheck_and_replay(events, rulebook, calendar, facts_for)
    if result.replay_error is not None:
        raise result.replay_error
    return result.problems


@dataclass
class Rechecked:
    """What re-judging a stream found, and the candidate its replay gives (None when it cannot be replayed)."""

    problems: Problems
    candidate: Candidate | None
    replay_error: Exception | None = None


def recheck_and_replay(events: Sequence[Event], rulebook: RuleBook, calendar: WorkingCalendar,
                       facts_for: FactsFor = _lenient_facts) -> Rechecked:
    """`recheck` and `replay` in one fold: the state each step is judged on is the replay's own, so an audit
    applies every event once. A stream that cannot be replayed stops there, with the error, not a crash."""
    state = Candidate(id=events[0].stream_id if events else "")
    problems: Problems = []
    try:
        overrides = corrections_of(events)
    except Exception as err:  # noqa: BLE001 - a log that cannot be replayed is a finding, not a crash
        return Rechecked(problems, None, err)
    for event in events:
        if event.type != "correct":
            found = _rejudge(event, state, overrides.get(event.version), rulebook, calendar, facts_for)
            if found is not None:
                problems.append((event, found))
        try:
            apply(state, event, overrides or None)
        except Exception as err:  # noqa: BLE001 - as above
            return Rechecked(problems, None, err)
    return Rechecked(problems, state)


def _rejudge(event: Event, state: Candidate, fix: dict[str, Any] | None, rulebook: RuleBook,
             calendar: WorkingCalendar, facts_for: FactsFor) -> tuple[Violation, ...] | None:
    """The violations of one recorded step (with its corrections) under the rules of its date; None if it holds."""
    try:
        payload: Mapping[str, Any] = {**event.payload, **fix["fields"]} if fix else event.payload
        on = event.effective_on
        if "on" in payload:
            rest = dict(payload)
            on, payload = date.fromisoformat(rest.pop("on")), rest
        step = Step(event.type, on, payload, event.recorded_at, event.actor, facts_for(event, state))
        _judge(state, step, rulebook.for_date(on), calendar)
    except RuleViolation as refused:
        return tuple(refused.violations)
    except StepNotAllowed as refused:
        return (violation("field_invalid", None, field="step",
                           detail=Said("bước này không được phép ở giai đoạn khi đó", str(refused))),)
    except Exception as err:  # noqa: BLE001 - a broken event is a finding, not a crash of the audit
        return (violation("field_invalid", None, field="event",
                           detail=Said("không đọc lại được sự kiện này", repr(err))),)
    return None


def decide_correction(history: Sequence[Event], step: Step, rulebook: RuleBook,
                      calendar: WorkingCalendar) -> list[Event]:
    """A correction names an earlier event and its corrected values; the original stays in the log.

    The corrected step is judged again under the rules of its (possibly corrected) date, and the whole
    stream must raise no problem that it did not have before.

    Raises:
        RuleViolation, StepNotAllowed.
    """
    candidate = replay(history)
    rules = rulebook.for_date(step.on)
    fields, _ = _judge(candidate, step, rules, calendar)
    target_version: int = fields.corrects  # type: ignore[attr-defined]
    changes: dict[str, Any] = fields.fields  # type: ignore[attr-defined]
    if not 0 < target_version <= len(history) or history[target_version - 1].type == "correct":
        raise RuleViolation("correct", [violation("correct_target", rules, field="corrects",
                                                  version=target_version)])
    target = history[target_version - 1]
    spec = STEPS[target.type]
    unknown = [k for k in changes if k != "on" and k not in spec.fields.model_fields]
    if unknown:
        raise RuleViolation("correct", [violation("correct_field", rules, field=f"fields.{k}",
                                                  step=labels.step(target.type))
                                        for k in unknown])
    before = state_before(history, target_version)
    merged = {**target.payload, **changes}
    on = _corrected_on(merged.pop("on"), rules) if "on" in merged else target.effective_on
    redo = Step(target.type, on, merged, step.recorded_at, target.actor, step.facts)
    target_rules = rulebook.for_date(on)
    target_fields, check = _judge(before, redo, target_rules, calendar)
    derive = STEPS[target.type].derive
    derived = {**(derive(check) if derive else {}), "guidance": target_rules.guidance}
    # Record every field the correction names, even a cleared one (None) or an unchanged `on`: replay must
    # apply exactly what was judged, or the stored values and the re-derived deadlines disagree.
    corrected = {**target_fields.model_dump(mode="json"), "on": on.isoformat()}
    payload = {"corrects": target_version, "fields": {k: corrected.get(k) for k in changes},
               "reason": fields.reason}  # type: ignore[attr-defined]
    event = _event(candidate, step, rules, payload, {"replaces_derived": derived})
    old = {(e.version, v.rule) for e, vs in recheck(history, rulebook, calendar) for v in vs}
    new = [(e, v) for e, vs in recheck([*history, event], rulebook, calendar) for v in vs
           if (e.version, v.rule) not in old]
    if new:
        raise RuleViolation("correct", [v for _, v in new])
    return [event]


def _corrected_on(value: Any, rules: RuleSet) -> date:
    """The corrected business date; a malformed one is refused like any other malformed field."""
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise RuleViolation("correct", [violation("field_invalid", rules, field="fields.on",
                                              detail=Said("không phải là một ngày hợp lệ (ngày/tháng/năm)",
                                                           "a date is written YYYY-MM-DD"))])


def corrected_event(history: Sequence[Event], raw: Mapping[str, Any]) -> tuple[Event, dict[str, Any]] | None:
    """The event a correction names and the values it changes, read from its validated fields exactly as
    `decide_correction` reads them (a form sends the version as "12": it corrects version 12); None when the
    version names no event that can be corrected (`decide_correction` refuses it as correct_target).

    Raises:
        RuleViolation: the correction's fields are missing or malformed.
    """
    fields = validate_fields(STEPS["correct"], dict(raw), None)
    version: int = fields.corrects  # type: ignore[attr-defined]
    if not 0 < version <= len(history) or history[version - 1].type == "correct":
        return None
    return history[version - 1], dict(fields.fields)  # type: ignore[attr-defined]


def state_before(history: Sequence[Event], version: int) -> Candidate:
    """The candidate just before event `version`, with every correction in `history` applied."""
    overrides = corrections_of(history)
    state = Candidate(id=history[0].stream_id)
    for event in history[: version - 1]:
        apply(state, event, overrides or None)
    return state


def stage_as_of(events: Iterable[Event], on: date) -> Stage | None:
    return replay([e for e in events if e.effective_on <= on]).stage


class Outcome(NamedTuple):
    """What a step makes: its events and the candidate after them. `replayed`: the candidate was rebuilt from
    the whole stream (a correction may change any earlier step), so every projection row must be written."""

    events: list[Event]
    candidate: Candidate
    replayed: bool


def judge(history: Sequence[Event], candidate: Candidate, step: Step, rulebook: RuleBook,
          calendar: WorkingCalendar) -> Outcome:
    """Any step, the correction included: the one place that knows a correction is judged on the history.

    `candidate` (the replay of `history`) is left as it is; apply the events to it when not `replayed`.

    Raises:
        UnknownStep, StepNotAllowed, RuleViolation.
    """
    if step.name == "correct":
        new = decide_correction(history, step, rulebook, calendar)
        return Outcome(new, replay([*history, *new]), True)
    return Outcome(decide(candidate, step, rulebook.for_date(step.on), calendar), candidate, False)


# --- warnings: accepted, but worth a second look ---------------------------------------------------------------

def dated_before_last(history: list[Event], step: Step, rulebook: RuleBook) -> list[Violation]:
    """A step the rules accept though its document is dated before the stream's last business date (steps
    within a stage have no order the regulations fix, and documents are entered late): said as a warning, so
    that a mistyped date is caught. Where the regulations fix an order, a guard refuses instead (S8 after S6
    and S7: states/guards.py `vote_after_dossier`)."""
    if step.name == "correct":
        return []
    dated = [e for e in history if e.type != "correct"]
    if not dated:
        return []
    last = max(dated, key=lambda e: e.effective_on)
    if step.on >= last.effective_on:
        return []
    return [violation("dated_before_last_step", rulebook.for_date(step.on), field="on", on=step.on,
                      previous=labels.step(last.type), previous_on=last.effective_on)]


def warnings_of_latest(history: list[Event], rulebook: RuleBook) -> list[Violation]:
    """The warnings the stream's latest event was recorded with, for a page that lands on it after a redirect
    (the answer to the POST itself carries them in `StepResult.warnings`)."""
    if not history:
        return []
    last = history[-1]
    return dated_before_last(history[:-1], Step(last.type, last.effective_on, {}, last.recorded_at, last.actor),
                             rulebook)
