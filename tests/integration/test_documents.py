"""Issue 12: each document made from a candidate's log states the log's facts: names, dates written "ngày ... tháng
... năm ...", votes, numbers, the organisations as named on the step's date; in Word (reopened with python-docx)
and in PDF (pdftotext, pdftoppm), with no template field left and every diacritic intact.

Documents only read the log, so these run on one real SQLite file built once for the module."""

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document as Word

from states.errors import CandidateNotFound, RuleViolation
from states.organisations import OrgChange
from storage import migrate
from storage.engine import make_engine
from tests.builders import AFTER_VOTE, PATH_TO_VOTE, settings
from tests.conftest import T0
from tests.fakes import FrozenClock
from tests.integration.support import ORG_TREE, record, record_path
from workflow.bootstrap import bootstrap
from workflow.commands import AddOrganisation
from workflow.paperwork.context import BLANK
from workflow.paperwork.forms import DocumentNotRecorded, UnknownDocument
from workflow.paperwork.make import make_document
from workflow.service import Ketnap

MEETING = {"branch_vote": {"present": 19, "against": 1, "chair": "Lê Thị Mai", "secretary": "Võ Văn Tám"},
           "committee_vote": {"present": 8, "against": 1, "chair": "Đỗ Quang Vinh", "secretary": "Hà Thu Trang",
                              "resolution_no": "15-NQ/ĐU"},
           "decide_admission": {"signer": "Ngô Đức Thắng"},
           "review_vote": {"present": 21, "against": 1, "chair": "Lê Thị Mai", "secretary": "Võ Văn Tám",
                           "resolution_no": "13-NQ/CB"},
           "committee_review_vote": {"present": 9, "against": 0, "chair": "Đỗ Quang Vinh",
                                     "secretary": "Hà Thu Trang", "resolution_no": "21-NQ/ĐU"},
           "recognise_official": {"signer": "Ngô Đức Thắng"}}
FULL = [(name, on, {**fields, **MEETING.get(name, {})}) for name, on, fields in [*PATH_TO_VOTE, *AFTER_VOTE]]
BARE = [*PATH_TO_VOTE, *AFTER_VOTE]
BRANCH, COMMITTEE, DECIDER = "CHI BỘ GIÁO VIÊN", "ĐẢNG ỦY TRƯỜNG THPT TÂN LẬP", "ĐẢNG ỦY XÃ TÂN LẬP"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = {"6-KNĐ": "12-document-6-knd", "9-KNĐ": "13-document-9-knd"}
COMMON = ["Nguyễn Thị Hoà", "ĐẢNG CỘNG SẢN VIỆT NAM"]

