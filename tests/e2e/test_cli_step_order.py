"""Steps dated before the stream's last business date (issue 17, reproduction 10): where the regulations fix the
order (the branch vote after the introduction and the comments, ĐL Art. 4(3)) the step is refused with the rule;
elsewhere it is recorded with a warning that names the later step, in the text, the JSON and the API's answer."""

from datetime import date

from tests.builders import PATH_TO_VOTE
from tests.e2e.conftest import Cli, assignments

UP_TO_COMMENTS = [s for s in PATH_TO_VOTE[1:] if s[0] not in ("branch_vote", "committee_vote")]


def test_the_reproduced_failed_vote_before_the_comments_is_refused_with_the_rule(cli: Cli) -> None:
    cid = cli.add_candidate()
    cli.walk(cid, [(n, date(2024, 6, 20) if n == "collect_comments" else on, f) for n, on, f in UP_TO_COMMENTS])
    refused = cli.step(cid, "branch_vote", "2024-06-15", {"official_members": 9, "in_favour": 3}, expect=2)
    assert refused["code"] == "rule_violation"
    [found] = refused["violations"]
    assert (found["rule"], found["field"], found["source"]) == ("vote_before_dossier", "on", "ĐL Art. 4(3)")
    assert cli.step(cid, "branch_vote", "2024-06-20", {"official_members": 9, "in_favour": 3})["warnings"] == []


def test_a_step_dated_before_the_last_one_is_recorded_with_a_warning(cli: Cli) -> None:
    cid = cli.add_candidate()
    cli.walk(cid, UP_TO_COMMENTS[:2])  # assign_helper 2024-01-20, enrol_training 2024-03-01
    doc = cli.step(cid, "certify_training", "2024-02-15", {"certificate_no": "CN-1", "issued_on": "2024-02-15"})
    [warning] = doc["warnings"]
    assert (warning["rule"], warning["field"]) == ("dated_before_last_step", "on")
    assert "enrol_training" in warning["message_en"] and "2024-03-01" in warning["message_en"]
    assert doc["events"][-1]["type"] == "certify_training"  # recorded all the same
    text = cli.run("step", cid, "submit_application", "--on", "2024-02-20", as_json=False).stdout
    assert "warning (dated_before_last_step):" in text
    in_order = cli.run("step", cid, "declare_history", "--on", "2024-03-05", *assignments({}))
    assert in_order["warnings"] == []
