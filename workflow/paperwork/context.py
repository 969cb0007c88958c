"""What a document says, from the log alone: the step's event (with its corrections), the candidate as replayed,
the organisations as named on the step's date, and the regulation of the rule set in force that day.

Pure (no database, no clock): the caller passes the events and the organisation history, so the benchmark can
time this next to the template alone. A fact the log lacks is never invented: it becomes BLANK, a visible dotted
line, and is named in `Paper.missing` for the command line and the page.
"""

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from states.candidate import Candidate, replay
from states.events import Event
from states.organisations import Organisation, OrgHistory, Placement, Tree, placements
from states.rules import RuleBook
from workflow.audit.timeline import Entry, timeline
from workflow.config import DocumentSettings
from workflow.paperwork.forms import BY_STEP, DocumentNotRecorded, PaperForm

BLANK = "………………"  # where the log lacks a fact: the office writes it in by hand

# The facts a form may need, by the name the missing-facts list uses: (Vietnamese label, English label).
FACTS: dict[str, tuple[str, str]] = {
    "number": ("số và ký hiệu văn bản", "the document's number and symbol"),
    "place": ("địa danh (documents.places trong config.yaml)", "the place name (documents.places in config.yaml)"),
    "issuer": ("tên cơ quan ban hành", "the issuing organisation"),
    "upper": ("tên cấp ủy cấp trên trực tiếp", "the upper level's name"),
    "present": ("số có mặt", "the number present"),
    "against": ("số không tán thành", "the number against"),
    "chair": ("người chủ trì, ký thay mặt", "the chair, who signs"),
    "secretary": ("thư ký cuộc họp", "the meeting's secretary"),
    "signer": ("người ký quyết định", "who signs the decision"),
    "ethnicity": ("dân tộc", "ethnicity"),
    "religion": ("tôn giáo", "religion"),
    "introducers": ("người giới thiệu", "the introducers"),
    "branch_resolution": ("số nghị quyết của chi bộ", "the number of the branch's resolution"),
    "committee_resolution": ("số nghị quyết của đảng ủy cơ sở", "the number of the committee's resolution"),
    "admission_decision": ("số quyết định kết nạp", "the number of the admission decision"),
    "ceremony": ("ngày lễ kết nạp", "the ceremony date"),
}

SEX = {"F": "Nữ", "M": "Nam"}
EDUCATION = {"none": "Chưa qua đào tạo", "primary": "Tiểu học", "lower_secondary": "Trung học cơ sở",
             "upper_secondary": "Trung học phổ thông", "college": "Cao đẳng", "university": "Đại học",
             "postgraduate": "Sau đại học"}