# What each document must say, from the standard path of tests/builders.py plus MEETING.
EXPECTED: dict[str, list[str]] = {
    "6-KNĐ": [BRANCH, COMMITTEE, "Số 06-NQ/CB", "Tân Lập, ngày 01 tháng 7 năm 2024", "NGHỊ QUYẾT",
              "Sinh ngày 15 tháng 3 năm 2000", "Dân tộc: Kinh", "tôn giáo: Không",
              "Tổng số đảng viên chính thức của chi bộ: 20 đồng chí; có mặt: 19 đồng chí",
              "Số tán thành: 18 đồng chí, đạt 90%", "không tán thành: 1 đồng chí",
              "Đồng chí Lê Văn Cường, đảng viên chính thức từ ngày 01 tháng 01 năm 2010",
              "Đồng chí Trần Minh Đức", "Lê Thị Mai", "Võ Văn Tám", "Căn cứ Quy định số 24-QĐ/TW",
              "Căn cứ Điều lệ Đảng Cộng sản Việt Nam", "T/M CHI BỘ"],
    "8-KNĐ": [COMMITTEE, DECIDER, "Số 15-NQ/ĐU", "Tân Lập, ngày 10 tháng 7 năm 2024",
              "Xét Nghị quyết số 06-NQ/CB ngày 01 tháng 7 năm 2024 của Chi bộ Giáo viên",
              "Tổng số cấp ủy viên: 9 đồng chí; có mặt: 8 đồng chí", "Số tán thành: 7 đồng chí, đạt 77,8%",
              "không tán thành: 1 đồng chí", "Đỗ Quang Vinh", "Hà Thu Trang", "T/M ĐẢNG ỦY"],
    "9-KNĐ": [DECIDER, "TỈNH ỦY TUYÊN QUANG", "Số 123-QĐ/ĐU", "Tân Lập, ngày 01 tháng 8 năm 2024", "QUYẾT ĐỊNH",
              "Nghị quyết số 06-NQ/CB ngày 01 tháng 7 năm 2024", "Nghị quyết số 15-NQ/ĐU ngày 10 tháng 7 năm 2024",
              "Kết nạp quần chúng Nguyễn Thị Hoà, sinh ngày 15 tháng 3 năm 2000", "Ngô Đức Thắng",
              "T/M BAN THƯỜNG VỤ"],
    "13-KNĐ": [BRANCH, "Số 13-NQ/CB", "Tân Lập, ngày 25 tháng 8 năm 2025", "Quyết định số 123-QĐ/ĐU ngày 01 "
               "tháng 8 năm 2024", "lễ kết nạp ngày 20 tháng 8 năm 2024", "hết thời gian dự bị ngày 20 tháng 8 năm "
               "2025", "Tổng số đảng viên chính thức của chi bộ: 21 đồng chí; có mặt: 21 đồng chí",
               "Số tán thành: 20 đồng chí, đạt 95,2%", "Căn cứ Quy định số 294-QĐ/TW",
               "Căn cứ Hướng dẫn số 06-HD/TW 2025"],
    "15-KNĐ": [COMMITTEE, DECIDER, "Số 21-NQ/ĐU", "Tân Lập, ngày 03 tháng 9 năm 2025",
               "Xét Nghị quyết số 13-NQ/CB ngày 25 tháng 8 năm 2025", "Số tán thành: 8 đồng chí, đạt 88,9%",
               "không tán thành: 0 đồng chí"],
    "cong-nhan": [DECIDER, "Số 456-QĐ/ĐU", "Tân Lập, ngày 20 tháng 9 năm 2025",
                  "Nghị quyết số 21-NQ/ĐU ngày 03 tháng 9 năm 2025",
                  "là đảng viên chính thức của Đảng Cộng sản Việt Nam kể từ ngày 20 tháng 8 năm 2025",
                  "Ngô Đức Thắng"],
    "muc-luc": [BRANCH, "MỤC LỤC", "Đơn xin vào Đảng", "1-KNĐ", "CN-123", "15/03/2024", "06-NQ/CB",
                "01/07/2024", "123-QĐ/ĐU", "01/08/2024", "456-QĐ/ĐU", "20/09/2025"],
}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ketnap, str, str]]:
    """The app on a real SQLite file, with one candidate recorded with every fact and one without the optional
    ones (present, against, chair, secretary, signer, the committee's numbers, ethnicity, religion)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('documents') / 'ketnap.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    documents = settings().documents.model_copy(update={"places": {"DU-XA": "Tân Lập"}})
    app = bootstrap(settings().model_copy(update={"documents": documents}), engine=engine, clock=FrozenClock(T0))
    app.add_org(AddOrganisation(code="TINH-TQ", name="Tỉnh ủy Tuyên Quang", level="province"))
    for org in ORG_TREE:  # DU-XA under the province, so that every issuer has an upper level to name
        app.add_org(org.model_copy(update={"parent": "TINH-TQ"}) if org.code == "DU-XA" else org)
    full = record_path(app, FULL, ethnicity="Kinh", religion="Không")
    bare = record_path(app, BARE)
    yield app, full, bare
    engine.dispose()


def docx_text(content: bytes, tmp_path: Path) -> str:
    """Every paragraph of the body and of its tables, reopened with python-docx, one per line."""
    path = tmp_path / "document.docx"
    path.write_bytes(content)
    doc = Word(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
                for inner in cell.tables:
                    lines += [p.text for r in inner.rows for c in r.cells for p in c.paragraphs]
    return "\n".join(lines)


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize("form", list(EXPECTED))
def test_the_word_document_states_the_logs_facts(office: tuple[Ketnap, str, str], form: str,
                                                 tmp_path: Path) -> None:
    app, full, _ = office
    doc = make_document(app, full, form, "docx")
    text = docx_text(doc.content, tmp_path)
    flat = _flat(text)
    for fact in [*COMMON, *EXPECTED[form]]:
        assert fact in flat, f"{form}: {fact!r} is not in the document:\n{text}"
    assert "{{" not in text and "{%" not in text and "}}" not in text, f"{form}: a template field is left:\n{text}"
    assert BLANK not in text and doc.paper.missing == [], f"{form}: every fact is recorded, yet {doc.paper.missing}"
    assert unicodedata.is_normalized("NFC", text)
    assert doc.filename == f"{full}-{doc.paper.form.slug}-v{doc.paper.version}.docx"


@pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils missing")
@pytest.mark.parametrize("form", list(EXPECTED))
def test_the_pdf_holds_the_same_facts_with_every_diacritic(office: tuple[Ketnap, str, str], form: str,
                                                           tmp_path: Path) -> None:
    app, full, _ = office
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(make_document(app, full, form, "pdf").content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = _flat(text)
    for fact in [*COMMON, *EXPECTED[form]]:
        assert _flat(fact) in flat, f"{form}: {fact!r} is not in the PDF's text:\n{text}"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    png = (tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 2000, "the first page rendered to an image"
    if os.environ.get("KETNAP_SCREENSHOTS") == "1" and form in SHOTS:  # how docs/screenshots/ gets its pictures
        target = ROOT / "docs" / "screenshots" / SHOTS[form]
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(target)], check=True)


def test_a_missing_fact_is_a_dotted_blank_and_named(office: tuple[Ketnap, str, str], tmp_path: Path) -> None:
    app, _, bare = office
    doc = make_document(app, bare, "branch_vote", "docx")
    text = docx_text(doc.content, tmp_path)
    assert f"có mặt: {BLANK} đồng chí" in text and f"không tán thành: {BLANK} đồng chí" in text
    assert doc.paper.missing == ["ethnicity", "religion", "present", "against", "chair", "secretary"]
    assert "số có mặt" in doc.paper.missing_vi and "the number present" in doc.paper.missing_en
    committee = make_document(app, bare, "8-KNĐ", "docx")
    assert committee.paper.missing[0] == "number" and f"Số {BLANK}" in docx_text(committee.content, tmp_path)


def test_the_html_is_the_same_document(office: tuple[Ketnap, str, str]) -> None:
    app, full, _ = office
    html = make_document(app, full, "9-knd", "html").content.decode("utf-8")
    assert "Số 123-QĐ/ĐU" in html and "Tân Lập, ngày 01 tháng 8 năm 2024" in html and "{{" not in html
    assert "UNVERIFIED" not in html, "the template's note about its layout is not printed"


def test_an_organisation_renamed_later_is_named_as_it_was_on_the_steps_date(office: tuple[Ketnap, str, str],
                                                                             tmp_path: Path) -> None:
    app, full, _ = office
    app.organisations.change([OrgChange("renamed", "CB-01", date(2025, 1, 1), name="Chi bộ Giáo viên – Nhân viên")],
                             "admin")
    try:
        early = _flat(docx_text(make_document(app, full, "6-KNĐ", "docx").content, tmp_path))
        late = _flat(docx_text(make_document(app, full, "13-KNĐ", "docx").content, tmp_path))
    finally:
        app.organisations.change([OrgChange("renamed", "CB-01", date(2025, 12, 1), name="Chi bộ Giáo viên")],
                                 "admin")
    assert "CHI BỘ GIÁO VIÊN *" in early and "NHÂN VIÊN" not in early
    assert "CHI BỘ GIÁO VIÊN – NHÂN VIÊN" in late


@pytest.mark.parametrize(("which", "version", "error"), [
    ("17-KNĐ", None, UnknownDocument),
    ("hold_ceremony", None, UnknownDocument),
    ("branch_vote", 3, DocumentNotRecorded),  # event 3 is enrol_training
])
def test_bad_requests_are_refused(office: tuple[Ketnap, str, str], which: str, version: int | None,
                                  error: type[Exception]) -> None:
    app, full, _ = office
    with pytest.raises(error):
        make_document(app, full, which, "docx", version)


def test_a_step_not_recorded_yet_and_an_unknown_candidate_are_refused(office: tuple[Ketnap, str, str]) -> None:
    app, _, _ = office
    early = record_path(app, PATH_TO_VOTE[:5])
    with pytest.raises(DocumentNotRecorded, match="decide_admission"):
        make_document(app, early, "9-KNĐ", "pdf")
    with pytest.raises(CandidateNotFound):
        make_document(app, "no-such-one", "6-KNĐ", "docx")


@pytest.mark.parametrize(("fields", "rule"), [
    ({"official_members": 20, "in_favour": 18, "present": 21}, "vote_present"),
    ({"official_members": 20, "in_favour": 18, "present": 19, "against": 2}, "vote_attendance"),
    ({"official_members": 20, "in_favour": 18, "present": 17}, "vote_attendance"),
    ({"official_members": 20, "in_favour": 18, "against": 3}, "vote_attendance"),
])
def test_the_meeting_counts_must_agree_with_the_vote(office: tuple[Ketnap, str, str], fields: dict[str, Any],
                                                     rule: str) -> None:
    app, _, _ = office
    at_vote = record_path(app, PATH_TO_VOTE[:9])
    before = app.events(at_vote)
    with pytest.raises(RuleViolation) as refused:
        record(app, at_vote, "branch_vote", date(2024, 7, 1), fields)
    assert rule in [v.rule for v in refused.value.violations]
    assert app.events(at_vote) == before, "a refused vote writes nothing"


def test_the_meeting_counts_at_their_boundary_are_accepted(office: tuple[Ketnap, str, str]) -> None:
    app, _, _ = office
    at_vote = record_path(app, PATH_TO_VOTE[:9])
    result = record(app, at_vote, "branch_vote", date(2024, 7, 1),
                    {"official_members": 20, "in_favour": 18, "present": 20, "against": 2})
    assert result.events[-1].payload["present"] == 20
