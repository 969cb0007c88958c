"""Build the shipped templates: templates/default/<form>.docx (python-docx, filled later by docxtpl) and the
matching <form>.html.j2 (jinja2, printed to PDF by weasyprint), from one description of each form, so the Word
file and the PDF say the same words.

Run `python -m workflow.paperwork.make_templates` after changing a form below and commit what it writes. An
office edits the .docx in Word instead (keeping the {{ ... }} fields) and puts it in `documents.templates_dir`.
The sizes and places follow Hướng dẫn 36-HD/VPTW (2018), Phụ lục 3, as docs/DOCUMENTS.md cites it.
"""

import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent / "templates" / "default"
FONT = "Times New Roman"  # 36-HD/VPTW Phụ lục 3 shows its sizes in Times New Roman

# Blocks: ("p", text) a justified paragraph; ("c", text) centred bold; ("l", text) unindented line;
# ("for", var, text) one paragraph per item; ("if", var, text); ("basis",); ("toc",).
Block = tuple[str, ...]
NOTE_ALL = ("Layout after 36-HD/VPTW 2018 Phụ lục 3; the body's wording is ketnap's, the annex form's own "
            "wording UNVERIFIED (docs/DOCUMENTS.md).")  # kept in the file's properties, never printed

PARTICULARS: list[Block] = [
    ("l", "- Họ và tên: {{ candidate.full_name }}; giới tính: {{ candidate.sex }};"),
    ("l", "- Sinh {{ candidate.birth_date }};"),
    ("l", "- Dân tộc: {{ candidate.ethnicity }}; tôn giáo: {{ candidate.religion }};"),
    ("l", "- Trình độ học vấn: {{ candidate.education }}."),
]
INTRODUCERS: list[Block] = [
    ("l", "Người giới thiệu:"),
    ("for", "i in introducers", "- Đồng chí {{ i.name }}, đảng viên chính thức từ {{ i.since }};"),
    ("if", "union_resolution", "- {{ union_resolution }}."),
]


def _vote(members: str) -> list[Block]:
    return [
        ("p", f"Tổng số {members}: {{{{ vote.members }}}} đồng chí; có mặt: {{{{ vote.present }}}} đồng chí."),
        ("p", "Số tán thành: {{ vote.in_favour }} đồng chí, đạt {{ vote.percent }} so với tổng số "
              f"{members}; không tán thành: {{{{ vote.against }}}} đồng chí."),
        ("p", "Chủ trì: {{ vote.chair }}; thư ký: {{ vote.secretary }}."),
    ]


