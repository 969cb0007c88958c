"""Exit codes: 0 done, 2 refused with every reason in the JSON `violations` (or the message naming the field),
3 when someone recorded a step since the version the secretary saw; a refusal changes nothing."""

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import FULL_PATH, Cli, copy_database


@pytest.fixture(scope="module")
def vetted_template(initialised: Cli, tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, str]:
    template = copy_database(initialised, tmp_path_factory.mktemp("vetted"))
    candidate_id = template.add_candidate()
    template.walk(candidate_id, FULL_PATH[1:7])
    return template, candidate_id


@pytest.fixture
def cli(vetted_template: tuple[Cli, str], tmp_path: Path) -> Cli:
    """Here every test starts from a copy of the database holding the `vetted` candidate."""
    return copy_database(vetted_template[0], tmp_path)


@pytest.fixture
def vetted(vetted_template: tuple[Cli, str]) -> str:
    """A candidate vetted on 2024-06-01, version 7, waiting for introducers."""
    return vetted_template[1]


def pairs(doc: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(v["rule"], v["field"]) for v in doc["violations"]}


def test_every_reason_is_listed_and_nothing_changes(cli: Cli, vetted: str) -> None:
    before = cli.run("history", vetted)
    introducer = {"name": "Lê Văn Cường", "official_since": "2024-07-01", "months_together": 11}

    refused = cli.step(vetted, "introduce", "2024-06-10", {"introducers": [introducer]}, expect=2)

    assert refused["error"] == "rule_violation"
    assert pairs(refused) == {("introducer_count", "introducers"),
                              ("introducer_not_official", "introducers[0].official_since"),
                              ("introducer_months_together", "introducers[0].months_together")}
    assert all(v["ref"] == f"/rules#{v['rule']}" and v["source"] and v["message_vi"] and v["message_en"]
               for v in refused["violations"])
    assert cli.run("history", vetted) == before


@pytest.mark.parametrize(("step", "on", "fields", "reasons"), [
    ("branch_vote", "2024-07-01", {"official_members": 20}, {("field_missing", "in_favour")}),
    ("branch_vote", "2024-07-01", {"official_members": 20, "in_favour": 18, "bogus": 1},
     {("field_unknown", "bogus")}),
    ("introduce", "2024-06-10", {"introducers": [{"name": "A", "official_since": "2010-02-30",
                                                   "months_together": 18}]},
     {("field_invalid", "introducers[0].official_since")}),
    ("collect_comments", "2099-01-01", {"sources": ["residence"]}, {("date_in_future", "on")}),
    ("collect_comments", "2024-01-01", {"sources": ["residence"]}, {("date_before_identified", "on")}),
    ("transfer", "2024-06-05", {"to_org": "CB-99"}, {("org_not_found", "to_org")}),
])
def test_a_refused_step_names_rule_and_field(cli: Cli, vetted: str, step: str, on: str, fields: dict[str, Any],
                                            reasons: set[tuple[str, str]]) -> None:
    refused = cli.step(vetted, step, on, fields, expect=2)

    assert pairs(refused) == reasons
    assert cli.run("show", vetted)["version"] == 7


def test_a_branch_vote_with_more_in_favour_than_members_lists_the_missing_prerequisites_too(cli: Cli,
                                                                                          vetted: str) -> None:
    refused = cli.step(vetted, "branch_vote", "2024-07-01", {"official_members": 20, "in_favour": 21}, expect=2)

    assert pairs(refused) == {("vote_needs_introducers", None), ("vote_needs_comments", None),
                              ("vote_counts", "in_favour")}


@pytest.mark.parametrize(("option", "value"), [("--sex", "X"), ("--birth-date", "2000-02-30"),
                                               ("--org", "CB-99"), ("--on", "2024-02-30")])
def test_a_bad_candidate_is_refused_with_the_field_named(cli: Cli, vetted: str, option: str, value: str) -> None:
    args = {"--org": "CB-01", "--name": "Nguyễn Văn An", "--birth-date": "2000-01-01", "--sex": "M",
            "--education": "university", "--on": "2024-01-10", option: value}

    refused = cli.run("candidate", "add", *[x for kv in args.items() for x in kv], expect=2)

    if option == "--on":  # parsed by the CLI before any step: the message names the option
        assert refused["code"] == refused["error"] == "invalid_request" and "--on" in refused["message"]
    else:
        assert option.removeprefix("--").replace("-", "_") in {v["field"] for v in refused["violations"]}
    assert [r["id"] for r in cli.run("candidate", "list")["items"]] == [vetted]


def test_an_unknown_candidate_an_unknown_step_and_a_step_out_of_order_are_refused(cli: Cli, vetted: str) -> None:
    unknown = cli.step("khong-co", "assign_helper", "2024-01-20", {"helper": "A"}, expect=2)
    no_such_step = cli.step(vetted, "swear_in", "2024-07-01", {}, expect=2)
    out_of_order = cli.step(vetted, "hold_ceremony", "2024-07-01", {"probation_helper": "A"}, expect=2)
    no_date = cli.run("step", vetted, "collect_comments", "sources=[\"residence\"]", expect=2)

    assert "khong-co" in unknown["message"]
    assert "swear_in" in no_such_step["message"]
    assert "hold_ceremony" in out_of_order["message"] and "vetted" in out_of_order["message"]
    assert "--on" in no_date["message"]
    assert cli.run("show", vetted)["version"] == 7


def test_a_stale_expected_version_exits_3_and_the_right_one_records(cli: Cli, vetted: str) -> None:
    comments = {"sources": ["residence", "mass_organisations"]}

    stale = cli.step(vetted, "collect_comments", "2024-06-15", comments, "--expected-version", "6", expect=3)
    unchanged = cli.run("show", vetted)
    done = cli.step(vetted, "collect_comments", "2024-06-15", comments, "--expected-version", "7")

    assert stale["code"] == stale["error"] == "version_conflict" and "7" in stale["message"]
    assert unchanged["version"] == 7
    assert done["version"] == 8


def test_refusals_in_text_mode_go_to_stderr_in_both_languages(cli: Cli, vetted: str) -> None:
    result = cli.run("step", vetted, "branch_vote", "--on", "2024-07-01", "official_members=20",
                     "in_favour=21", expect=2, as_json=False)

    assert result.stdout == ""
    assert "vote_counts [in_favour]" in result.stderr
    assert "Số tán thành (21) lớn hơn số" in result.stderr and "Votes in favour (21) exceed" in result.stderr
    assert "judged under rule set + guidance: qd24-2021 + hd01-2021" in result.stderr
