"""Issue 12: the shipped templates are what make_templates.py builds (reproducible), a province's own template
replaces a shipped one for a rule set or for all, and the Vietnamese date and percentage forms."""

import zipfile
from datetime import date
from pathlib import Path

import pytest

from workflow.paperwork import make_templates, render
from workflow.paperwork.context import date_vi, percent_vi
from workflow.paperwork.forms import FORMS, UnknownDocument, paper_form

SHIPPED = render.SHIPPED / "default"


def test_the_shipped_templates_are_what_the_script_builds(tmp_path: Path) -> None:
    make_templates.main([str(tmp_path)])
    for form in FORMS:
        built, shipped = tmp_path / f"{form.slug}.html.j2", SHIPPED / f"{form.slug}.html.j2"
        assert built.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8"), form.slug
        with zipfile.ZipFile(tmp_path / f"{form.slug}.docx") as a, zipfile.ZipFile(SHIPPED / f"{form.slug}.docx") as b:
            assert a.read("word/document.xml") == b.read("word/document.xml"), f"{form.slug}.docx: run the script"


def test_a_forms_unverified_layout_is_noted_in_the_source_not_printed() -> None:
    source = (SHIPPED / "cong-nhan.html.j2").read_text(encoding="utf-8")
    assert "{# " in source and "UNVERIFIED" in source.split("{#", 1)[1]
    with zipfile.ZipFile(SHIPPED / "cong-nhan.docx") as docx:
        assert b"UNVERIFIED" in docx.read("docProps/core.xml") and b"UNVERIFIED" not in docx.read("word/document.xml")


def test_a_provinces_template_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    (tmp_path / "qd24-2021").mkdir()
    (tmp_path / "default" / "6-knd.html.j2").write_text("tỉnh: {{ number }}", encoding="utf-8")
    (tmp_path / "qd24-2021" / "6-knd.html.j2").write_text("2021: {{ number }}", encoding="utf-8")
    assert render.to_html("6-knd", {"number": "06-NQ/CB"}, "qd294-2025", tmp_path) == "tỉnh: 06-NQ/CB"
    assert render.to_html("6-knd", {"number": "06-NQ/CB"}, "qd24-2021", tmp_path) == "2021: 06-NQ/CB"
    assert render.template_path("8-knd", ".docx", "qd24-2021", tmp_path) == SHIPPED / "8-knd.docx"
    assert render.to_html("6-knd", {"number": "<b>"}, "qd294-2025", tmp_path) == "tỉnh: &lt;b&gt;"


@pytest.mark.parametrize(("day", "text"), [
    (date(2024, 3, 15), "ngày 15 tháng 3 năm 2024"), (date(2024, 7, 1), "ngày 01 tháng 7 năm 2024"),
    (date(2018, 2, 20), "ngày 20 tháng 02 năm 2018"), (date(2025, 12, 31), "ngày 31 tháng 12 năm 2025")])
def test_dates_are_written_the_party_documents_way(day: date, text: str) -> None:
    assert date_vi(day) == text


def test_percentages_use_the_decimal_comma() -> None:
    assert [percent_vi(18, 20), percent_vi(7, 9), percent_vi(2, 3), percent_vi(0, 5)] == ["90%", "77,8%", "66,7%",
                                                                                          "0%"]


@pytest.mark.parametrize("name", ["6-KNĐ", "6-knd", "6-KND", "branch_vote", "branch-vote", " 6-KNĐ "])
def test_a_form_is_found_by_its_code_or_step(name: str) -> None:
    assert paper_form(name).code == "6-KNĐ"


@pytest.mark.parametrize("name", ["", "7-KNĐ", "hold_ceremony", "../6-knd"])
def test_an_unknown_form_is_refused(name: str) -> None:
    with pytest.raises(UnknownDocument):
        paper_form(name)
