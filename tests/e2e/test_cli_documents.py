"""Issue 12 on the command line: `ketnap document STEP_OR_FORM CANDIDATE_ID --format ... --output FILE` writes the
document and lists on stderr the facts it left blank (exit 0); a refusal exits 2 and writes no file."""

from pathlib import Path

import pytest
from docx import Document as Word

from tests.e2e.conftest import FULL_PATH, Cli


def test_the_document_is_written_and_the_blanks_are_named_on_stderr(cli: Cli, tmp_path: Path) -> None:
    cid = cli.add_candidate()
    cli.walk(cid, FULL_PATH[1:10])  # up to the branch vote
    target = tmp_path / "nghi-quyet.docx"
    result = cli.run("document", "6-KNĐ", cid, "--format", "docx", "--output", str(target), as_json=False)
    text = "\n".join(p.text for p in Word(str(target)).paragraphs)
    assert "Nguyễn Thị Hoà" in text and "ngày 01 tháng 7 năm 2024" in text
    assert "missing (left blank): số có mặt / the number present" in result.stderr
    assert "missing (left blank): địa danh" in result.stderr
    pdf = cli.run("document", "branch_vote", cid, "--format", "pdf", "--output", "-", as_json=False)
    assert pdf.stdout_bytes.startswith(b"%PDF")


@pytest.mark.parametrize(("which", "code"), [("17-KNĐ", "unknown_document"), ("9-KNĐ", "document_not_recorded")])
def test_a_refused_document_exits_2_and_writes_nothing(cli: Cli, tmp_path: Path, which: str, code: str) -> None:
    cid = cli.add_candidate()
    target = tmp_path / "x.docx"
    refused = cli.run("document", which, cid, "--output", str(target), expect=2)
    assert refused["code"] == code and not target.exists()
    assert cli.run("document", "6-KNĐ", "no-such-candidate", "--output", str(target), expect=2)["code"] == \
        "candidate_not_found"
    assert not target.exists() and list(tmp_path.glob("*.docx")) == []
