"""The admissions report on the web (issue 6, point 3): the same document as `ketnap report admissions --json`,
as a page with three charts and as JSON, for an organisation within the signed-in user's scope.

Nothing is counted here: `admissions_report` builds the document and this module only draws it. The charts are
SVG drawn server-side by pygal and put inline, with pygal's JavaScript switched off so the page loads nothing
from a CDN (networks of Party offices are often closed).
"""

from typing import Annotated, Any

import pygal  # type: ignore[import-untyped]
from fastapi import APIRouter, Depends, Query, Request
from markupsafe import Markup
from pygal.style import Style  # type: ignore[import-untyped]
from starlette.responses import Response

from workflow.access import Principal
from workflow.reports.admissions import admissions_report
from workflow.reports.labels import COUNTED_ON_VI
from workflow.reports.periods import Period, PeriodError, parse_period
from workflow.web import i18n
from workflow.web.context import api_principal, state_of
from workflow.web.pages import Who, lang_of, render

router = APIRouter()
PeriodParam = Annotated[str, Query(max_length=40, description="2024, 2022-2025, 2024-H1, 2024-Q1, 2024-03 or "
                                                              "2024-01..2024-10; the current year by default.")]
OrgParam = Annotated[str, Query(max_length=64, description="An organisation code; the caller's first by default.")]
PredecessorsParam = Annotated[bool, Query(description="For an organisation founded during the period: count what "
                                                      "its branches did before, under their predecessors (true, "
                                                      "the default), or leave it out (false).")]

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Báo cáo kết nạp đảng viên", "Admissions report"),
    "org": ("Tổ chức đảng", "Organisation"),
    "period": ("Kỳ báo cáo", "Period"),
    "show": ("Xem báo cáo", "Show"),
    "admissions": ("Số đảng viên kết nạp", "Admissions"),
    "readmissions": ("Trong đó kết nạp lại", "Of which re-admissions"),
    "month": ("Tháng", "Month"),
    "counted_on": ("Tính theo", "Counted on"),
    "previous": ("Cùng kỳ năm trước", "Same period of the previous year"),
    "change": ("Tăng/giảm", "Change"),
    "rate": ("Tỷ lệ so với tổng số đảng viên đầu năm", "Rate against the membership at the start of the year"),
    "plans": ("Kết quả so với kế hoạch", "Against the plans"),
    "no_plans": ("Chưa có kế hoạch nào cho kỳ này.", "No plan applies to this period."),
    "plan": ("Kế hoạch", "Plan"),
    "source": ("Nguồn", "Source"),
    "target": ("Chỉ tiêu", "Target"),
    "achieved": ("Đạt", "Achieved"),
    "admitted": ("Đã kết nạp", "Admitted"),
    "months": ("Kết nạp theo tháng", "Admissions per month"),
    "categories": ("Cơ cấu đảng viên mới", "New members by category"),
    "category": ("Đối tượng", "Category"),
    "share": ("Tỷ lệ", "Share"),
    "sub_units": ("Theo đơn vị trực thuộc", "By sub-unit"),
    "unit": ("Đơn vị", "Unit"),
    "forecast": ("Dự kiến đến hết kỳ", "Forecast to the end of the period"),
    "past_vote": ("Đã qua biểu quyết chi bộ", "Past the branch vote"),
    "recognised": ("Công nhận chính thức", "Recognised as official"),
    "removed": ("Xóa tên đảng viên dự bị", "Removed during probation"),
    "as_of": ("Số liệu đến ngày", "Figures as of"),
    "json": ("Dữ liệu JSON", "JSON data"),
    "bad_period": ("Kỳ báo cáo không hợp lệ", "Not a valid period"),
    "predecessors": ("Tổ chức tiền thân", "Predecessors"),
    "with_predecessors": ("Tính cả số của tổ chức tiền thân", "Count the predecessors' admissions"),
    "without_predecessors": ("Chỉ tính từ ngày thành lập", "Count from the founding day only"),
    "founded_on": ("Thành lập ngày", "Founded on"),
    "before_founding": ("Kết nạp tại các chi bộ trước ngày thành lập", "Admissions by its branches before it "
                                                                         "was founded"),
    "counted": ("đã tính vào số liệu", "counted in the figures"),
    "not_counted": ("không tính vào số liệu", "not counted in the figures"),
    "held_by": ("Tổ chức quản lý chi bộ khi đó", "Organisation that held the branches then"),
    "predecessor_plans": ("Kế hoạch của tổ chức tiền thân (của tổ chức đó, không tính là của tổ chức kế tục)",
                          "Plans of the predecessors (theirs, not the successor's)"),
    "ended": ("Tổ chức đã kết thúc hoạt động ngày", "This organisation ended on"),
    "successors": ("tổ chức kế tục", "successors"),
    "no_data": ("Chưa có số liệu", "No data"),
}


def _text(lang: str) -> dict[str, str]:
    return {key: i18n.pick(TEXT, key, lang) for key in TEXT}


def percent_text(value: float | None, lang: str) -> str:
    """94.7 -> "94,7%" in Vietnamese, "94.7%" in English; no base -> "—"."""
    if value is None:
        return "—"
    shown = f"{value:g}"
    return f"{shown.replace('.', ',') if lang == 'vi' else shown}%"