FORMS: dict[str, dict[str, object]] = {
    "6-knd": {
        "code": "6-KNĐ", "kind": "NGHỊ QUYẾT", "about": "Đề nghị kết nạp đảng viên",
        "blocks": [
            ("basis",),
            ("p", "{{ branch }} họp {{ date }} xét đơn xin vào Đảng của quần chúng "
                  "{{ candidate.full_name }}:"),
            *PARTICULARS, *INTRODUCERS,
            ("p", "Chi bộ đã xem xét lý lịch, ý kiến nhận xét của tổ chức đoàn thể và chi ủy nơi cư trú, đối chiếu "
                  "với tiêu chuẩn đảng viên và biểu quyết:"),
            *_vote("đảng viên chính thức của chi bộ"),
            ("c", "CHI BỘ QUYẾT NGHỊ:"),
            ("p", "Đề nghị {{ branch_parent }} xem xét, kết nạp quần chúng {{ candidate.full_name }} vào Đảng "
                  "Cộng sản Việt Nam."),
        ],
        "behalf": "T/M CHI BỘ", "role": "BÍ THƯ", "signer": "vote.chair",
        "to": ["{{ branch_parent }};", "Lưu chi bộ."],
    },
    "8-knd": {
        "code": "8-KNĐ", "kind": "NGHỊ QUYẾT", "about": "Đề nghị kết nạp đảng viên",
        "blocks": [
            ("basis",),
            ("p", "Xét Nghị quyết số {{ branch_resolution.number }} {{ branch_resolution.date }} của "
                  "{{ branch }} đề nghị kết nạp quần chúng {{ candidate.full_name }} vào Đảng:"),
            *PARTICULARS, *INTRODUCERS,
            ("p", "{{ issuer_name }} họp {{ date }}, thẩm định và biểu quyết:"),
            *_vote("cấp ủy viên"),
            ("c", "{{ issuer }} QUYẾT NGHỊ:"),
            ("p", "Đề nghị {{ upper_name }} xem xét, quyết định kết nạp quần chúng {{ candidate.full_name }} vào "
                  "Đảng Cộng sản Việt Nam."),
        ],
        "behalf": "T/M ĐẢNG ỦY", "role": "BÍ THƯ", "signer": "vote.chair",
        "to": ["{{ upper_name }};", "{{ branch }};", "Lưu văn phòng đảng ủy."],
    },
    "9-knd": {
        "code": "9-KNĐ", "kind": "QUYẾT ĐỊNH", "about": "{{ admit.title }}",
        "blocks": [
            ("basis",),
            ("p", "Xét Nghị quyết số {{ branch_resolution.number }} {{ branch_resolution.date }} của "
                  "{{ branch }} và Nghị quyết số {{ committee_resolution.number }} {{ committee_resolution.date }} "
                  "của đảng ủy cơ sở đề nghị {{ admit.verb_lower }} quần chúng {{ candidate.full_name }} vào "
                  "Đảng{{ admit.consent }},"),
            ("c", "BAN THƯỜNG VỤ {{ issuer }} QUYẾT ĐỊNH:"),
            ("p", "Điều 1. {{ admit.verb }} quần chúng {{ candidate.full_name }}, sinh {{ candidate.birth_date }}, "
                  "giới tính {{ candidate.sex }}, dân tộc {{ candidate.ethnicity }}, tôn giáo "
                  "{{ candidate.religion }}, trình độ học vấn {{ candidate.education }}, vào Đảng Cộng sản Việt "
                  "Nam. Thời gian dự bị 12 tháng kể từ ngày chi bộ tổ chức lễ kết nạp."),
            ("p", "Điều 2. {{ branch }} tổ chức lễ kết nạp theo quy định, phân công đảng viên chính thức giúp "
                  "đỡ đảng viên dự bị."),
            ("p", "Điều 3. {{ branch }} và đồng chí {{ candidate.full_name }} thi hành quyết định này."),
        ],
        "behalf": "T/M BAN THƯỜNG VỤ", "role": "BÍ THƯ", "signer": "signer",
        "to": ["Như Điều 3;", "Lưu hồ sơ đảng viên."],
    },
    "13-knd": {
        "code": "13-KNĐ", "kind": "NGHỊ QUYẾT", "about": "Đề nghị công nhận đảng viên chính thức",
        "blocks": [
            ("basis",),
            ("p", "{{ branch }} họp {{ date }} xét công nhận đảng viên chính thức cho đồng chí "
                  "{{ candidate.full_name }}, kết nạp vào Đảng theo Quyết định số "
                  "{{ admission_decision.number }} {{ admission_decision.date }}, lễ kết nạp {{ ceremony }}, hết "
                  "thời gian dự bị {{ probation_ends }}:"),
            *PARTICULARS,
            *_vote("đảng viên chính thức của chi bộ"),
            ("c", "CHI BỘ QUYẾT NGHỊ:"),
            ("p", "Đề nghị {{ branch_parent }} xem xét, công nhận đồng chí {{ candidate.full_name }} là đảng viên "
                  "chính thức của Đảng Cộng sản Việt Nam."),
        ],
        "behalf": "T/M CHI BỘ", "role": "BÍ THƯ", "signer": "vote.chair",
        "to": ["{{ branch_parent }};", "Lưu chi bộ."],
    },
    "15-knd": {
        "code": "15-KNĐ", "kind": "NGHỊ QUYẾT", "about": "Đề nghị công nhận đảng viên chính thức",
        "blocks": [
            ("basis",),
            ("p", "Xét Nghị quyết số {{ branch_resolution.number }} {{ branch_resolution.date }} của "
                  "{{ branch }} đề nghị công nhận đảng viên chính thức cho đồng chí {{ candidate.full_name }}, "
                  "kết nạp theo Quyết định số {{ admission_decision.number }} {{ admission_decision.date }}, hết "
                  "thời gian dự bị {{ probation_ends }}:"),
            *PARTICULARS,
            ("p", "{{ issuer_name }} họp {{ date }}, thẩm định và biểu quyết:"),
            *_vote("cấp ủy viên"),
            ("c", "{{ issuer }} QUYẾT NGHỊ:"),
            ("p", "Đề nghị {{ upper_name }} xem xét, quyết định công nhận đồng chí {{ candidate.full_name }} là "
                  "đảng viên chính thức."),
        ],
        "behalf": "T/M ĐẢNG ỦY", "role": "BÍ THƯ", "signer": "vote.chair",
        "to": ["{{ upper_name }};", "{{ branch }};", "Lưu văn phòng đảng ủy."],
    },
    "cong-nhan": {
        "code": "", "kind": "QUYẾT ĐỊNH", "about": "Công nhận đảng viên chính thức",
        "note": "Form code (16-KNĐ?) and layout UNVERIFIED (DOMAIN.md section 6).",
        "blocks": [
            ("basis",),
            ("p", "Xét Nghị quyết số {{ committee_resolution.number }} {{ committee_resolution.date }} của đảng ủy "
                  "cơ sở đề nghị công nhận đảng viên chính thức cho đồng chí {{ candidate.full_name }}, kết nạp "
                  "theo Quyết định số {{ admission_decision.number }} {{ admission_decision.date }},"),
            ("c", "BAN THƯỜNG VỤ {{ issuer }} QUYẾT ĐỊNH:"),
            ("p", "Điều 1. Công nhận đồng chí {{ candidate.full_name }}, sinh {{ candidate.birth_date }}, đảng viên "
                  "{{ branch }}, là đảng viên chính thức của Đảng Cộng sản Việt Nam kể từ "
                  "{{ official_on }}."),
            ("p", "Điều 2. {{ branch }} và đồng chí {{ candidate.full_name }} thi hành quyết định này."),
        ],
        "behalf": "T/M BAN THƯỜNG VỤ", "role": "BÍ THƯ", "signer": "signer",
        "to": ["Như Điều 2;", "Lưu hồ sơ đảng viên."],
    },
    "muc-luc": {
        "code": "", "kind": "MỤC LỤC", "about": "Hồ sơ kết nạp đảng viên {{ candidate.full_name }}",
        "note": "No annex form in DOMAIN.md section 6: layout UNVERIFIED.",
        "blocks": [
            ("p", "Hồ sơ của {{ candidate.addressed }} {{ candidate.full_name }}, sinh {{ candidate.birth_date }}, "
                  "{{ branch }}, gồm các tài liệu sau (theo thứ tự ghi trong sổ):"),
            ("toc",),
        ],
        "behalf": "T/M CHI BỘ", "role": "BÍ THƯ", "signer": "",
        "to": ["Lưu hồ sơ đảng viên."],
    },
}


