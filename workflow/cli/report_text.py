"""Terminal tables of the admissions report, class statistics and import results."""

from __future__ import annotations  # types of the service, named for mypy only (issue 14)

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.reports.labels import COUNTED_ON_VI, DEADLINES_VI, DROP_REASONS_VI, ENDED_BY_VI, STAGES_VI

if TYPE_CHECKING:
    from rich.console import Console

if TYPE_CHECKING:
    from workflow.reports.importer import ImportResult


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _summary(con: Console, doc: Mapping[str, Any]) -> None:
    prev = doc["previous"]
    con.print(f"[bold]{doc['org']['name']} ({doc['org']['code']})[/]: kỳ {doc['period']['label']} "
              f"({doc['period']['start']} .. {doc['period']['end']}), số liệu đến {doc['as_of']}, "
              f"tính theo {COUNTED_ON_VI[doc['counted_on']]}")
    con.print(f"Kết nạp: [bold]{doc['admissions']:,}[/] đảng viên; cùng kỳ {prev['period']['label']}: "
              f"{prev['admissions']:,} ({prev['change']:+,}, {_pct(prev['change_percent'])})")
    con.print(f"  trong đó kết nạp lại: {doc['readmissions']:,}")
    _historical(con, doc.get("historical"))
    for year in doc["membership"]:
        con.print(f"  {year['year']}: {year['admissions']:,} / {_n(year['members'])} đảng viên đầu năm = "
                  f"{_pct(year['rate_percent'])}")
    org = doc["org"]
    if org.get("ended_on"):
        con.print(f"Tổ chức đã {ENDED_BY_VI.get(org['ended_by'], org['ended_by'])} từ ngày {org['ended_on']}"
                  + (f"; tổ chức kế tục: {', '.join(org['successors'])}" if org["successors"] else ""))
    _predecessors(con, doc.get("predecessors"))


def _historical(con: Console, past: Mapping[str, Any] | None) -> None:
    """The historical records counted in the total (workflow/reports/historical.py), marked as such."""
    if not past or not (past["records"] or past["partial"]):
        return
    con.print(f"  trong đó {past['mark_vi']}: {past['admissions']:,} ({len(past['records'])} bản ghi)")
    for r in past["records"]:
        held = f" (thuộc tổ chức tiền thân {r['predecessor']})" if r.get("predecessor") else ""
        con.print(f"    {r['org']}{held} {r['period']}: {r['admitted']:,} — nguồn: {r['source']}")
    for r in past["partial"]:
        con.print(f"    [không tính] {r['org']} {r['period']}: {r['admitted']:,} — {r['note_vi']}")


def _predecessors(con: Console, before: Mapping[str, Any] | None) -> None:
    """What the organisation's branches did before it was founded, under the organisations that held them."""
    if not before:
        return
    how = "đã tính vào số liệu trên" if before["included"] else "không tính (--no-predecessors)"
    held = ", ".join(f"{o['name']} ({o['code']}) {o['admissions']:,}" for o in before["organisations"])
    con.print(f"Trước ngày thành lập {before['founded_on']}: {before['admissions']:,} kết nạp tại các chi bộ của "
              f"tổ chức tiền thân, {how}" + (f": {held}" if held else ""))
    for p in before["plans"]:
        target = _n(p["total"]) if p["total"] is not None else f"{p['rate_percent']}%"
        con.print(f"  kế hoạch của {p['org_name']} ({p['org']}), {p['period']}, {p['source_vi']}: {target} "
                  f"{p['name'] or p['document'] or ''}".rstrip())


def _plans(con: Console, doc: Mapping[str, Any]) -> None:
    from rich.table import Table

    if not doc["plans"]:
        con.print("Không có kế hoạch nào cho kỳ này (ketnap plan set).")
        return
    table = Table("kế hoạch", "nguồn", "giai đoạn", "tính đến", "chỉ tiêu", "đã kết nạp", "đạt", title="Kế hoạch")
    for p in doc["plans"]:
        table.add_row(p["name"] or p["document"] or f"#{p['id']}", p["source_vi"], p["period"],
                      str(p["window"]["end"]), _n(p["target"]), _n(p["admissions"]), _pct(p["percent"]))
        for t in p["targets"]:
            table.add_row(f"  {t['heading']}", "", "", "", _n(t["target"]), _n(t["admissions"]), _pct(t["percent"]))
    con.print(table)


