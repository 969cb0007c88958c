"""The CLI for a person (issue 17, reproductions 12-14): Vietnam time with the zone named (UTC in --json),
tables that keep the ids one types in 80 columns, values as text, `--json` anywhere, field types a program can
use, and nothing created on disk by a command that reads."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.e2e.conftest import FULL_PATH, Cli
from workflow.cli.context import hoist_json
from workflow.cli.main import app

VIETNAM = timedelta(hours=7)


def narrow(cli: Cli, *args: str) -> str:
    """Text output in an 80-column terminal."""
    result = cli.runner.invoke(app, ["--db", cli.db_url, *args], env={"COLUMNS": "80", "KETNAP_ACTOR": "bí thư"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    return result.stdout


def test_steps_in_80_columns_keep_every_step_id_and_field_name_whole(cli: Cli) -> None:
    text = narrow(cli, "steps")
    docs = cli.run("steps")
    for d in docs:
        assert re.search(rf"│ {d['step']} +│", text), d["step"]
        for name in d["fields"]:
            assert re.search(rf"│ {name}\*? +│", text), name
    assert "…" not in text


def test_history_in_80_columns_keeps_step_ids_and_shows_values_as_text(cli: Cli) -> None:
    cid = cli.add_candidate(name="Lê Văn Cường")
    cli.walk(cid, FULL_PATH[1:])
    before = datetime.now(UTC)
    text = narrow(cli, "history", cid)
    for name, _on, _fields in FULL_PATH:
        assert re.search(rf"│ {name} +│", text), name
    assert "…" not in text
    assert "{'" not in text and "'name'" not in text  # no Python reprs
    assert "Họ và tên: Lê Văn Cường" in text
    assert "Kết luận: Đạt" in text  # a code shown by its label
    assert "01/07/2024" in text  # the branch vote's business date, as people write it
    # recorded times in Vietnam time, the zone named: the minute it was recorded, 7 hours ahead of UTC
    local = (before + VIETNAM).strftime("%d/%m/%Y")
    assert re.search(rf"recorded {re.escape(local)} \d\d:\d\d ICT", text), text


def test_history_json_keeps_utc_and_known_at_is_read_as_vietnam_time(cli: Cli) -> None:
    cid = cli.add_candidate()
    doc = cli.run("history", cid)
    recorded = doc["events"][0]["recorded_at"]
    assert recorded.endswith("Z")
    stamp = datetime.fromisoformat(recorded.replace("Z", "+00:00"))
    local = (stamp + VIETNAM).replace(tzinfo=None)
    # a bare --known-at one minute after the recording, in Vietnam time, sees it; one minute before does not
    after = (local + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    earlier = (local - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    assert [e["type"] for e in cli.run("history", cid, "--known-at", after)["events"]] == ["identify"]
    assert cli.run("history", cid, "--known-at", earlier)["events"] == []
    help_text = cli.runner.invoke(app, ["history", "--help"], env={"COLUMNS": "200"}).stdout
    assert "Vietnam time" in help_text


def test_history_with_nothing_known_says_so_in_a_sentence(cli: Cli) -> None:
    cid = cli.add_candidate()
    text = cli.run("history", cid, "--known-at", "2020-01-01T08:00", as_json=False).stdout
    assert text.strip() == f"nothing recorded for candidate {cid} by 01/01/2020 08:00 ICT"
    assert "None" not in text


def test_json_is_accepted_after_the_command_for_every_command(cli: Cli) -> None:
    cid = cli.add_candidate()
    env = {"KETNAP_ACTOR": "bí thư"}
    after = cli.runner.invoke(app, ["--db", cli.db_url, "show", cid, "--json"], env=env)
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["id"] == cid
    listed = cli.runner.invoke(app, ["--db", cli.db_url, "candidate", "list", "--json"], env=env)
    assert [r["id"] for r in json.loads(listed.stdout)["items"]] == [cid]
    refused = cli.runner.invoke(app, ["--db", cli.db_url, "show", "nobody", "--json"], env=env)
    assert refused.exit_code == 2 and json.loads(refused.stdout)["code"] == "candidate_not_found"


def test_json_is_moved_in_front_once_and_not_past_a_double_dash() -> None:
    assert hoist_json(["show", "X", "--json"]) == ["--json", "show", "X"]
    assert hoist_json(["--json", "show", "X", "--json"]) == ["--json", "show", "X"]
    assert hoist_json(["step", "X", "correct", "--", "--json"]) == ["step", "X", "correct", "--", "--json"]
    assert hoist_json(["show", "X"]) == ["show", "X"]


def test_json_steps_gives_type_names_a_program_can_use(cli: Cli) -> None:
    docs = {d["step"]: d for d in cli.run("steps")}
    identify = docs["identify"]["fields"]
    assert identify["full_name"] == {"required": True, "type": "string"}
    assert identify["birth_date"] == {"required": True, "type": "date"}
    assert identify["youth_union"] == {"required": False, "type": "boolean"}
    assert identify["sex"] == {"required": True, "type": "enum", "values": ["F", "M"]}
    assert identify["categories"]["type"] == "list[enum]" and "student" in identify["categories"]["items"]["values"]
    assert docs["branch_vote"]["fields"]["official_members"] == {"required": True, "type": "integer"}
    introducers = docs["introduce"]["fields"]["introducers"]
    assert introducers["type"] == "list[object]"
    assert introducers["items"]["fields"]["official_since"] == {"required": True, "type": "date"}
    assert docs["correct"]["fields"]["fields"]["type"] == "object"
    types = json.dumps(docs)
    assert "<class" not in types and "typing" not in types and "Annotated" not in types


def test_a_read_on_a_missing_database_refuses_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "ketnap.db"
    runner = CliRunner()
    for args in (["show", "abc"], ["history", "abc"], ["deadlines"], ["candidate", "list"]):
        result = runner.invoke(app, ["--db", f"sqlite:///{path}", *args])
        assert result.exit_code == 2, result.output
        assert "ketnap init" in result.output and str(path) in result.output
        assert not path.exists(), args
    as_json = runner.invoke(app, ["--db", f"sqlite:///{path}", "show", "abc", "--json"])
    assert json.loads(as_json.stdout)["code"] == "database_not_ready"
    assert not path.exists()
    assert runner.invoke(app, ["--db", f"sqlite:///{path}", "init"]).exit_code == 0
    assert path.exists()


def test_deadlines_and_the_candidate_list_in_80_columns_keep_ids_and_dates_whole(cli: Cli) -> None:
    cid = cli.add_candidate(name="Nguyễn Thị Phương Thảo")
    cli.walk(cid, FULL_PATH[1:10])  # up to the passed branch vote: the admission decision is due
    deadlines = narrow(cli, "deadlines")
    assert re.search(rf"│ \d\d/\d\d/\d{{4}} +│.*│ admission_decision +│.*│ {cid} +│", deadlines), deadlines
    listed = narrow(cli, "candidate", "list")
    assert re.search(rf"│ {cid} +│ CB-01 +│ vetted +│.*│ 15/03/2000 +│", listed), listed