# --- Word -----------------------------------------------------------------------------------------------------

def _run(p: Paragraph, text: str, *, size: int = 14, bold: bool = False, italic: bool = False,
         underline: bool = False) -> None:
    run = p.add_run(text)
    run.font.size, run.font.bold, run.font.italic, run.font.underline = Pt(size), bold, italic, underline
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _para(where: Any, text: str = "", *, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
          indent: bool = False, **style: object) -> Paragraph:
    p: Paragraph = where.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(3)
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    if text:
        _run(p, text, **style)  # type: ignore[arg-type]
    return p


def _two_columns(doc: object, left: float, right: float) -> tuple[_Cell, _Cell]:
    table = doc.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    a, b = table.rows[0].cells
    a.width, b.width = Cm(left), Cm(right)
    for cell in (a, b):
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return a, b


def _docx(slug: str, spec: dict[str, object], out: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Cm(2), Cm(2), Cm(3), Cm(1.5)
    doc.core_properties.title = f"{spec['code'] or slug}: {spec['about']}"
    doc.core_properties.comments = " ".join([NOTE_ALL, str(spec.get("note", ""))]).strip()
    left, right = _two_columns(doc, 7.5, 9.0)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(left, "{{ upper }}", align=centre)
    _para(left, "{{ issuer }}", align=centre, bold=True)
    _para(left, "*", align=centre)
    if slug != "muc-luc":
        _para(left, "Số {{ number }}", align=centre)
    _para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", align=centre, bold=True, size=15, underline=True)
    _para(right)
    _para(right, "{{ place }}, {{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, italic=True)
    if spec["code"]:
        _para(doc, f"Mẫu {spec['code']}", align=WD_ALIGN_PARAGRAPH.RIGHT, size=11, italic=True)
    _para(doc)
    _para(doc, str(spec["kind"]), align=centre, bold=True, size=16)
    _para(doc, str(spec["about"]), align=centre, bold=True)
    _para(doc, "-----", align=centre)
    for block in spec["blocks"]:  # type: ignore[attr-defined]
        _docx_block(doc, block)
    _signature(doc, spec)
    _lean(doc)
    doc.save(str(out))


KEEP_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}


def _lean(doc: Any) -> None:
    """Drop what python-docx's blank document carries and these forms do not use (800 KB of styles, a thumbnail
    of another document): docxtpl parses and zips every part at every render, so this is most of its cost."""
    styles = doc.styles.element
    for child in list(styles):
        if child.tag == qn("w:latentStyles") or (child.tag == qn("w:style")
                                                 and child.get(qn("w:styleId")) not in KEEP_STYLES):
            styles.remove(child)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rel_id)


