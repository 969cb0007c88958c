"""The checks of one stream on its own: its hash chain, the rule set stamped on each event, and every step
re-judged under the rules of its date on the state its replay gives just before it (decisions 3 and 6)."""

from collections import Counter
from collections.abc import Container
from datetime import date

from states.calendar import WorkingCalendar
from states.candidate import Candidate
from states.decide import Problems, recheck_and_replay
from states.errors import NoRuleSetInForce
from states.events import Event
from states.rules import RuleBook, RuleSet
from workflow.audit.chain import check_stream
from workflow.audit.findings import REPLAY_FAILED, RULE_BROKEN, RULE_SET_MISMATCH, Finding
from workflow.audit.orgs import OrgDirectory


class DatedRuleBook(RuleBook):
    """The rule book with each date's answer remembered: every event asks it, and a log spans few dates."""

    def __init__(self, book: RuleBook) -> None:
        super().__init__(book.versions)
        self._by_date: dict[date, RuleSet] = {}

    def for_date(self, on: date) -> RuleSet:
        """Raises: NoRuleSetInForce, as RuleBook does (a date before every version is asked afresh)."""
        found = self._by_date.get(on)
        if found is None:
            found = self._by_date[on] = super().for_date(on)
        return found


def rule_set_findings(events: list[Event], rulebook: RuleBook) -> list[Finding]:
    """Events stamped with another rule set (regulation) or another guidance than the ones in force on their
    date, or with none in force. An event recorded before guidance was stamped has no `derived.guidance`: it
    was judged under the guidance of its date, so there is nothing to compare (DOMAIN.md section 7 caveat)."""
    found: list[Finding] = []
    for e in events:
        try:
            in_force = rulebook.for_date(e.effective_on)
        except NoRuleSetInForce as err:
            found.append(Finding(RULE_SET_MISMATCH, e.stream_id, e.version, str(err), {"stored": e.rule_set}))
            continue
        if e.rule_set != in_force.id:
            found.append(Finding(RULE_SET_MISMATCH, e.stream_id, e.version, f"stored under {e.rule_set}, but "
                                 f"{in_force.id} was in force on {e.effective_on}",
                                 {"stored": e.rule_set, "in_force": in_force.id}))
        stamped = e.derived.get("guidance")
        if stamped is not None and stamped != in_force.guidance:
            found.append(Finding(RULE_SET_MISMATCH, e.stream_id, e.version, f"stored under guidance {stamped}, "
                                 f"but {in_force.guidance} was in force on {e.effective_on}",
                                 {"stored_guidance": stamped, "in_force_guidance": in_force.guidance}))
    return found


def broken_rules(problems: Problems, rulebook: RuleBook) -> list[Finding]:
    """Steps that break a rule of the rule set and guidance in force on their date, each with every rule it
    breaks and the two documents that judged it."""
    found = []
    for e, violations in problems:
        rules = _in_force(rulebook, e)
        judged = f" (judged under {rules.label})" if rules else ""
        found.append(Finding(RULE_BROKEN, e.stream_id, e.version, f"{e.type} on {e.effective_on}{judged}: "
                             + "; ".join(f"{v.rule}: {v.message_en}" for v in violations),
                             {"step": e.type, "on": e.effective_on, "rule_set": rules.id if rules else None,
                              "guidance": rules.guidance if rules else None,
                              "violations": [v.as_dict() for v in violations]}))
    return found


def _in_force(rulebook: RuleBook, e: Event) -> RuleSet | None:
    """The regulation and guidance in force on the event's date."""
    try:
        return rulebook.for_date(e.effective_on)
    except NoRuleSetInForce:
        return None


def judged_under(events: list[Event], rulebook: RuleBook) -> Counter[str]:
    """How many events each pair of documents judged, as stamped ("qd232-2025 + hd06-2025"); an event without
    a guidance stamp counts under the guidance of its date."""
    return Counter(f"{e.rule_set} + {rulebook.guidance_of(e) or '?'}" for e in events)


def stream_findings(events: list[Event], rulebook: RuleBook, calendar: WorkingCalendar, orgs: OrgDirectory,
                    verified: Container[int] = ()) -> tuple[list[Finding], Candidate | None]:
    """Every per-stream check: the hash chain, the rule sets, every step re-judged on the state its replay
    gives just before it; with the replayed candidate, None when the stream cannot be replayed. `verified`:
    the positions of events whose own hash the reader has already proven (workflow/audit/reader.py)."""
    found = check_stream(events, verified) + rule_set_findings(events, rulebook)
    result = recheck_and_replay(events, rulebook, calendar, orgs.facts_for)
    found += broken_rules(result.problems, rulebook)
    if result.replay_error is not None:
        found.append(Finding(REPLAY_FAILED, events[0].stream_id, None,
                             f"the stream cannot be replayed: {result.replay_error!r}"))
    return found, result.candidate
