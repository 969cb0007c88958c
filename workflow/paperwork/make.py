"""One document of one candidate, read from the log: the service behind `ketnap document` and the page's
"Tải văn bản" link. Reads only; writes nothing, so a refusal leaves everything as it was."""

from dataclasses import dataclass

from workflow.paperwork import render
from workflow.paperwork.context import Paper, build
from workflow.paperwork.forms import paper_form
from workflow.refusals import InvalidInput
from workflow.service import Ketnap


@dataclass(frozen=True)
class Document:
    paper: Paper
    candidate_id: str
    fmt: str
    content: bytes

    @property
    def filename(self) -> str:
        return f"{self.candidate_id}-{self.paper.form.slug}-v{self.paper.version}.{self.fmt}"

    @property
    def media_type(self) -> str:
        return render.FORMATS[self.fmt]


def make_document(app: Ketnap, candidate_id: str, which: str, fmt: str, version: int | None = None) -> Document:
    """The document `which` (a form code, a step, or "muc-luc") of a candidate, in `fmt`.

    Raises:
        InvalidInput (a format that is not docx, pdf or html), UnknownDocument, CandidateNotFound,
        DocumentNotRecorded.
    """
    if fmt not in render.FORMATS:
        raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(render.FORMATS)}")
    form = paper_form(which)
    events = app.events(candidate_id)
    paper = build(events, form, app.organisations.history_log(), app.rulebook, app.settings.documents, version)
    content = render.render(form.slug, fmt, paper.context, paper.rule_set, app.settings.documents.templates_dir)
    return Document(paper, candidate_id, fmt, content)