def _docx_block(doc: object, block: Block) -> None:
    kind = block[0]
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    if kind == "basis":
        _para(doc, "{%p for b in basis %}")
        _para(doc, "- Căn cứ {{ b }};", align=justify, indent=True, italic=True)
        _para(doc, "{%p endfor %}")
    elif kind == "p":
        _para(doc, block[1], align=justify, indent=True)
    elif kind == "c":
        _para(doc, block[1], align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    elif kind == "l":
        _para(doc, block[1], indent=True)
    elif kind in ("for", "if"):
        _para(doc, f"{{%p {kind} {block[1]} %}}")
        _para(doc, block[2], indent=True)
        _para(doc, f"{{%p end{kind} %}}")
    elif kind == "toc":
        table = doc.add_table(rows=3, cols=5)  # type: ignore[attr-defined]
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, ("STT", "Tên tài liệu", "Mẫu", "Số, ký hiệu", "Ngày"),
                              strict=True):
            _run(cell.paragraphs[0], head, size=12, bold=True)
        table.rows[1].cells[0].paragraphs[0].add_run("{%tr for r in rows %}")
        for cell, key in zip(table.rows[2].cells, ("no", "name", "code", "number", "date"), strict=True):
            _run(cell.paragraphs[0], f"{{{{ r.{key} }}}}", size=12)
        table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
        for i, width in enumerate((1.2, 7.3, 2.2, 3.3, 2.5)):
            for row in table.rows:
                row.cells[i].width = Cm(width)


