"""Which documents ketnap makes, and the step of the log each one states (DOMAIN.md section 6).

A form is asked for by its code ("6-KNĐ", also typed "6-knd"), by its step ("branch_vote") or, for the
dossier's table of contents, by "muc-luc" (or "dossier").
"""

import unicodedata
from dataclasses import dataclass

from states.errors import ProcedureError


@dataclass(frozen=True)
class PaperForm:
    code: str  # as printed in the corner of the form; DOMAIN.md section 6
    slug: str  # the template's file name and the URL's word: ASCII, lower case
    step: str | None  # the step whose event the document states; None for the dossier's table of contents
    issuer: str  # "branch" (the candidate's branch), "committee" (its grassroots committee), "decider"
    number_field: str | None  # the payload field with the number and symbol ("06-NQ/CB")
    verified: bool  # DOMAIN.md section 6 knows the form's code (its layout here is ketnap's, see DOCUMENTS.md)
    title_vi: str
    title_en: str

    @property
    def name(self) -> str:
        """What a user types and reads: the form code, or the slug where no code of DOMAIN.md is verified."""
        return self.code if self.verified else self.slug


FORMS: tuple[PaperForm, ...] = (
    PaperForm("6-KNĐ", "6-knd", "branch_vote", "branch", "resolution_no", True,
              "Nghị quyết của chi bộ đề nghị kết nạp đảng viên", "Branch resolution proposing admission"),
    PaperForm("8-KNĐ", "8-knd", "committee_vote", "committee", "resolution_no", True,
              "Nghị quyết của đảng ủy cơ sở đề nghị kết nạp đảng viên",
              "Grassroots committee resolution proposing admission"),
    PaperForm("9-KNĐ", "9-knd", "decide_admission", "decider", "decision_no", True,
              "Quyết định kết nạp đảng viên", "Admission decision"),
    PaperForm("13-KNĐ", "13-knd", "review_vote", "branch", "resolution_no", True,
              "Nghị quyết của chi bộ đề nghị công nhận đảng viên chính thức",
              "Branch resolution proposing official recognition"),
    PaperForm("15-KNĐ", "15-knd", "committee_review_vote", "committee", "resolution_no", True,
              "Nghị quyết của đảng ủy cơ sở đề nghị công nhận đảng viên chính thức",
              "Grassroots committee resolution on official recognition"),
    # DOMAIN.md section 6: 16-KNĐ is "probably the official-recognition decision", UNVERIFIED: no code printed.
    PaperForm("QĐ-CNCT", "cong-nhan", "recognise_official", "decider", "decision_no", False,
              "Quyết định công nhận đảng viên chính thức", "Official recognition decision"),
    PaperForm("MLHS", "muc-luc", None, "branch", None, False,
              "Mục lục hồ sơ kết nạp đảng viên", "The dossier's table of contents"),
)

BY_STEP = {f.step: f for f in FORMS if f.step}
_ALIASES = {"dossier": "muc-luc", "toc": "muc-luc", "mucluc": "muc-luc", "16-knd": "cong-nhan",
            "recognition": "cong-nhan"}


class UnknownDocument(ProcedureError):
    """No document has this name."""

    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join(f"{f.name} ({f.step or 'table of contents'})" for f in FORMS)
        super().__init__(f"no document is called {name!r}; documents are: {known}")


class DocumentNotRecorded(ProcedureError):
    """The step a document states is not in the candidate's log (yet), so there is nothing to print."""

    def __init__(self, candidate_id: str, form: PaperForm, version: int | None = None) -> None:
        self.candidate_id, self.form, self.version = candidate_id, form, version
        if version is None:
            super().__init__(f"{form.name} states the step {form.step}, which is not recorded for "
                             f"candidate {candidate_id!r} yet: record it first")
        else:
            super().__init__(f"{form.name} states the step {form.step}; event {version} of candidate "
                             f"{candidate_id!r} is not one")


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFC", name.strip()).casefold().replace("đ", "d").replace("_", "-")
    return _ALIASES.get(folded, folded)


def paper_form(name: str) -> PaperForm:
    """The form called `name` (its code, slug or step).

    Raises:
        UnknownDocument, naming every document there is.
    """
    key = _key(name)
    for f in FORMS:
        if key and key in (_key(f.code), f.slug, _key(f.step or "")):
            return f
    raise UnknownDocument(name)