def _month_label(key: str, lang: str) -> str:
    year, month = key.split("-")
    return f"{month}/{year}" if lang == "vi" else key


def _config(title: str, no_data: str, **extra: Any) -> pygal.Config:
    """No JavaScript (nothing from a CDN), no XML declaration (the SVG goes inline), Vietnamese as it is."""
    settings: dict[str, Any] = {"width": 720, "height": 340, "legend_at_bottom": True, "print_values": True,
                                "style": Style(font_family="sans-serif", background="white",
                                               plot_background="white"), **extra}
    return pygal.Config(js=[], disable_xml_declaration=True, title=title, no_data_text=no_data, **settings)


def _svg(chart: Any) -> Markup:
    return Markup(chart.render(is_unicode=True))  # noqa: S704 - pygal's own SVG; labels are escaped by pygal


def whole_steps(*series: list[Any]) -> list[int]:
    """Axis marks in whole people (0, 1, 2 … or 0, 5, 10 …): pygal would count 0.1 of a person otherwise."""
    top = max([int(v) for values in series for v in values if isinstance(v, int | float)] + [1])
    step = max(1, -(-top // 8))
    return list(range(0, top + step, step))


def charts(doc: dict[str, Any], lang: str) -> dict[str, Markup]:
    """The three charts of the report document: plan vs actual, admissions per month, categories."""
    t = _text(lang)
    plan_values = [[p["target"] for p in doc["plans"]], [p["admissions"] for p in doc["plans"]]]
    bars = pygal.Bar(_config(t["plans"], t["no_data"], print_zeroes=True, y_labels=whole_steps(*plan_values)))
    bars.x_labels = [p["name"] or f"{p['period']} ({p['source_vi']})" for p in doc["plans"]]
    bars.add(t["target"], [p["target"] for p in doc["plans"]])
    bars.add(t["admitted"], [p["admissions"] for p in doc["plans"]])

    months = pygal.Bar(_config(t["months"], t["no_data"], show_legend=False,
                               x_label_rotation=45 if len(doc["months"]) > 12 else 0,
                               y_labels=whole_steps([m["admissions"] for m in doc["months"]])))
    months.x_labels = [_month_label(m["month"], lang) for m in doc["months"]]
    months.add(t["admissions"], [m["admissions"] for m in doc["months"]])

    categories = pygal.HorizontalBar(_config(t["categories"], t["no_data"], show_legend=False,
                                             height=60 + 28 * len(doc["categories"]),
                                             y_labels=whole_steps([c["admissions"] for c in doc["categories"]])))
    listed = doc["categories"][::-1]  # pygal stacks from the bottom; reversed, it reads like the table
    categories.x_labels = [c["heading"] for c in listed]
    categories.add(t["admissions"], [c["admissions"] for c in listed])
    return {"plans": _svg(bars), "months": _svg(months), "categories": _svg(categories)}


def _report(request: Request, who: Principal, org: str, period: Period, predecessors: bool) -> dict[str, Any]:
    """Raises: OutOfScope (answered 404 like every page), OrganisationError."""
    who.require_org(org)
    state = state_of(request)
    with state.building_reports:  # config.yaml web.reports_at_once
        return admissions_report(state.ketnap, org, period, predecessors=predecessors)


def _first_org(who: Principal) -> str:
    return who.user.orgs[0] if who.user.orgs else ""


def _default_period(request: Request) -> str:
    return str(state_of(request).ketnap.today().year)


@router.get("/reports/admissions", include_in_schema=False)
def admissions_page(request: Request, who: Who, org: OrgParam = "", period: PeriodParam = "",
                    predecessors: PredecessorsParam = True) -> Response:
    lang = lang_of(request)
    code = org or _first_org(who)
    label = period or _default_period(request)
    orgs = [o for o in state_of(request).ketnap.orgs(who.scope) if who.sees(o.code)]
    base = {"T": _text(lang), "org": code, "period": label, "orgs": orgs, "pct": percent_text,
            "month_label": _month_label, "counted_on_vi": COUNTED_ON_VI, "predecessors": predecessors}
    try:
        span = parse_period(label)
    except PeriodError as exc:
        who.require_org(code)
        return render(request, "report_admissions.html", {**base, "doc": None, "period_error": str(exc)}, who,
                      status=422)
    doc = _report(request, who, code, span, predecessors)
    return render(request, "report_admissions.html", {**base, "doc": doc, "charts": charts(doc, lang),
                                                      "period_error": None}, who)


@router.get("/api/reports/admissions", tags=["reports"],
            summary="The admissions report of an organisation subtree and period (as `ketnap report admissions "
                    "--json`)")
def admissions_json(request: Request, who: Annotated[Principal, Depends(api_principal)], org: OrgParam = "",
                    period: PeriodParam = "", predecessors: PredecessorsParam = True) -> dict[str, Any]:
    """Raises: PeriodError (422), OutOfScope (404)."""
    return _report(request, who, org or _first_org(who), parse_period(period or _default_period(request)),
                   predecessors)
