"""The README's "Using it" block runs as written: every command, in order, on a scratch database, succeeds
(issue 17, reproduction 11: it once stopped at its second step)."""

import json
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from workflow.cli.main import app

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough(text: str) -> list[list[str]]:
    """The commands of the ```sh block under "## Using it": continuation lines and quotes spanning lines joined
    as a shell joins them, comments dropped."""
    section = text.split("## Using it", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the README's 'Using it' section has no sh block"
    commands, pending = [], ""
    for line in block.group(1).splitlines():
        if line.endswith("\\"):  # a line continued: the shell drops the backslash and the line break
            pending += line[:-1]
            continue
        pending += line + "\n"
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the value goes on on the next line
            continue
        pending = ""
        if words:
            commands.append(words)
    assert not pending.strip(), f"the block ends inside a command: {pending!r}"
    return commands


def test_the_walkthrough_is_read_as_a_shell_reads_it() -> None:
    commands = walkthrough(README.read_text(encoding="utf-8"))
    assert all(words[0] == "ketnap" for words in commands)
    introduce = next(words for words in commands if words[3:4] == ["introduce"])
    introducers = json.loads(introduce[-1].partition("=")[2])
    assert [p["name"] for p in introducers] == ["Lê Văn Cường", "Trần Minh Đức"]


def test_every_command_of_the_readme_walkthrough_succeeds_in_order(tmp_path: Path) -> None:
    commands = walkthrough(README.read_text(encoding="utf-8"))
    env = {"KETNAP_DATABASE_URL": f"sqlite:///{tmp_path / 'ketnap.db'}", "KETNAP_ACTOR": "bí thư",
           "COLUMNS": "80"}
    runner, candidate_id, ran = CliRunner(), None, []
    for words in commands:
        args = [candidate_id if w == "ID" and candidate_id else w for w in words[1:]]
        assert "ID" not in args, f"{words}: ID is used before a command printed it"
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, f"`{shlex.join(words)}` exited {result.exit_code}:\n{result.output}"
        ran.append(args[:2])
        if args[:2] == ["candidate", "add"]:
            candidate_id = result.stdout.strip()
            assert re.fullmatch(r"[0-9a-f]{12}", candidate_id), result.stdout
    assert ["step", candidate_id] in ran and ["show", candidate_id] in ran
    assert len(ran) == len(commands) >= 20
