"""Historical records (số liệu lịch sử): what an organisation admitted in a past period, as its own reports said,
entered as totals (admitted, re-admitted, by category) rather than as candidates (issue 13, item 5).

Why totals: the engine judges a candidate's steps by the rule set of their date, and none is configured before
QĐ 29-QĐ/TW (25/07/2016, DOMAIN.md section 7). The v2011 rule set (QĐ 45, HD 01/2012) is not configured: of its
numbers DOMAIN.md verifies only the "over 60 by year" measure; its deadlines, certificate validity and education
minimum are unknown there, and before 2011-11-01 no rule set is described at all. So a committee that reports
2008-2018 (DOMAIN.md section 8, E6/E7 report such totals) records the years before its candidates as totals
that the reports count and the audit does not re-judge: it only proves they were not altered (hash chain).

A record is an event of its organisation's historical stream (storage/history_records.py): `history_recorded`
holds the figures, `history_withdrawn` takes one back (a mistaken record is withdrawn and entered again, never
edited). This module is pure: the record, its checks, and the replay of a stream into the records in force.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from states import labels
from states.catalogue import Rule
from states.errors import Violation
from states.events import Event
from states.labels import Said
from states.organisations import SINCE_ALWAYS, OrgHistory

RECORDED, WITHDRAWN = "history_recorded", "history_withdrawn"
RULE_SET = "history"  # the `rule_set` of a historical event: no rule set judges it
STEP = "history_add"  # what a refusal of a new record is called
MAX_COUNT = 10_000_000  # more admissions than the whole Party has members (about 5.6 million, DOMAIN.md E10)

_POINT = "ketnap (số liệu lịch sử)"
_RESEARCH = "DOMAIN.md §7 (no rule set before v2016 is configured), §8 (reported totals, E1-E10)"

_RULES = [
    Rule("history_org_unknown", _RESEARCH, _POINT,
         "Không có tổ chức đảng mã “{org}”.", "There is no organisation with code '{org}'."),
    Rule("history_period_outside_org", _RESEARCH + "; §7b (dated organisation history)", _POINT,
         "Kỳ số liệu {start}–{end} nằm ngoài thời gian tồn tại của {org} ({existed}).",
         "The period {start}..{end} lies outside the existence of {org} ({existed})."),
    Rule("history_period_not_over", _RESEARCH, _POINT,
         "Kỳ số liệu kết thúc ngày {end}, chưa qua (hôm nay {today}): chỉ ghi số liệu của kỳ đã kết thúc.",
         "The period ends on {end}, which has not passed (today is {today}): record only a period that is over."),
    Rule("history_count_negative", _RESEARCH, _POINT,
         "“{field}” phải là số không âm (đã nhập {value}).",
         "The field '{field}' must be a number of zero or more (it is {value})."),
    Rule("history_count_too_large", _RESEARCH + "; E10 (about 5.6 million members)", _POINT,
         "“{field}” = {value} lớn hơn mọi số liệu có thể có ({limit}).",
         "The field '{field}' = {value} is larger than any possible figure ({limit})."),
    Rule("history_category_unknown", _RESEARCH, _POINT,
         "Không có đối tượng “{category}” trong báo cáo; dùng một trong: {allowed}.",
         "There is no report category '{category}'; use one of: {allowed}."),
    Rule("history_part_above_total", _RESEARCH, _POINT,
         "{part} = {value} lớn hơn tổng số kết nạp ({admitted}): mỗi đối tượng là một phần của tổng số (một "
         "người có thể thuộc nhiều đối tượng, nên các đối tượng không cộng lại thành tổng số).",
         "{part} = {value} is more than the admissions ({admitted}): each category is a part of the total (one "
         "person may be in several categories, so categories do not add up to the total)."),
    Rule("history_source_missing", _RESEARCH, _POINT,
         "Chưa ghi nguồn số liệu (số và ngày của báo cáo, nghị quyết tổng kết...).",
         "The source of the figures (number and date of the report or review) is missing."),
    Rule("history_overlap", _RESEARCH + "; ARCHITECTURE.md decision 1 (nothing counted twice)", _POINT,
         "Đã có số liệu lịch sử của {other_org} kỳ {other} ({entry}), trùng thời gian với kỳ {start}–{end} của "
         "{org} (cùng tổ chức, hoặc tổ chức này ở trên hay ở dưới tổ chức kia): một lần kết nạp chỉ được tính "
         "một lần; rút số liệu cũ trước khi ghi lại.",
         "{other_org} already has a historical record for {other} ({entry}), overlapping {start}..{end} of {org} "
         "(the same organisation, or one above or below the other): an admission is counted once; withdraw the "
         "old record before entering it again."),
    Rule("history_overlaps_recorded", _RESEARCH + "; ARCHITECTURE.md decision 1 (nothing counted twice)", _POINT,
         "Trong kỳ {start}–{end}, {org} đã có {count} người được kết nạp ghi nhận trong ketnap: số liệu lịch sử "
         "chỉ ghi cho thời gian chưa ghi từng người, để không tính hai lần.",
         "Between {start} and {end}, {org} already has {count} admissions recorded in ketnap: a historical record "
         "covers only time whose candidates are not recorded, so nothing is counted twice."),
    Rule("history_record_not_found", _RESEARCH, _POINT,
         "{org} không có số liệu lịch sử ghi lần {version} còn hiệu lực.",
         "{org} has no historical record in force entered as entry {version}."),
    Rule("history_period_invalid", _RESEARCH, _POINT,
         "“{field}” = “{value}” không phải là một kỳ: dùng 2015, 2008-2015, 2015-H1, 2015-Q1, 2015-03 hoặc "
         "2015-01..2015-10.",
         "The field '{field}' = '{value}' is not a period: use 2015, 2008-2015, 2015-H1, 2015-Q1, 2015-03 or "
         "2015-01..2015-10."),
    Rule("history_reason_missing", _RESEARCH, _POINT,
         "Chưa ghi lý do rút số liệu.", "The reason for withdrawing the record is missing."),
    Rule("history_file_empty", _RESEARCH, _POINT,
         "Tệp {file} không có dòng nào.", "The file {file} has no rows."),
    Rule("history_column_unknown", _RESEARCH, _POINT,
         "Cột “{column}” không phải là cột của số liệu lịch sử (Mã tổ chức, Kỳ, Số kết nạp, Kết nạp lại, Nguồn "
         "số liệu, Ghi chú, hoặc một đối tượng của báo cáo).",
         "The column '{column}' is not one of a historical record (org, period, admitted, readmitted, source, "
         "note, or a report category)."),
    Rule("history_column_missing", _RESEARCH, _POINT,
         "Tệp thiếu cột bắt buộc “{column}”.", "The file lacks the required column '{column}'."),
    Rule("history_cell_missing", _RESEARCH, _POINT,
         "Chưa điền “{column}” (bắt buộc).", "The required cell '{column}' is empty."),
    Rule("history_count_invalid", _RESEARCH, _POINT,
         "“{field}” = “{value}” không phải là một số nguyên.",
         "The field '{field}' = '{value}' is not a whole number."),
    Rule("history_committee_only", "ARCHITECTURE.md decision 11; workflow/access.py", "ketnap (vai trò và phạm vi)",
         "Chỉ văn phòng cấp ủy ghi số liệu lịch sử, cho tổ chức thuộc phạm vi của mình.",
         "Only a committee office (role committee) enters historical records, for its own organisations."),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def violation(rule_id: str, *, field: str | None = None, **params: Any) -> Violation:
    return RULES[rule_id].violation(None, field=field, **params)


@dataclass(frozen=True)
class HistoricalRecord:
    """An organisation's admissions over a past period as its report gave them. `categories` are parts of
    `admitted` (report categories of workflow/reports/categories.py) and overlap as people do."""

    org: str
    start: date
    end: date
    label: str  # the period as written: 2008, 2008-2015, 2012-H1...
    admitted: int
    source: str  # the report or review the figures come from
    readmitted: int = 0
    categories: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    version: int | None = None  # its entry in the organisation's historical stream, once recorded
    actor: str | None = None
    recorded_at: Any = None

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end

    def inside(self, start: date, end: date) -> bool:
        return start <= self.start and self.end <= end

    def payload(self) -> dict[str, Any]:
        """What the event stores (JSON-ready; the hash covers it)."""
        return {"period": self.label, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "admitted": self.admitted, "readmitted": self.readmitted,
                "categories": dict(sorted(self.categories.items())), "source": self.source, "note": self.note}

    def as_dict(self) -> dict[str, Any]:
        return {"org": self.org, "version": self.version, **self.payload(),
                "actor": self.actor, "recorded_at": self.recorded_at, "historical": True}

    @classmethod
    def from_event(cls, event: Event) -> "HistoricalRecord":
        p = event.payload
        return cls(event.stream_id, date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), p["period"],
                   int(p["admitted"]), p.get("source", ""), int(p.get("readmitted", 0)),
                   {k: int(v) for k, v in (p.get("categories") or {}).items()}, p.get("note", ""),
                   event.version, event.actor, event.recorded_at)


def in_force(events: Iterable[Event]) -> list[HistoricalRecord]:
    """The records of one or more streams that no later event withdrew, in stream and entry order."""
    recorded: dict[tuple[str, int], HistoricalRecord] = {}
    for e in sorted(events, key=lambda e: (e.stream_id, e.version)):
        if e.type == RECORDED:
            recorded[(e.stream_id, e.version)] = HistoricalRecord.from_event(e)
        elif e.type == WITHDRAWN:
            recorded.pop((e.stream_id, int(e.payload["record"])), None)
    return list(recorded.values())


def _existed(founded: date, ended: date | None) -> Said:
    since = labels.day(founded) if founded != SINCE_ALWAYS else Said("trước mọi thay đổi đã ghi", "always")
    until = labels.day(ended) if ended else Said("nay", "now")
    return Said(f"từ {since.vi} đến {'trước ' if ended else ''}{until.vi}", f"from {since.en} until {until.en}")


def _related(orgs: OrgHistory, record: HistoricalRecord, other: HistoricalRecord) -> bool:
    """The same organisation, or one above the other on the first day both periods cover: a report of the
    upper one would count both records."""
    if record.org == other.org:
        return True
    tree = orgs.tree_on(max(record.start, other.start))
    return other.org in {o.code for o in tree.chain(record.org)} or \
        record.org in {o.code for o in tree.chain(other.org)}


def refusals(record: HistoricalRecord, orgs: OrgHistory, existing: Sequence[HistoricalRecord], today: date,
             known_categories: Mapping[str, str]) -> list[Violation]:
    """Every reason `record` may not be entered (empty when it may): the organisation and its dated existence,
    the numbers, the source, and no overlap with the organisation's records in force (`existing`).
    `known_categories`: {category: heading} of the reports."""
    found: list[Violation] = []
    org = orgs.latest().get(record.org)
    when = {"start": labels.day(record.start), "end": labels.day(record.end)}
    if org is None:
        found.append(violation("history_org_unknown", field="org", org=record.org))
    elif record.start < org.founded_on or (org.ended_on is not None and record.end >= org.ended_on):
        found.append(violation("history_period_outside_org", field="period", org=record.org,
                               existed=_existed(org.founded_on, org.ended_on), **when))
    if record.end >= today:
        found.append(violation("history_period_not_over", field="period", end=labels.day(record.end),
                               today=labels.day(today)))
    counts = [("admitted", record.admitted), ("readmitted", record.readmitted),
              *((f"categories.{k}", v) for k, v in sorted(record.categories.items()))]
    for name, value in counts:
        if value < 0:
            found.append(violation("history_count_negative", field=name, value=value))
        elif value > MAX_COUNT:
            found.append(violation("history_count_too_large", field=name, value=value, limit=MAX_COUNT))
    for key, value in sorted(record.categories.items()):
        if key not in known_categories:
            found.append(violation("history_category_unknown", field=f"categories.{key}", category=key,
                                   allowed=Said(", ".join(known_categories.values()), ", ".join(known_categories))))
        elif 0 <= record.admitted < value:
            found.append(violation("history_part_above_total", field=f"categories.{key}",
                                   part=Said(known_categories[key], key), value=value, admitted=record.admitted))
    if 0 <= record.admitted < record.readmitted:
        found.append(violation("history_part_above_total", field="readmitted",
                               part=Said("Kết nạp lại", "readmitted"), value=record.readmitted,
                               admitted=record.admitted))
    if not record.source.strip():
        found.append(violation("history_source_missing", field="source"))
    for other in existing:
        if other.overlaps(record.start, record.end) and _related(orgs, record, other):
            entry = (Said(f"lần ghi #{other.version}", f"entry #{other.version}") if other.version
                     else Said("một dòng khác của tệp", "another row of the file"))
            found.append(violation("history_overlap", field="period", org=record.org, other_org=other.org,
                                   other=other.label, entry=entry, **when))
    return found
