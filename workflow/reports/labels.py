"""Vietnamese names of the engine's codes, for tables and spreadsheets read by committee offices."""

STAGES_VI: dict[str, str] = {
    "identified": "Quần chúng ưu tú (cảm tình Đảng)",
    "mentored": "Được phân công giúp đỡ",
    "training_class": "Học lớp bồi dưỡng nhận thức về Đảng",
    "vetted": "Đã thẩm tra lý lịch",
    "admitted": "Có quyết định kết nạp",
    "probationary": "Đảng viên dự bị",
    "official": "Đảng viên chính thức",
    "dropped": "Ra khỏi danh sách",
}

DEADLINES_VI: dict[str, str] = {
    "certificate_expiry": "Giấy chứng nhận bồi dưỡng hết hạn",
    "admission_decision": "Cấp ủy ra quyết định kết nạp",
    "ceremony": "Tổ chức lễ kết nạp",
    "member_history": "Hoàn thành lý lịch đảng viên",
    "probation_end": "Hết thời gian dự bị",
    "probation_review": "Chi bộ xét công nhận chính thức",
    "transfer_presentation": "Xuất trình giấy giới thiệu sinh hoạt đảng",
    "recognition_decision": "Cấp ủy quyết định công nhận chính thức",
}

SEX_VI: dict[str, str] = {"F": "Nữ", "M": "Nam"}

DROP_REASONS_VI: dict[str, str] = {
    "off_list": "Đưa ra khỏi danh sách",
    "vetting_failed": "Thẩm tra lý lịch không đạt",
    "vote_failed": "Chi bộ không đề nghị",
    "not_admitted": "Không được kết nạp",
    "removed_from_probation": "Xóa tên đảng viên dự bị",
    "withdrew": "Tự rút",
    "deceased": "Từ trần",
    "other": "Lý do khác",
}

COUNTED_ON_VI: dict[str, str] = {"decision": "ngày quyết định kết nạp", "ceremony": "ngày lễ kết nạp"}

ENDED_BY_VI: dict[str, str] = {"merged": "hợp nhất", "split": "chia tách", "dissolved": "giải thể"}
