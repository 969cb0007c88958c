"""Organisation facts for re-judged steps come from the organisation tree; each combination is built once and
every event gets the facts of its own organisations."""


from states.candidate import Candidate
from states.events import Event
from states.organisations import Organisation, OrgHistory
from states.step import OrgFacts
from tests.builders import history_until
from workflow.audit.orgs import OrgDirectory

TREE = OrgDirectory(OrgHistory.of([
    Organisation("DU-XA", "Đảng ủy xã", "commune", None, False),
    Organisation("DU-CS", "Đảng ủy cơ sở", "grassroots", "DU-XA", False),
    Organisation("DU-AD", "Đảng ủy cơ sở được ủy quyền", "grassroots", "DU-XA", True),
    Organisation("CB-01", "Chi bộ 1", "branch", "DU-CS", False),
    Organisation("CB-02", "Chi bộ 2", "branch", "DU-AD", False),
]))
EVENTS = {e.type: e for e in history_until()}


def facts(event: Event, org: str) -> OrgFacts:
    return TREE.facts_for(event, Candidate(id="c", org=org))


def test_the_deciding_committee_follows_the_candidates_branch() -> None:
    decide = EVENTS["decide_admission"]
    for _ in range(2):  # the second round is answered from memory
        assert facts(decide, "CB-01") == OrgFacts(None, "DU-XA", True)
        assert facts(decide, "CB-02") == OrgFacts(None, "DU-AD", False, decides_as_grassroots=True)  # V3


def test_the_level_is_that_of_the_organisation_the_step_names() -> None:
    identify = EVENTS["identify"]
    for _ in range(2):
        assert facts(identify._replace(payload={**identify.payload, "org": "CB-01"}), "") == OrgFacts("branch")
        assert facts(identify._replace(payload={**identify.payload, "org": "DU-CS"}), "") == OrgFacts("grassroots")
        assert facts(identify._replace(payload={**identify.payload, "org": "NOWHERE"}), "") == OrgFacts(None)


def test_steps_that_read_no_organisation_get_the_plain_facts() -> None:
    assert facts(EVENTS["assign_helper"], "CB-01") == OrgFacts()
    assert facts(EVENTS["branch_vote"], "CB-02") == OrgFacts()