def _breakdowns(con: Console, doc: Mapping[str, Any]) -> None:
    from rich.table import Table

    table = Table("đối tượng", "số kết nạp", "tỷ lệ", title="Theo đối tượng")
    for row in doc["categories"]:
        if row["admissions"]:
            table.add_row(row["heading"], _n(row["admissions"]), _pct(row["percent_of_admissions"]))
    con.print(table)
    units = Table("mã", "đơn vị", "kết nạp", "cùng kỳ", "đầu năm", "tỷ lệ", "kế hoạch", title="Theo đơn vị")
    for u in doc["sub_units"]:
        planned = "; ".join(f"{_n(p['target'])} {p['source']}: {_pct(p['percent'])}" for p in u["plans"])
        units.add_row(u["code"], u["name"], _n(u["admissions"]), _n(u["previous"]), _n(u["members"]),
                      _pct(u["rate_percent"]), planned)
    con.print(units)
    con.print("Theo tháng: " + ", ".join(f"{m['month']}: {m['admissions']}" for m in doc["months"]))


def _pipeline(con: Console, doc: Mapping[str, Any]) -> None:
    pipeline, probation, forecast = doc["pipeline"], doc["probation"], doc["forecast"]
    con.print(f"Tiến độ đến {pipeline['as_of']}: " + ", ".join(
        f"{STAGES_VI[s]} {n}" for s, n in pipeline["stages"].items()))
    if pipeline["overdue"]:
        con.print("Quá hạn: " + ", ".join(f"{DEADLINES_VI.get(k, k)} {n}" for k, n in pipeline["overdue"].items()))
    left = ", ".join(f"{DROP_REASONS_VI.get(k, k)} {n}" for k, n in probation["left_by_reason"].items())
    con.print(f"Công nhận chính thức: {probation['recognised']}; xóa tên đảng viên dự bị: {probation['removed']}"
              + (f" (ra khỏi danh sách khi dự bị: {left})" if left else ""))
    if forecast["open_period"]:
        con.print(f"Dự báo đến cuối kỳ: {forecast['expected_total']:,} (đã kết nạp {forecast['counted']:,}, "
                  f"đến hạn quyết định trong kỳ {forecast['due_in_period']:,} trong số "
                  f"{forecast['past_branch_vote']:,} người đã được chi bộ đề nghị)")


def print_report(con: Console, doc: Mapping[str, Any], xlsx_file: Path | None) -> None:
    _summary(con, doc)
    _plans(con, doc)
    _breakdowns(con, doc)
    _pipeline(con, doc)
    if xlsx_file:
        con.print(f"wrote {xlsx_file}")


def print_class_stats(con: Console, stats: Mapping[str, Any]) -> None:
    from rich.table import Table

    con.print(f"{stats['org']} {stats['period']['label']}: {stats['classes_held']} lớp, {stats['trainees']} học "
              f"viên ({stats['certified']} được cấp giấy chứng nhận, {stats['from_enterprises']} từ doanh nghiệp, "
              f"{stats['women']} nữ)")
    if stats.get("groups"):
        con.print("theo nhóm (config.yaml reports.groups): "
                  + ", ".join(f"{key} {n}" for key, n in stats["groups"].items()))
    table = Table("mã", "tên lớp", "tổ chức", "khai giảng", "học viên", "giấy CN", "doanh nghiệp", "chi bộ")
    for k in stats["classes"]:
        table.add_row(k["code"], k["name"], k["organiser"], str(k["starts_on"]), str(k["trainees"]),
                      str(k["certified"]), str(k["from_enterprises"]), str(k["branches"]))
    con.print(table)


def print_import(con: Console, result: ImportResult) -> None:
    verb = "checked (dry run, nothing recorded)" if result.dry_run else "imported"
    con.print(f"{result.file}: {verb} {result.rows} row(s), {result.events} event(s); sha256 {result.sha256}")
    if result.skipped:
        con.print(f"{result.skipped} row(s) recorded by an earlier, interrupted import of this file were skipped")
