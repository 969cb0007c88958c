"""`--help` explains every command, sub-command, option and argument; the installed `ketnap` script (run as a
subprocess) runs the README's first command, `ketnap demo`, which loads its demo once however often it is run."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from workflow.cli.main import app

KETNAP = Path(sys.executable).with_name("ketnap")


def commands(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    command = command or get_command(app)
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, (*path, name))


ALL = dict(commands())


ISSUE_2 = [(), ("init",), ("demo",), ("step",), ("show",), ("history",), ("deadlines",), ("steps",), ("org",),
           ("org", "add"), ("org", "list"), ("candidate",), ("candidate", "add"), ("candidate", "list")]


def name(path: tuple[str, ...]) -> str:
    return " ".join(path) or "ketnap"


def test_the_cli_has_the_commands_of_issue_2() -> None:
    assert set(ISSUE_2) <= set(ALL)


@pytest.mark.parametrize("path", ALL, ids=name)
def test_help_works_and_every_command_has_help_text(path: tuple[str, ...]) -> None:
    command = ALL[path]

    result = CliRunner().invoke(app, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert (command.help or "").strip(), f"{name(path)} has no help text"
    assert command.help.strip().split("\n")[0][:40] in " ".join(result.stdout.split())


@pytest.mark.parametrize("path", ISSUE_2, ids=name)
def test_every_option_and_argument_is_explained(path: tuple[str, ...]) -> None:
    command = ALL[path]

    unexplained = [p.name for p in command.params if p.name != "help" and not (getattr(p, "help", None) or "").strip()]

    assert unexplained == [], f"{name(path)}: no help for {unexplained}"


def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KETNAP), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
                          env={"PATH": str(KETNAP.parent), "HOME": str(cwd), "KETNAP_ACTOR": "demo",
                               # the code under test, even when the script belongs to another checkout's venv
                               "PYTHONPATH": os.environ.get("PYTHONPATH", "")})


def test_demo_twice_loads_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"

    first = run_script("--db", db, "--json", "demo", cwd=tmp_path)
    second = run_script("--db", db, "--json", "demo", cwd=tmp_path)
    listed = CliRunner().invoke(app, ["--db", db, "--json", "candidate", "list"])

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    loaded, again = json.loads(first.stdout), json.loads(second.stdout)
    candidates = json.loads(listed.stdout)["items"]
    assert len(loaded["loaded"]) >= 5 and again["loaded"] == []
    assert sorted(c["id"] for c in candidates) == sorted(loaded["loaded"])
    assert {c["stage"] for c in candidates} >= {"identified", "mentored", "training_class", "vetted", "admitted",
                                                 "probationary", "official"}
    assert again["deadlines"] == loaded["deadlines"] and loaded["deadlines"]
    assert not (tmp_path / "ketnap.db").exists()  # --db was used, not the default file
