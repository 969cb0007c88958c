"""`ketnap org restructure PLAN.xlsx` on SQLite and PostgreSQL: a district's restructuring from the shipped
template applies in one transaction and carries its candidates; one bad row applies nothing and is named by
row and column; a dry run writes nothing (issue 10, item 3)."""

import json
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storage.organisations import load_events
from tests.integration.reminders_support import add_contacts
from tests.integration.restructure_data import ON, add_district, fill_template, plan, write_plan
from tests.integration.support import snapshot
from workflow.audit.verify import verify
from workflow.cli.main import app as cli
from workflow.restructure.columns import COLUMNS
from workflow.restructure.workbook import WorkbookRefused, apply_workbook
from workflow.service import Ketnap


@pytest.fixture
def district(app: Ketnap) -> dict[str, list[str]]:
    return add_district(app)


def test_a_filled_template_restructures_the_district_and_carries_its_candidates(
        app: Ketnap, district: dict[str, list[str]], tmp_path: Path) -> None:
    add_contacts(app.engine, {("H", "office"): "vanphong@huyen.example.vn"})
    deadlines = {(d["stream_id"], d["kind"]): d["due_on"] for d in app.deadlines()}
    teachers = district["CB-GV"]

    applied = apply_workbook(app, fill_template(tmp_path / "plan.xlsx", plan(teachers)), actor="văn phòng")

    before, after = app.organisations.tree(date(2025, 6, 30)), app.organisations.tree(ON)
    assert (after.get("H").ended_by, after.living("H")) == ("dissolved", None)  # type: ignore[union-attr]
    assert {code: after.upper(code) for code in ("DU-THPT", "CS-YT", "CB-A1", "CB-B1")} == dict.fromkeys(
        ("DU-THPT", "CS-YT", "CB-A1", "CB-B1"), "XA-N")
    assert after.get("XA-A").successors == ("XA-N",) and after.get("XA-N").predecessors == ("XA-A", "XA-B")  # type: ignore[union-attr]
    assert after.name("DU-THPT") == "Đảng bộ Trường THPT Thanh An"
    assert before.name("DU-THPT") == "Đảng bộ Trường THPT huyện Điện Biên" and before.upper("DU-THPT") == "H"
    assert [r["id"] for r in app.candidates(org="CB-GV1")] == teachers[0::2]
    assert [r["id"] for r in app.candidates(org="CB-GV2")] == teachers[1::2]
    assert {(d["stream_id"], d["kind"]): d["due_on"] for d in app.deadlines()} == deadlines  # clocks carry on
    moved = {m.id: (m.to_org, m.from_body, m.to_body) for m in applied.result.moved}
    assert moved == {**{cid: (f"CB-GV{1 + i % 2}", "H", "XA-N") for i, cid in enumerate(teachers)},
                     district["CB-A1"][0]: ("CB-A1", "H", "XA-N"), district["CS-YT"][0]: ("CS-YT", "H", "XA-N")}
    assert [(a.org, a.contacts) for a in applied.result.attached] == [("H", ("office",))]
    with app.engine.connect() as conn:
        logged = [e for e in load_events(conn) if e.actor == "văn phòng"]
    assert len(logged) == len(applied.plan) == len(plan(teachers)) - len(teachers) + 1
    assert {e.recorded_at for e in logged} == {logged[0].recorded_at}  # one transaction, one moment
    sources = [e.derived["meta"]["imported"] for e in logged]
    assert {(s["file"], s["sha256"]) for s in sources} == {("plan.xlsx", applied.sha256)}
    assert all(r["sheet"] and r["row"] >= 2 for s in sources for r in s["rows"])  # each change names its rows
    report = verify(app.engine, app.rulebook, app.calendar)
    assert report.ok, [str(f) for f in report.findings]


def _bad_merge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A merge into an organisation the same workbook creates only a month later."""
    base = {"decision": "1234-QĐ/TU", "on": ON}
    return [*rows, {**base, "code": "XA-M", "kind": "Thành lập", "name": "Xã M", "level": "Xã", "parent": "TINH",
                    "on": date(2025, 8, 1)}, {**base, "code": "CB-B1", "kind": "Hợp nhất", "successor": "XA-M"}]


def _bad_move(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The school committee placed under one of its own new branches."""
    return [*rows, {"code": "DU-THPT", "kind": "Chuyển trực thuộc", "parent": "CB-GV1", "on": ON,
                    "decision": "1234-QĐ/TU"}]


