"""Judging a change of the organisation tree before it is recorded: every problem, each naming the organisation.

A change is judged against the tree in force on its effective date (DOMAIN.md section 7, organisational levels;
HD 31-HD/BTCTW on the 2025 restructuring). The candidates in flight are passed in (states/ reads no database):
a change must never leave one of them in an organisation that no longer exists or with no committee competent
to decide their admission (DOMAIN.md section 4, authority).
"""

from collections.abc import Collection, Mapping, Sequence
from datetime import date

from states import labels
from states.catalogue import rule_link
from states.errors import Violation
from states.organisations import BRANCH_LEVELS, CHANGE_KINDS, LEVELS, OrgChange, OrgHistory, Tree, apply_change

REF = rule_link("organisation-changes")  # research: DOMAIN.md §4, §7
SOURCE = "HD 31-HD/BTCTW (2025); ketnap (lịch sử tổ chức)"


def _v(rule: str, vi: str, en: str, field: str | None = None) -> Violation:
    return Violation(rule=rule, ref=REF, source=SOURCE, message_vi=vi, message_en=en, field=field)


def _levels_vi() -> str:
    return ", ".join(f"“{labels.level(level).vi}”" for level in LEVELS)


def _when(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_change(history: OrgHistory, change: OrgChange,
                 in_flight: Mapping[str, Sequence[str]] | None = None,
                 types: Collection[str] | None = None) -> list[Violation]:
    """Every reason `change` cannot be recorded; empty when it can.

    `in_flight` maps an organisation code to the ids of its candidates still in the procedure (not official,
    not dropped), by the branch they belong to now. `types` are the organisation types configured
    (config.yaml `org_types`); None accepts any."""
    in_flight = in_flight or {}
    if change.kind not in CHANGE_KINDS:
        return [_v("org_change_unknown", f"Không có loại thay đổi '{change.kind}'.",
                   f"unknown change {change.kind!r}; changes are: {', '.join(CHANGE_KINDS)}", "kind")]
    tree = history.tree_on(change.on)
    typing = _check_type(change, types)
    if change.kind == "created":
        return typing + _check_created(history, tree, change)
    org = history.latest().get(change.code)
    if org is None:
        return [_v("org_not_found", f"Không có tổ chức mã {change.code}.",
                   f"no organisation with code {change.code}", "code")]
    found: list[Violation] = []
    if change.on < org.founded_on:
        found.append(_v("org_change_before_founded",
                        f"{change.code} được thành lập ngày {_when(org.founded_on)}, sau ngày thay đổi "
                        f"{_when(change.on)}.",
                        f"{change.code} was created on {org.founded_on}, after the change's date {change.on}", "on"))
    if org.ended_on is not None:
        found.append(_v("org_change_after_end",
                        f"{change.code} đã kết thúc ({org.ended_by}) từ ngày {_when(org.ended_on)}.",
                        f"{change.code} ended ({org.ended_by}) on {org.ended_on}", "code"))
    later = history.last_change_on(change.code)
    if later is not None and later > change.on and not found:
        found.append(_v("org_change_out_of_order",
                        f"{change.code} đã có thay đổi ghi ngày {_when(later)}: ghi các thay đổi theo "
                        f"thứ tự ngày.",
                        f"{change.code} already has a change dated {later}: record changes in date order",
                        "on"))
    found += typing
    if found:
        return found
    found += _check_kind(tree, change, in_flight)
    if not found:
        found += _check_competence(tree, change, in_flight)
    return found


def _check_type(change: OrgChange, types: Collection[str] | None) -> list[Violation]:
    """The type a creation may name and a change of type must name: one of the configured types (DOMAIN.md
    section 8; docs/ORG_TYPES.md)."""
    if change.kind == "typed" and not (change.org_type or "").strip():
        return [_v("org_type_missing", "Thiếu loại hình tổ chức cơ sở đảng mới.", "the new type is missing",
                   "org_type")]
    if change.org_type is not None and types is not None and change.org_type not in types:
        return [_v("org_type_unknown",
                   f"Loại hình tổ chức cơ sở đảng “{change.org_type}” không có trong danh sách (config.yaml "
                   f"org_types); chỉ nhận: {', '.join(types)}.",
                   f"unknown organisation type {change.org_type!r}; types are: {', '.join(types)}", "org_type")]
    return []


def _check_created(history: OrgHistory, tree: Tree, change: OrgChange) -> list[Violation]:
    found = []
    if history.latest().get(change.code) is not None:
        found.append(_v("org_exists", f"Đã có tổ chức mã {change.code}.",
                        f"organisation {change.code} already exists", "code"))
    if change.level not in LEVELS:
        found.append(_v("org_level_invalid", f"Cấp “{change.level}” không hợp lệ; chỉ nhận: {_levels_vi()}.",
                        f"level must be one of {', '.join(LEVELS)}", "level"))
    found += _parent_problems(tree, change, change.parent)
    return found


def _parent_problems(tree: Tree, change: OrgChange, parent: str | None) -> list[Violation]:
    if parent is None:
        return []
    if tree.living(parent) is None:
        return [_v("org_parent_not_living", f"Tổ chức cấp trên {parent} không tồn tại vào ngày {_when(change.on)}.",
                   f"the parent {parent} does not exist on {change.on}", "parent")]
    if parent == change.code or change.code in (o.code for o in tree.chain(parent, limit=100)):
        return [_v("org_move_cycle", f"Không thể đặt {change.code} dưới {parent}: {parent} thuộc {change.code}.",
                   f"{change.code} cannot be placed under {parent}, which is inside it", "parent")]
    return []


def _check_kind(tree: Tree, change: OrgChange, in_flight: Mapping[str, Sequence[str]]) -> list[Violation]:
    code = change.code
    if change.kind == "renamed" and not (change.name or "").strip():
        return [_v("org_name_missing", "Thiếu tên mới.", "the new name is missing", "name")]
    if change.kind == "moved":
        if change.parent is None:
            return [_v("org_parent_missing", "Thiếu tổ chức cấp trên mới.", "the new parent is missing", "parent")]
        return _parent_problems(tree, change, change.parent)
    if change.kind == "level_changed" and change.level not in LEVELS:
        return [_v("org_level_invalid", f"Cấp “{change.level}” không hợp lệ; chỉ nhận: {_levels_vi()}.",
                   f"level must be one of {', '.join(LEVELS)}", "level")]
    if change.kind == "level_changed" and change.level not in BRANCH_LEVELS and in_flight.get(code):
        return [_v("org_level_keeps_candidates",
                   f"{code} còn {len(in_flight[code])} quần chúng đang trong quy trình: cấp mới phải là chi bộ "
                   f"hoặc đảng bộ cơ sở.",
                   f"{code} has {len(in_flight[code])} candidates in the procedure: it must stay a branch or "
                   f"grassroots organisation", "level")]
    if change.kind == "authorised" and change.admits is None:
        return [_v("org_admits_missing", "Thiếu: được hay không được ủy quyền kết nạp.",
                   "say whether it is authorised to admit", "admits")]
    if change.kind == "merged":
        return _check_merge(tree, change)
    if change.kind == "split":
        return _check_split(tree, change, in_flight)
    if change.kind == "dissolved":
        return _check_dissolve(tree, change, in_flight)
    return []


def _check_merge(tree: Tree, change: OrgChange) -> list[Violation]:
    into = change.into
    if not into:
        return [_v("org_successor_missing", "Thiếu tổ chức hợp nhất vào.", "the successor is missing", "into")]
    if into == change.code:
        return [_v("org_merge_into_self", f"{change.code} không thể hợp nhất vào chính nó.",
                   f"{change.code} cannot be merged into itself", "into")]
    if tree.living(into) is None:
        return [_v("org_successor_not_living",
                   f"Tổ chức {into} không tồn tại vào ngày {_when(change.on)} (chưa thành lập hoặc đã giải thể).",
                   f"the successor {into} does not exist on {change.on} (not yet created, or ended)", "into")]
    if into in tree.subtree([change.code]):
        return [_v("org_move_cycle", f"{into} thuộc {change.code}: không thể hợp nhất vào.",
                   f"{into} is inside {change.code}: it cannot be the successor", "into")]
    return []


def _check_split(tree: Tree, change: OrgChange, in_flight: Mapping[str, Sequence[str]]) -> list[Violation]:
    found = []
    if not change.parts:
        return [_v("org_split_empty", "Chia tách phải nêu tổ chức kế tục của từng chi bộ.",
                   "a split names the successor of each of its organisations", "parts")]
    for successor in sorted(set(change.parts.values())):
        if successor == change.code or tree.living(successor) is None:
            found.append(_v("org_successor_not_living",
                            f"Tổ chức kế tục {successor} không tồn tại vào ngày {_when(change.on)}.",
                            f"the successor {successor} does not exist on {change.on}", "parts"))
    named = set(change.parts)
    for child in tree.children(change.code):
        if child not in named:
            found.append(_v("org_split_part_missing",
                            f"Chia tách {change.code} chưa nêu tổ chức kế tục của {child}.",
                            f"the split of {change.code} leaves {child} without a successor", "parts"))
    for candidate in in_flight.get(change.code, ()):
        if candidate not in named:
            found.append(_v("org_split_candidate_missing",
                            f"Chia tách {change.code} chưa nêu chi bộ mới của quần chúng {candidate}.",
                            f"the split of {change.code} leaves candidate {candidate} without a branch", "parts"))
    return found


def _check_dissolve(tree: Tree, change: OrgChange, in_flight: Mapping[str, Sequence[str]]) -> list[Violation]:
    found = []
    children = tree.children(change.code)
    if children:
        found.append(_v("org_dissolve_has_children",
                        f"{change.code} còn {len(children)} tổ chức trực thuộc ({', '.join(children[:5])}): chuyển "
                        f"hoặc hợp nhất trước khi giải thể.",
                        f"{change.code} still has {len(children)} organisations under it ({', '.join(children[:5])}): "
                        f"move or merge them first", "code"))
    waiting = in_flight.get(change.code, ())
    if waiting:
        found.append(_v("org_dissolve_has_candidates",
                        f"{change.code} còn {len(waiting)} quần chúng đang trong quy trình: chuyển sinh hoạt hoặc "
                        f"hợp nhất chi bộ trước khi giải thể.",
                        f"{change.code} still has {len(waiting)} candidates in the procedure: transfer them or "
                        f"merge the branch instead", "code"))
    return found


def _check_competence(tree: Tree, change: OrgChange, in_flight: Mapping[str, Sequence[str]]) -> list[Violation]:
    """No branch with candidates in flight may be left without a committee competent to decide for them."""
    orgs, carried = dict(tree.orgs), dict(tree.carried)
    apply_change(orgs, carried, change)
    after = Tree(orgs, carried, change.on)
    affected = after.subtree([change.code, *([change.into] if change.into else []), *change.parts.values()])
    found = []
    for code in sorted(affected | {change.code}):
        now = after.current(code)
        if in_flight.get(code) and after.living(now) is not None and after.competent_body(now)[0] is None:
            found.append(_v("org_no_competent_body",
                            f"Sau thay đổi, không còn cấp ủy có thẩm quyền kết nạp cho các quần chúng của {now}.",
                            f"after the change no committee would be competent to admit the candidates of {now}",
                            "code"))
    return found