def _signature(doc: object, spec: dict[str, object]) -> None:
    _para(doc)
    left, right = _two_columns(doc, 7.5, 9.0)
    p = _para(left)
    _run(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in spec["to"]:  # type: ignore[attr-defined]
        _para(left, f"- {line}", size=11)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _para(right, str(spec["behalf"]), align=centre, bold=True)
    _para(right, str(spec["role"]), align=centre, bold=True)
    for _ in range(3):
        _para(right)
    if spec["signer"]:
        _para(right, f"{{{{ {spec['signer']} }}}}", align=centre, bold=True)


# --- HTML -----------------------------------------------------------------------------------------------------

def _html_text(text: str) -> str:
    """The block's words escaped for HTML, its {{ fields }} kept (jinja escapes their values)."""
    return escape(text, quote=False)


def _html(slug: str, spec: dict[str, object]) -> str:
    lines = ['{% extends "_page.html.j2" %}', "{% block body %}"]
    number = "" if slug == "muc-luc" else '<div>Số {{ number }}</div>'
    code = f'<div class="code">Mẫu {spec["code"]}</div>' if spec["code"] else ""
    lines += [
        '<table class="head"><tr>',
        f'<td class="left"><div>{{{{ upper }}}}</div><div class="b">{{{{ issuer }}}}</div><div>*</div>{number}</td>',
        '<td class="right"><div class="party">ĐẢNG CỘNG SẢN VIỆT NAM</div>'
        '<div class="when">{{ place }}, {{ date }}</div></td>',
        "</tr></table>", code,
        f'<h1>{_html_text(str(spec["kind"]))}</h1><h2>{_html_text(str(spec["about"]))}</h2>',
        '<div class="dash">-----</div>',
    ]
    for block in spec["blocks"]:  # type: ignore[attr-defined]
        lines.append(_html_block(block))
    recipients = "".join(f"<div>- {_html_text(t)}</div>" for t in spec["to"])  # type: ignore[attr-defined]
    signer = f'<div class="b name">{{{{ {spec["signer"]} }}}}</div>' if spec["signer"] else ""
    lines += ['<table class="sign"><tr>', f'<td class="left"><div class="to">Nơi nhận:</div>{recipients}</td>',
              f'<td class="right"><div class="b">{spec["behalf"]}</div><div class="b">{spec["role"]}</div>'
              f'<div class="space"></div>{signer}</td>', "</tr></table>", "{% endblock %}",
              "{# " + " ".join([NOTE_ALL, str(spec.get("note", ""))]).strip() + " #}", ""]
    return "\n".join(lines)


def _html_block(block: Block) -> str:
    kind = block[0]
    if kind == "basis":
        return '{% for b in basis %}<p class="basis">- Căn cứ {{ b }};</p>{% endfor %}'
    if kind == "p":
        return f"<p>{_html_text(block[1])}</p>"
    if kind == "c":
        return f'<p class="c">{_html_text(block[1])}</p>'
    if kind == "l":
        return f'<p class="l">{_html_text(block[1])}</p>'
    if kind in ("for", "if"):
        return f'{{% {kind} {block[1]} %}}<p class="l">{_html_text(block[2])}</p>{{% end{kind} %}}'
    if kind == "toc":
        return ('<table class="toc"><thead><tr><th>STT</th><th>Tên tài liệu</th><th>Mẫu</th><th>Số, ký hiệu</th>'
                '<th>Ngày</th></tr></thead><tbody>{% for r in rows %}<tr><td>{{ r.no }}</td><td>{{ r.name }}</td>'
                '<td>{{ r.code }}</td><td>{{ r.number }}</td><td>{{ r.date }}</td></tr>{% endfor %}</tbody></table>')
    raise ValueError(f"unknown block {kind!r}")


def main(argv: Sequence[str] = ()) -> None:
    out = Path(argv[0]) if argv else HERE
    out.mkdir(parents=True, exist_ok=True)
    for slug, spec in FORMS.items():
        _docx(slug, spec, out / f"{slug}.docx")
        (out / f"{slug}.html.j2").write_text(_html(slug, spec), encoding="utf-8")
    sys.stdout.write(f"wrote {len(FORMS)} forms to {out}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
