"""`deadlines`, `candidate list` and `outbox list` print one page and say how many more there are; `--cursor`
goes on from a page, once each row even when steps are recorded in between; `--all` prints every row (issue 19).
On a SQLite file and on PostgreSQL."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.builders import PERSON
from tests.e2e.conftest import Cli
from tests.integration.support import add_org_tree, record_path
from workflow.service import Ketnap

COUNT = 7


def _trained(issued: date) -> list[tuple[str, date, dict[str, Any]]]:
    """Up to the training certificate, which opens its expiry deadline."""
    return [("identify", date(2024, 1, 10), PERSON), ("assign_helper", date(2024, 1, 20), {"helper": "Phạm Văn Bình"}),
            ("enrol_training", date(2024, 3, 1), {"class_name": "Lớp NTVĐ 03/2024"}),
            ("certify_training", issued, {"certificate_no": "CN-1", "issued_on": issued.isoformat()})]


@pytest.fixture
def seeded(app: Ketnap, db_url: str) -> tuple[Cli, Ketnap, list[str]]:
    add_org_tree(app)
    ids = [record_path(app, _trained(date(2024, 3, 10) + timedelta(days=n % 3)), full_name=f"Người số {n}",
                       org="CB-01" if n % 2 else "CB-02") for n in range(COUNT)]
    return Cli(db_url, CliRunner()), app, ids


def test_deadlines_print_one_page_and_say_how_many_more(seeded: tuple[Cli, Ketnap, list[str]]) -> None:
    cli, _, ids = seeded
    text = cli.run("deadlines", "--limit", "3", as_json=False).stdout
    assert sum(cid in text for cid in ids) == 3
    assert f"1–3 of {COUNT} open deadline(s)" in text
    assert f"… và {COUNT - 3} mục nữa (dùng --all hoặc --page 2)" in text
    last = cli.run("deadlines", "--limit", "3", "--page", "3", as_json=False).stdout
    assert sum(cid in last for cid in ids) == 1 and f"1 open deadline(s) (of {COUNT})" in last and "mục nữa" not in last
    everything = cli.run("deadlines", as_json=False).stdout
    assert f"{COUNT} open deadline(s)" in everything and "mục nữa" not in everything


def test_the_cursor_goes_on_once_per_row_while_steps_are_recorded(seeded: tuple[Cli, Ketnap, list[str]]) -> None:
    cli, app, ids = seeded
    first = cli.run("deadlines", "--limit", "3")
    assert (len(first["items"]), first["total"], first["more"]) == (3, COUNT, COUNT - 3)
    added = record_path(app, _trained(date(2024, 3, 1)))  # due before every listed one: behind the cursor
    seen = [r["id"] for r in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = cli.run("deadlines", "--limit", "3", "--cursor", cursor)
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == COUNT
    assert added not in {r["stream_id"] for r in cli.run("deadlines", "--limit", "3", "--cursor",
                                                         first["next_cursor"])["items"]}
    assert cli.run("deadlines", "--cursor", "bm90IGEgY3Vyc29y", expect=2)["code"] == "invalid_cursor"
    assert cli.run("deadlines", "--cursor", first["next_cursor"], "--page", "2", expect=2)["code"] == \
        "invalid_request"


def test_all_prints_every_row_under_one_header(seeded: tuple[Cli, Ketnap, list[str]]) -> None:
    cli, _, ids = seeded
    text = cli.run("deadlines", "--all", "--limit", "2", as_json=False).stdout
    assert all(cid in text for cid in ids) and text.count("due on") == 1
    assert text.rstrip().endswith(f"{COUNT} open deadline(s)")
    doc = cli.run("deadlines", "--all")
    assert sorted(r["stream_id"] for r in doc["items"]) == sorted(ids)
    assert (doc["total"], doc["next_cursor"]) == (COUNT, None)
    listed = cli.run("candidate", "list", "--all")
    assert sorted(r["id"] for r in listed["items"]) == sorted(ids)


def test_the_candidate_list_and_the_outbox_page_the_same_way(seeded: tuple[Cli, Ketnap, list[str]]) -> None:
    cli, _, ids = seeded
    text = cli.run("candidate", "list", "--limit", "2", as_json=False).stdout
    assert f"1–2 of {COUNT} candidate(s)" in text and f"… và {COUNT - 2} mục nữa" in text
    pages, cursor = [], None
    while True:
        page = cli.run("candidate", "list", "--limit", "2", *(["--cursor", cursor] if cursor else []))
        pages.append(page)
        cursor = page["next_cursor"]
        if not cursor:
            break
    listed = [r["id"] for p in pages for r in p["items"]]
    assert sorted(listed) == sorted(ids) and len(pages) == 4
    assert [r["org"] for r in (r for p in pages for r in p["items"])] == ["CB-01"] * 3 + ["CB-02"] * 4
    outbox = cli.run("outbox", "list")
    assert (outbox["items"], outbox["total"], outbox["next_cursor"]) == ([], 0, None)
    assert re.search(r"^0 row\(s\)$", cli.run("outbox", "list", as_json=False).stdout, re.MULTILINE)
