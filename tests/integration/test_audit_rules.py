"""Every step is re-judged under the rule set in force on its date (ARCHITECTURE.md decision 6): scenarios
recorded under the 2021 and the 2025 rules verify clean; a step imported with the wrong rule set is flagged."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from states.candidate import replay
from states.events import Event
from states.hashing import GENESIS, event_hash
from storage.event_store import EVENTS, event_to_row
from storage.projections import project
from tests.builders import NOW
from tests.fakes import FrozenClock
from tests.integration.support import FULL_PATH, add_org_tree, record_path
from tests.unit.states.helpers import around, run
from workflow.audit.findings import REPLAY_FAILED, RULE_BROKEN, RULE_SET_MISMATCH, Report
from workflow.audit.verify import verify
from workflow.bootstrap import bootstrap
from workflow.config import Settings, load_settings, parse_settings
from workflow.service import Ketnap

pytestmark = pytest.mark.integration
CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


def audit(app: Ketnap) -> Report:
    return verify(app.engine, app.rulebook, app.calendar)


def imported(engine: Engine, events: list[Event], stream_id: str) -> None:
    """Insert events as an import from old files would: hashes chained correctly, rule sets as given."""
    chained: list[Event] = []
    for e in events:
        e = e._replace(stream_id=stream_id, prev_hash=chained[-1].hash if chained else GENESIS)
        chained.append(e._replace(hash=event_hash(e, e.prev_hash)))
    with engine.begin() as conn:
        conn.execute(EVENTS.insert(), [event_to_row(e) for e in chained])
        project(conn, replay(chained), None, NOW)


def test_a_scenario_under_the_2021_rules_verifies_clean(ketnap: Ketnap) -> None:
    path = around("identify", date(2021, 9, 1))
    assert all(ketnap.rulebook.for_date(on).id == "qd24-2021" for _, on, _ in path)
    record_path(ketnap, path)
    assert audit(ketnap).ok, audit(ketnap).findings


def test_a_scenario_under_the_2025_rules_verifies_clean(ketnap: Ketnap, clock: FrozenClock) -> None:
    clock.current = datetime(2027, 6, 1, 3, tzinfo=UTC)
    path = around("identify", date(2025, 7, 10))
    assert all(ketnap.rulebook.for_date(on).id == "qd294-2025" for _, on, _ in path)
    record_path(ketnap, path)
    assert audit(ketnap).ok, audit(ketnap).findings


def test_an_import_stamped_with_a_later_rule_set_than_its_date_is_flagged(ketnap: Ketnap) -> None:
    events = run(FULL_PATH, "hold_ceremony")
    stamped = [e._replace(rule_set="qd294-2025") if e.type == "branch_vote" else e for e in events]
    imported(ketnap.engine, stamped, "imp-1")
    flagged = [(f.kind, f.version) for f in audit(ketnap).findings]
    vote = next(e.version for e in events if e.type == "branch_vote")
    assert flagged == [(RULE_SET_MISMATCH, vote)]


def amended_settings() -> Settings:
    """The shipped rule sets plus a later one that asks introducers for 24 months together instead of 12.

    The shipped 2021 and 2025 rule sets give every number the guards read the same value (DOMAIN.md section 7
    lists no change to them), so the test adds a version that differs, as a future regulation would."""
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    raw["rule_sets"]["amended-2026"] = {"base": "qd294-2025", "in_force_from": date(2026, 1, 1),
                                        "regulation": "amendment (test)", "introducer_months_together": 24}
    return parse_settings(yaml.safe_dump(raw, allow_unicode=True))


@pytest.fixture
def amended(engine: Engine, clock: FrozenClock) -> Ketnap:
    app = bootstrap(amended_settings(), engine=engine, clock=clock)
    add_org_tree(app)
    return app


def test_a_step_valid_only_under_the_old_rules_is_flagged_when_its_date_falls_under_the_new(
        amended: Ketnap) -> None:
    before = around("introduce", date(2025, 11, 10), FULL_PATH)[:12]  # 18 months together: fine in 2025
    record_path(amended, before)
    assert audit(amended).ok, audit(amended).findings
    after = around("introduce", date(2026, 2, 10), FULL_PATH)
    old_rules = load_settings().rulebook()  # the files were judged before the amendment was known
    events = run(after, "hold_ceremony", book=old_rules)
    imported(amended.engine, events, "imp-2")
    introduce = next(e.version for e in events if e.type == "introduce")
    broken = {(f.kind, f.stream_id, f.version): f for f in audit(amended).findings}
    assert (RULE_SET_MISMATCH, "imp-2", introduce) in broken
    finding = broken[(RULE_BROKEN, "imp-2", introduce)]
    assert finding.data["rule_set"] == "amended-2026"
    assert {v["rule"] for v in finding.data["violations"]} == {"introducer_months_together"}
    assert {(k, s) for k, s, _ in broken} == {(RULE_SET_MISMATCH, "imp-2"), (RULE_BROKEN, "imp-2")}


def test_a_broken_org_rule_is_caught_from_the_organisation_table(ketnap: Ketnap) -> None:
    events = run(FULL_PATH, "hold_ceremony")
    wrong = [e._replace(payload={**e.payload, "decided_by": "DU-CS"}) if e.type == "decide_admission" else e
             for e in events]  # the grassroots committee is not authorised to admit (V3)
    imported(ketnap.engine, wrong, "imp-3")
    rules = {v["rule"] for f in audit(ketnap).findings if f.kind == RULE_BROKEN for v in f.data["violations"]}
    assert rules == {"decided_by_not_competent"}




def test_a_stream_that_cannot_be_replayed_is_reported_not_a_crash(ketnap: Ketnap) -> None:
    events = run(FULL_PATH, "branch_vote")
    identify = events[0]
    broken = [identify._replace(payload={k: v for k, v in identify.payload.items() if k != "full_name"}),
              *events[1:]]
    chained: list[Event] = []
    for e in broken:  # hashes chained correctly: only replay and the rules can tell
        e = e._replace(stream_id="imp-4", prev_hash=chained[-1].hash if chained else GENESIS)
        chained.append(e._replace(hash=event_hash(e, e.prev_hash)))
    with ketnap.engine.begin() as conn:
        conn.execute(EVENTS.insert(), [event_to_row(e) for e in chained])
    found = audit(ketnap).findings
    assert [(f.kind, f.stream_id, f.version) for f in found] == [(REPLAY_FAILED, "imp-4", None),
                                                                (RULE_BROKEN, "imp-4", 1)]
    assert "KeyError" in found[0].detail and "full_name" in found[1].detail
