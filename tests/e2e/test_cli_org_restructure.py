"""`ketnap org restructure` as a committee office runs it: write the template, fill it, try it with --dry-run,
apply it; a damaged file or a missing argument is refused with exit 2 and nothing written."""

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.conftest import Cli
from tests.e2e.test_cli_help_and_demo import ALL
from workflow.restructure.columns import BY_FIELD
from workflow.restructure.template import DATA_SHEET

ROWS = [
    {"code": "DU-XN", "kind": "Thành lập", "name": "Đảng bộ xã Tân Lập Mới", "level": "Xã", "on": date(2025, 7, 1)},
    {"code": "DU-XA", "kind": "Hợp nhất", "successor": "DU-XN", "on": "01/07/2025"},
]


def filled(cli: Cli, path: Path) -> Path:
    cli.run("org", "restructure", "--template", str(path))
    book = load_workbook(path)
    ws = book[DATA_SHEET]
    where = {cell.value: cell.column for cell in ws[1]}
    for number, row in enumerate(ROWS, start=2):
        for key, value in {**row, "decision": "1234-QĐ/TU"}.items():
            ws.cell(number, where[BY_FIELD[key].header]).value = value
    book.save(path)
    return path


def test_template_dry_run_then_apply(cli: Cli, tmp_path: Path) -> None:
    cid = cli.add_candidate()
    plan = filled(cli, tmp_path / "ke-hoach.xlsx")
    before = cli.run("org", "list")

    trial = cli.run("org", "restructure", str(plan), "--dry-run", "--preview", str(tmp_path / "xem-truoc.xlsx"))
    unchanged = cli.run("org", "list")
    done = cli.run("org", "restructure", str(plan), as_json=False)
    after = {o["code"]: o for o in cli.run("org", "list")}

    assert trial["dry_run"] is True and unchanged == before
    assert [(m["candidate_id"], m["from_body"], m["to_body"]) for m in trial["moved"]] == [(cid, "DU-XA", "DU-XN")]
    assert load_workbook(tmp_path / "xem-truoc.xlsx").sheetnames == ["Thay đổi", "Quần chúng", "Tổ chức kết thúc"]
    assert "recorded 2 change(s) from 2 row(s)" in done.stdout and cid in done.stdout
    assert (after["DU-XA"]["ended_by"], after["DU-CS"]["parent_code"]) == ("merged", "DU-XN")


def test_a_damaged_workbook_is_refused_with_exit_2_and_nothing_written(cli: Cli, tmp_path: Path) -> None:
    good = filled(cli, tmp_path / "ke-hoach.xlsx").read_bytes()
    damaged = tmp_path / "hong.xlsx"
    damaged.write_bytes(good[: len(good) // 3])
    before = cli.run("org", "list")

    refused = cli.run("org", "restructure", str(damaged), expect=2)

    assert refused["error"] == "restructure_refused"
    assert [v["rule"] for v in refused["violations"]] == ["restructure_file_unreadable"]
    assert cli.run("org", "list") == before


def test_a_plan_or_the_template_must_be_named_but_not_both(cli: Cli, tmp_path: Path) -> None:
    neither = cli.run("org", "restructure", expect=2)
    both = cli.run("org", "restructure", str(tmp_path / "a.xlsx"), "--template", str(tmp_path / "b.xlsx"), expect=2)

    assert neither["error"] == both["error"] == "invalid_request"
    assert not (tmp_path / "b.xlsx").exists()


def test_every_option_of_restructure_is_explained() -> None:
    command = ALL[("org", "restructure")]

    assert [p.name for p in command.params if not (getattr(p, "help", None) or "").strip()] == []