UNION = {"youth_union": "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "trade_union": "Công đoàn"}
# The documents of a dossier, by form code (DOMAIN.md section 6), for the table of contents.
DOSSIER_NAMES = {
    "CN-NTVĐ": "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
    "1-KNĐ": "Đơn xin vào Đảng", "2-KNĐ": "Lý lịch của người xin vào Đảng",
    "3-KNĐ": "Giấy giới thiệu người vào Đảng", "4-KNĐ": "Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng",
    "4A-KNĐ": "Nghị quyết giới thiệu đoàn viên công đoàn ưu tú vào Đảng",
    "5-KNĐ": "Tổng hợp ý kiến nhận xét của tổ chức đoàn thể và chi ủy nơi cư trú",
    **{f.code: f.title_vi for f in BY_STEP.values()},
}
PARTICULARS = ("branch_vote", "committee_vote", "decide_admission", "review_vote", "committee_review_vote")
NUMBER_FIELDS = ("resolution_no", "decision_no", "certificate_no")
_ABBREVIATIONS = (("QĐ ", "Quy định số "), ("HD ", "Hướng dẫn số "))


@dataclass
class Paper:
    """One document: the form, what it says, and the facts it had to leave blank."""

    form: PaperForm
    context: dict[str, Any]
    rule_set: str
    version: int
    missing: list[str] = field(default_factory=list)  # keys of FACTS

    @property
    def missing_vi(self) -> list[str]:
        return [FACTS[k][0] for k in self.missing]

    @property
    def missing_en(self) -> list[str]:
        return [FACTS[k][1] for k in self.missing]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def date_vi(d: date) -> str:
    """'ngày 05 tháng 3 năm 2024': a day below 10 and the months 1 and 2 take a leading zero (DOCUMENTS.md)."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def short_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def percent_vi(part: int, whole: int) -> str:
    """'90%', '85,7%': one decimal, with the Vietnamese decimal comma, only when the share is not whole."""
    share = round(100 * part / whole, 1) if whole else 0.0
    return (f"{share:.0f}" if share == int(share) else f"{share:.1f}".replace(".", ",")) + "%"


class _Facts:
    """Collects the context and the facts left blank, so each place that needs a fact says it once."""

    def __init__(self) -> None:
        self.missing: list[str] = []

    def get(self, key: str, value: Any) -> str:
        if value is None or value == "":
            if key not in self.missing:
                self.missing.append(key)
            return BLANK
        return nfc(str(value))


def corrected(entry: Entry) -> tuple[date, dict[str, Any]]:
    """The event's date and fields as its corrections leave them (the original stays in the log)."""
    fields = dict(entry.event.payload)
    for c in entry.corrections:
        fields.update({ch.field: ch.after for ch in c.changes if ch.field != "on"})
    return entry.corrected_on, fields


def _pick(entries: Sequence[Entry], form: PaperForm, candidate_id: str, version: int | None) -> Entry:
    if version is not None:
        found = next((e for e in entries if e.event.version == version), None)
        if found is None or (form.step is not None and found.event.type != form.step):
            raise DocumentNotRecorded(candidate_id, form, version)
        return found
    mine = [e for e in entries if form.step is None or e.event.type == form.step]
    if not mine:
        raise DocumentNotRecorded(candidate_id, form)
    return mine[-1]


def _org_name(facts: _Facts, key: str, org: Organisation | None) -> str:
    return facts.get(key, org.name if org else None)


def _issuer(tree: Tree, form: PaperForm, branch_code: str, branch_name: str,
            fields: dict[str, Any]) -> tuple[str, Organisation | None, str]:
    """(code, organisation on the day, name on the day) of the body that issues the document."""
    if form.issuer == "decider":
        code = str(fields.get("decided_by") or "")
        org = tree.get(code)
        return code, org, org.name if org else code
    branch = tree.get(branch_code)
    if form.issuer == "committee" and branch is not None and branch.level == "branch" and branch.parent_code:
        parent = tree.get(branch.parent_code)
        return branch.parent_code, parent, parent.name if parent else branch.parent_code
    return branch_code, branch, branch_name


def _place(tree: Tree, code: str, settings: DocumentSettings) -> str | None:
    for org in tree.chain(code):
        if org.code in settings.places:
            return settings.places[org.code]
    return settings.places.get(code) or settings.place


def _basis(regulation: str) -> list[str]:
    parts = [p.strip() for p in regulation.split(";") if p.strip()]
    expanded = []
    for part in parts:
        for short, long in _ABBREVIATIONS:
            if part.startswith(short):
                part = long + part[len(short):]
        expanded.append(part)
    return ["Điều lệ Đảng Cộng sản Việt Nam", *expanded]


def _parent_name(tree: Tree, org: Organisation | None) -> str:
    parent = tree.get(org.parent_code) if org is not None else None
    return nfc(parent.name) if parent is not None else BLANK


def _earlier(entries: Sequence[Entry], step: str, before: int) -> tuple[date, dict[str, Any]] | None:
    """The last event of `step` recorded before version `before` that passed (votes) or stands (decisions)."""
    for entry in reversed(entries):
        e = entry.event
        if e.version < before and e.type == step and e.derived.get("passed", True):
            return corrected(entry)
    return None


def _admit(c: Candidate, fields: Mapping[str, Any]) -> dict[str, str]:
    """A decision admits, or re-admits (kết nạp lại, DOMAIN.md R1-R3): the title, the verb and, for a
    re-admission, the provincial standing committee's consent it rests on."""
    if not c.readmission:
        return {"title": "Kết nạp đảng viên", "verb": "Kết nạp", "verb_lower": "kết nạp", "consent": ""}
    consent = fields.get("readmission_consent") or {}
    number = consent.get("document_no") or BLANK
    signed = date_vi(date.fromisoformat(str(consent["signed_on"]))) if consent.get("signed_on") else BLANK
    return {"title": "Kết nạp lại đảng viên", "verb": "Kết nạp lại", "verb_lower": "kết nạp lại",
            "consent": f" và văn bản đồng ý số {number} {signed} của ban thường vụ tỉnh ủy"}


def _reference(facts: _Facts, key: str, found: tuple[date, dict[str, Any]] | None,
               number_field: str) -> dict[str, str]:
    if found is None:
        facts.get(key, None)
        return {"number": BLANK, "date": BLANK}
    on, fields = found
    return {"number": facts.get(key, fields.get(number_field)), "date": date_vi(on)}


def _candidate(facts: _Facts, c: Candidate) -> dict[str, Any]:
    return {"full_name": nfc(c.full_name), "full_name_upper": nfc(c.full_name.upper()),
            "birth_date": date_vi(c.birth_date) if c.birth_date else BLANK,
            "sex": SEX.get(c.sex, BLANK), "education": EDUCATION.get(c.education, BLANK),
            "ethnicity": facts.get("ethnicity", c.ethnicity), "religion": facts.get("religion", c.religion),
            "addressed": "đồng chí" if c.decided_on else "quần chúng"}


def _vote(facts: _Facts, fields: dict[str, Any]) -> dict[str, Any]:
    members = int(fields.get("official_members") or fields.get("committee_members") or 0)
    in_favour = int(fields.get("in_favour") or 0)
    return {"members": str(members), "in_favour": str(in_favour), "percent": percent_vi(in_favour, members),
            "present": facts.get("present", fields.get("present")),
            "against": facts.get("against", fields.get("against")),
            "chair": facts.get("chair", fields.get("chair")),
            "secretary": facts.get("secretary", fields.get("secretary"))}


def _introducers(facts: _Facts, c: Candidate) -> tuple[list[dict[str, str]], str]:
    people = [{"name": nfc(str(i.get("name", ""))),
               "since": date_vi(date.fromisoformat(str(i["official_since"]))) if i.get("official_since") else BLANK}
              for i in c.introducers]
    union = c.union_resolution
    union_text = ""
    if union:
        union_text = nfc(f"{UNION.get(str(union.get('body')), str(union.get('body')))}, nghị quyết số "
                         f"{union.get('number')} {date_vi(date.fromisoformat(str(union['on'])))}")
    if not people and not union:
        facts.get("introducers", None)
    return people, union_text


def _toc(entries: Sequence[Entry]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for entry in entries:
        on, fields = corrected(entry)
        ours = BY_STEP.get(entry.event.type)
        for code in entry.forms or ([ours.code] if ours else []):
            number = next((str(fields[k]) for k in NUMBER_FIELDS if fields.get(k)), "")
            dated = date.fromisoformat(str(fields["issued_on"])) if fields.get("issued_on") else on
            union = fields.get("union_resolution")
            if code in ("4-KNĐ", "4A-KNĐ") and isinstance(union, dict):
                number, dated = str(union.get("number", "")), date.fromisoformat(str(union["on"]))
            shown = code if ours is None or ours.verified else ""  # no form code of our own making is printed
            name = DOSSIER_NAMES.get(code, code)
            if entry.event.type == "conclude_vetting":
                name = f"{name} (kết luận thẩm tra)"
            rows.append({"no": str(len(rows) + 1), "name": name, "code": shown,
                         "number": nfc(number), "date": short_date(dated)})
    return rows


@dataclass(frozen=True)
class Log:
    """What every document of one candidate reads from the log (its timeline, the candidate replayed, the
    branch at each event): worked out once for a page that offers a document per step, not once per document."""

    entries: list[Entry]
    candidate: Candidate
    places: dict[int, Placement]


def log_of(events: Sequence[Event], history: OrgHistory) -> Log:
    return Log(timeline(events), replay(list(events)), placements(history, events))


def build(events: Sequence[Event], form: PaperForm, history: OrgHistory, rulebook: RuleBook,
          settings: DocumentSettings, version: int | None = None, log: Log | None = None) -> Paper:
    """The document `form` states about the candidate whose log is `events` (`log`: `log_of(events, history)`,
    when the caller has it).

    Raises:
        DocumentNotRecorded: the log has no event of the form's step (or `version` is not one).
    """
    log = log if log is not None else log_of(events, history)
    entries = log.entries
    candidate_id = events[0].stream_id if events else ""
    entry = _pick(entries, form, candidate_id, version)
    e = entry.event
    on, fields = corrected(entry)
    c = log.candidate
    facts = _Facts()
    tree = history.tree_on(on)
    place = log.places.get(e.version)
    branch_code = place.org if place else c.org
    branch_name = place.name if place else c.org
    code, org, name = _issuer(tree, form, branch_code, branch_name, fields)
    upper = tree.get(org.parent_code) if org and org.parent_code else None
    branch = tree.get(branch_code)
    rules = rulebook.of_event(e)  # its regulation and guidance (DOMAIN.md section 7 caveat)
    introducers, union = _introducers(facts, c)
    context: dict[str, Any] = {
        "form": {"code": form.code, "title": form.title_vi},
        "issuer": nfc(name.upper()) if org else facts.get("issuer", None),
        "issuer_name": nfc(name) if org else BLANK,
        "upper": nfc(upper.name.upper()) if upper else facts.get("upper", None),
        "upper_name": nfc(upper.name) if upper else BLANK,
        "number": facts.get("number", fields.get(form.number_field)) if form.number_field else "",
        "place": facts.get("place", _place(tree, code, settings)),
        "date": date_vi(on),
        "branch": nfc(branch_name), "branch_upper": nfc(branch_name.upper()),
        "branch_parent": _parent_name(tree, branch),
        "candidate": _candidate(facts if form.step in PARTICULARS else _Facts(), c),
        "introducers": introducers, "union_resolution": union,
        "basis": [nfc(b) for b in _basis(rules.basis)],
        "regulation": nfc(rules.basis), "rule_set": e.rule_set, "guidance": rules.guidance,
    }
    if form.step in ("branch_vote", "committee_vote", "review_vote", "committee_review_vote"):
        context["vote"] = _vote(facts, fields)
    if form.step == "committee_vote":
        context["branch_resolution"] = _reference(facts, "branch_resolution",
                                                  _earlier(entries, "branch_vote", e.version), "resolution_no")
    if form.step == "decide_admission":
        context["admit"] = _admit(c, fields)
        context["branch_resolution"] = _reference(facts, "branch_resolution",
                                                  _earlier(entries, "branch_vote", e.version), "resolution_no")
        context["committee_resolution"] = _reference(facts, "committee_resolution",
                                                     _earlier(entries, "committee_vote", e.version), "resolution_no")
    if form.step in ("review_vote", "committee_review_vote", "recognise_official"):
        decision = _earlier(entries, "decide_admission", e.version)
        context["admission_decision"] = _reference(facts, "admission_decision", decision, "decision_no")
        context["ceremony"] = facts.get("ceremony", date_vi(c.ceremony_on) if c.ceremony_on else None)
        context["probation_ends"] = date_vi(c.probation_ends_on) if c.probation_ends_on else BLANK
    if form.step == "committee_review_vote":
        context["branch_resolution"] = _reference(facts, "branch_resolution",
                                                  _earlier(entries, "review_vote", e.version), "resolution_no")
    if form.step == "recognise_official":
        context["committee_resolution"] = _reference(
            facts, "committee_resolution", _earlier(entries, "committee_review_vote", e.version), "resolution_no")
        context["official_on"] = context["probation_ends"]
    if form.issuer == "decider":
        context["signer"] = facts.get("signer", fields.get("signer"))
    if form.step is None:
        context["rows"] = _toc(entries)
    return Paper(form, context, e.rule_set, e.version, facts.missing)


def papers_of(events: Sequence[Event], history: OrgHistory, rulebook: RuleBook,
              settings: DocumentSettings) -> dict[int, Paper]:
    """{event version: its document} for every recorded step that produces a form, so a page can offer each one
    with the facts it lacks; the table of contents rides on the last event."""
    log = log_of(events, history)
    found = {e.version: build(events, BY_STEP[e.type], history, rulebook, settings, e.version, log)
             for e in events if e.type in BY_STEP}
    return found
