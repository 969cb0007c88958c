"""Fill a form's template with what a document says: Word through docxtpl, HTML through jinja2, PDF by printing
that HTML with weasyprint. Nothing is fetched: fonts are the machine's (DejaVu Serif carries every Vietnamese
diacritic) and the HTML names no outside resource.

A template is looked up as <dir>/<rule set>/<form> then <dir>/default/<form>, in the configured
`documents.templates_dir` first and then in the shipped templates/, so a province replaces one form for one rule
set without a release.
"""

import io
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

SHIPPED = Path(__file__).resolve().parent / "templates"
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _dirs(rule_set: str, own: Path | None) -> list[Path]:
    roots = [own, SHIPPED] if own is not None else [SHIPPED]
    return [root / sub for root in roots for sub in (rule_set, "default")]


def template_path(slug: str, suffix: str, rule_set: str, own: Path | None = None) -> Path:
    """The first <slug><suffix> of the lookup order; the shipped default always exists."""
    for folder in _dirs(rule_set, own):
        candidate = folder / f"{slug}{suffix}"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no template {slug}{suffix} in {', '.join(str(d) for d in _dirs(rule_set, own))}")


@lru_cache(maxsize=32)
def _environment(folders: tuple[Path, ...]) -> Environment:
    return Environment(loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders if f.is_dir()]),
                       autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def to_html(slug: str, context: dict[str, Any], rule_set: str, own: Path | None = None) -> str:
    env = _environment(tuple(_dirs(rule_set, own)))
    return unicodedata.normalize("NFC", env.get_template(f"{slug}.html.j2").render(**context))


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on first use: it loads Pango, which only documents need

    return bytes(HTML(string=html, base_url=str(SHIPPED)).write_pdf())


class _CompiledOnce(Environment):
    """docxtpl compiles every XML part of a template (body, properties...) at every render, which is most of a
    document's cost; a part's text does not change between renders, so each one is compiled once per process."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            if len(self._compiled) > 256:  # a province editing templates all day: forget, do not grow
                self._compiled.clear()
            found = self._compiled[source] = super().from_string(source)
        return found


_DOCX_ENV = _CompiledOnce()
_PATCHED: dict[str, str] = {}


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl cleans a part's XML for Jinja2 with some thirty regular expressions at every render; the result
    depends on the XML only, so it is kept, as the compiled parts are."""

    def patch_xml(self, src_xml: str) -> str:
        found = _PATCHED.get(src_xml)
        if found is None:
            if len(_PATCHED) > 256:
                _PATCHED.clear()
            found = _PATCHED[src_xml] = super().patch_xml(src_xml)
        return found


def to_docx(template: Path, context: dict[str, Any]) -> bytes:
    doc = _Template(str(template))
    doc.render(context, jinja_env=_DOCX_ENV, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(slug: str, fmt: str, context: dict[str, Any], rule_set: str, own: Path | None = None) -> bytes:
    """The document in `fmt` (docx, pdf or html)."""
    if fmt == "docx":
        return to_docx(template_path(slug, ".docx", rule_set, own), context)
    html = to_html(slug, context, rule_set, own)
    return to_pdf(html) if fmt == "pdf" else html.encode("utf-8")

