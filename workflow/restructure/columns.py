"""The columns of the restructuring workbook: one row per change (one row per part of a split), Vietnamese
headers, the Vietnamese words accepted for a change and a level, and which cells each kind of change uses.

Cells are read by the candidate import's `parse_cell` (Excel dates and DD/MM/YYYY text, "x"/"Có"/"Không",
NFC text), so both workbooks accept the same spellings."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from states.catalogue import Rule
from states.errors import Violation
from workflow.reports.import_columns import Col, Words, fold

STEP = "org_change"  # the `step` of every column: these are not steps of a candidate


def _col(key: str, header: str, kind: str = "text", *, required: bool = False, hint: str = "") -> Col:
    return Col(STEP, key, header, kind, required, hint)


CODE = _col("code", "Mã tổ chức", required=True,
            hint="Mã của tổ chức thay đổi (ketnap org list). Với 'Thành lập': mã của tổ chức mới.")
KIND = _col("kind", "Loại thay đổi", "change", required=True, hint="Chọn trong danh sách.")
NAME = _col("name", "Tên tổ chức", hint="Thành lập: tên tổ chức mới. Đổi tên: tên mới. Loại khác: để trống.")
LEVEL = _col("level", "Cấp", "level", hint="Thành lập, Đổi cấp: cấp của tổ chức. Loại khác: để trống.")
PARENT = _col("parent", "Mã tổ chức cấp trên", hint="Thành lập: cấp trên (để trống nếu là cấp cao nhất). "
              "Chuyển trực thuộc: cấp trên mới. Loại khác: để trống.")
SUCCESSOR = _col("successor", "Mã tổ chức kế tục", hint="Hợp nhất: tổ chức nhận (phải có trước hoặc được thành "
                 "lập cùng ngày). Chia tách: nơi bộ phận ở cột bên cạnh chuyển đến. Loại khác: để trống.")
PART = _col("part", "Bộ phận chia tách", hint="Chia tách: mã một tổ chức trực thuộc, hoặc mã một quần chúng đang "
            "trong quy trình của chi bộ bị chia tách; mỗi bộ phận một dòng. Cũng nhận dạng 'A=B; C=D' "
            "(bộ phận=kế tục) trong một ô. Loại khác: để trống.")
ADMITS = _col("admits", "Được ủy quyền kết nạp", "bool", hint="Ủy quyền kết nạp: Có hoặc Không. Thành lập: Có "
              "nếu đảng ủy cơ sở được ủy quyền kết nạp đảng viên (để trống là Không). Loại khác: để trống.")
ORG_TYPE = _col("org_type", "Loại hình tổ chức cơ sở đảng", hint="Thành lập (có thể để trống), Đổi loại hình: mã "
                "loại hình trong config.yaml org_types, ví dụ agency, state_enterprise (docs/ORG_TYPES.md). Loại "
                "khác: để trống.")
ON = _col("on", "Ngày hiệu lực", "date", required=True, hint="Ngày ghi trong quyết định, DD/MM/YYYY.")
DECISION = _col("decision", "Số quyết định", required=True, hint="Ví dụ 1234-QĐ/TU.")
ISSUER = _col("issuer", "Cơ quan ban hành", hint="Ví dụ Ban Thường vụ Tỉnh ủy Điện Biên.")
NOTE = _col("note", "Ghi chú", hint="Không được đọc: ghi gì cũng được.")

COLUMNS: list[Col] = [CODE, KIND, NAME, LEVEL, PARENT, SUCCESSOR, PART, ADMITS, ON, DECISION, ISSUER, NOTE,
                      ORG_TYPE]  # issue 20's column last: the letters of the earlier columns stay
COMMON = (CODE, KIND, ON, DECISION, ISSUER, NOTE)  # the cells of every kind of change
BY_HEADER: dict[str, Col] = {fold(c.header): c for c in COLUMNS} | {fold(c.field): c for c in COLUMNS}
BY_FIELD: dict[str, Col] = {c.field: c for c in COLUMNS}

CHANGE_WORDS = {
    "created": ["Thành lập", "Thành lập mới", "Tạo mới"],
    "renamed": ["Đổi tên"],
    "moved": ["Chuyển trực thuộc", "Điều chuyển", "Chuyển"],
    "level_changed": ["Đổi cấp", "Thay đổi cấp"],
    "authorised": ["Ủy quyền kết nạp", "Uỷ quyền kết nạp", "Ủy quyền", "Uỷ quyền"],
    "merged": ["Hợp nhất", "Sáp nhập", "Nhập vào"],
    "split": ["Chia tách", "Tách"],
    "dissolved": ["Giải thể", "Kết thúc hoạt động", "Chấm dứt hoạt động"],
    "typed": ["Đổi loại hình", "Thay đổi loại hình"],
}
CHANGES = Words(CHANGE_WORDS)
LEVELS = Words({
    "province": ["Tỉnh", "Đảng bộ tỉnh", "Thành phố trực thuộc trung ương"],
    "commune": ["Xã/phường/đặc khu", "Xã", "Phường", "Đặc khu", "Đảng bộ xã", "Đảng bộ phường"],
    "upper": ["Cấp trên cơ sở", "Huyện", "Quận", "Thị xã", "Đảng bộ huyện", "Khối"],
    "grassroots": ["Cơ sở", "Đảng bộ cơ sở", "Chi bộ cơ sở"],
    "branch": ["Chi bộ", "Chi bộ trực thuộc"],
})
CHANGE_VI = {code: words[0] for code, words in CHANGE_WORDS.items()}


@dataclass(frozen=True)
class Uses:
    """The cells one kind of change needs, and those it may have; any other is refused rather than ignored."""

    required: tuple[Col, ...] = ()
    optional: tuple[Col, ...] = ()

    def allows(self, col: Col) -> bool:
        return col in self.required or col in self.optional or col in COMMON


USES: Mapping[str, Uses] = {
    "created": Uses((NAME, LEVEL), (PARENT, ADMITS, ORG_TYPE)),
    "renamed": Uses((NAME,)),
    "moved": Uses((PARENT,)),
    "level_changed": Uses((LEVEL,)),
    "authorised": Uses((ADMITS,)),
    "merged": Uses((SUCCESSOR,)),
    "split": Uses((PART,), (SUCCESSOR,)),
    "dissolved": Uses(),
    "typed": Uses((ORG_TYPE,)),
}
# On one date: new organisations first, then what changes an organisation in place, then moves, then ends:
# the order of the rows does not matter (a district is dissolved after its organisations were moved out).
RANK = {"created": 0, "renamed": 1, "level_changed": 1, "authorised": 1, "typed": 1, "moved": 2, "split": 3,
        "merged": 3, "dissolved": 4}

_SOURCE = "README: organisations (restructuring workbook)"
_RULES = [
    Rule("restructure_required_missing", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Thiếu ô bắt buộc '{header}'.", "The required cell '{header}' is empty."),
    Rule("restructure_cell_missing", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Loại thay đổi '{change}' cần ô '{header}'.", "A '{change_en}' change needs the cell '{header}'."),
    Rule("restructure_cell_unused", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Ô '{header}' không dùng cho loại thay đổi '{change}': để trống (hoặc ghi vào cột Ghi chú).",
         "The cell '{header}' is not used by a '{change_en}' change: leave it empty (or write in the note column)."),
    Rule("restructure_part_invalid", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "'{value}' không phải dạng BỘ_PHẬN=KẾ_TỤC; các phần cách nhau bởi dấu chấm phẩy.",
         "'{value}' is not PART=SUCCESSOR; separate the parts with semicolons."),
    Rule("restructure_part_twice", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Bộ phận {part} của {code} đã được ghi ở dòng {row}.", "The part {part} of {code} is already in row {row}."),
    Rule("restructure_header_missing", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Trang '{sheet}' thiếu cột bắt buộc '{header}'.", "Sheet '{sheet}' lacks the required column '{header}'."),
    Rule("restructure_no_sheet", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Không có trang nào có dòng tiêu đề của mẫu (cột '{header}' và '{header2}').",
         "No sheet has the template's header row (columns '{header}' and '{header2}')."),
    Rule("restructure_no_rows", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Tệp không có dòng thay đổi nào.", "The workbook has no change rows."),
    Rule("restructure_file_unreadable", _SOURCE, "ketnap (sắp xếp tổ chức)",
         "Không đọc được tệp như một tệp Excel (.xlsx): {reason}.",
         "The file cannot be read as an Excel workbook (.xlsx): {reason}."),
]
RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def violation(rule_id: str, *, field: str | None = None, **params: Any) -> Violation:
    return RULES[rule_id].violation(None, field=field, **params)


def change_words(kind: str) -> dict[str, str]:
    """The change's name for a message, in Vietnamese and in English."""
    return {"change": CHANGE_VI.get(kind, kind), "change_en": kind}