def _forgotten_candidate(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The split of the teachers' branch names only two of its three candidates."""
    return rows[:-1]


@pytest.mark.parametrize(("make_bad", "row_from_end", "column", "rule"), [
    (_bad_merge, 0, "F", "org_successor_not_living"),
    (_bad_move, 0, "E", "org_move_cycle"),
    (_forgotten_candidate, 1, "G", "org_split_candidate_missing"),
], ids=["merge into a not-yet-created organisation", "move under its own descendant", "split without a candidate"])
def test_one_bad_row_applies_nothing_and_is_named_by_row_and_column(
        app: Ketnap, district: dict[str, list[str]], tmp_path: Path, make_bad: Any, row_from_end: int, column: str,
        rule: str) -> None:
    rows = make_bad(plan(district["CB-GV"]))
    before = snapshot(app.engine)

    with pytest.raises(WorkbookRefused) as refused:
        apply_workbook(app, fill_template(tmp_path / "bad.xlsx", rows))

    assert [(p.sheet, p.row, p.column, p.violation.rule) for p in refused.value.problems] == [
        ("Kế hoạch sắp xếp", len(rows) + 1 - row_from_end, column, rule)]
    assert snapshot(app.engine) == before


def test_a_dry_run_on_the_command_line_writes_nothing_and_lists_who_moves(
        app: Ketnap, district: dict[str, list[str]], db_url: str, tmp_path: Path) -> None:
    path = fill_template(tmp_path / "plan.xlsx", plan(district["CB-GV"]))
    before = snapshot(app.engine)

    done = CliRunner().invoke(cli, ["--db", db_url, "--json", "org", "restructure", str(path), "--dry-run"],
                              env={"KETNAP_ACTOR": "văn phòng"})

    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["dry_run"] is True and doc["rows"] == len(plan(district["CB-GV"]))
    assert {m["candidate_id"] for m in doc["moved"]} == {c for ids in district.values() for c in ids}
    assert [p["change"] for p in doc["plan"]][:3] == ["created", "created", "created"]
    assert doc["plan"][-1] == {**doc["plan"][-1], "change": "dissolved", "code": "H", "rows": [
        {"sheet": "Kế hoạch sắp xếp", "row": 2}]}
    assert snapshot(app.engine) == before


def test_columns_in_any_order_text_dates_and_decomposed_vietnamese_are_read(
        app: Ketnap, district: dict[str, list[str]], tmp_path: Path) -> None:
    def nfd(value: Any) -> Any:
        return unicodedata.normalize("NFD", value) if isinstance(value, str) else value

    rows = [{k: nfd(v.strftime("%d/%m/%Y") if isinstance(v, date) else v) for k, v in row.items()}
            for row in plan(district["CB-GV"])]
    path = write_plan(tmp_path / "plan.xlsx", rows, list(reversed(COLUMNS)), lambda h: f"  {h.upper()} ")

    apply_workbook(app, path)

    name = app.organisations.tree(ON).name("XA-N")
    assert name == "Đảng bộ xã Thanh An" and unicodedata.is_normalized("NFC", name)


def test_the_workbook_types_new_and_existing_organisations_and_refuses_an_unknown_type(
        app: Ketnap, district: dict[str, list[str]], tmp_path: Path) -> None:
    rows = [{"on": ON, "decision": "9-QĐ/TU", **row} for row in (
        {"code": "DU-THPT", "kind": "Đổi loại hình", "org_type": "public_service"},
        {"code": "XA-N", "kind": "Thành lập", "name": "Đảng bộ xã Thanh An", "level": "Xã/phường/đặc khu",
         "parent": "TINH", "org_type": "commune"})]
    bad = [*rows[:1], {**rows[1], "org_type": "ngân hàng"}]
    before = snapshot(app.engine)

    with pytest.raises(WorkbookRefused) as refused:
        apply_workbook(app, fill_template(tmp_path / "bad.xlsx", bad))
    assert snapshot(app.engine) == before
    assert [(p.row, p.violation.rule, p.violation.field) for p in refused.value.problems] == [
        (3, "org_type_unknown", "org_type")]

    apply_workbook(app, fill_template(tmp_path / "types.xlsx", rows))
    tree = app.organisations.tree(ON)
    assert (tree.get("DU-THPT").org_type, tree.get("XA-N").org_type) == ("public_service", "commune")  # type: ignore[union-attr]
    assert app.organisations.tree(date(2025, 6, 30)).get("DU-THPT").org_type is None  # type: ignore[union-attr]
