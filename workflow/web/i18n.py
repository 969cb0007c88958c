"""The web interface speaks Vietnamese by default and English on request (`?lang=en`, kept in a cookie).

Only words live here: stage, step, field and option labels and the interface's sentences. Rule sentences come
with each violation from states/catalogue.py in both languages, so no rule is restated here.
"""

from collections.abc import Mapping

from states.labels import FIELDS as FIELDS
from states.labels import LEVELS as LEVELS
from states.labels import OPTIONS as OPTIONS
from states.labels import STAGES as STAGES
from states.labels import STEPS as STEPS

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"





DEADLINES: dict[str, tuple[str, str]] = {
    "certificate_expiry": ("Giấy chứng nhận hết hạn", "Certificate expires"),
    "admission_decision": ("Hạn ra quyết định kết nạp", "Admission decision due"),
    "ceremony": ("Hạn tổ chức lễ kết nạp", "Ceremony due"),
    "member_history": ("Hạn khai lý lịch đảng viên", "Member history due"),
    "probation_end": ("Hết thời kỳ dự bị", "Probation ends"),
    "probation_review": ("Hạn xét công nhận chính thức", "Probation review due"),
    "transfer_presentation": ("Hạn xuất trình giấy chuyển sinh hoạt đảng", "Transfer presentation due"),
    "recognition_decision": ("Hạn quyết định công nhận", "Recognition decision due"),
}

ROLES: dict[str, tuple[str, str]] = {
    "admin": ("Quản trị", "Administrator"), "secretary": ("Bí thư chi bộ", "Branch secretary"),
    "committee": ("Văn phòng cấp ủy", "Committee office"), "auditor": ("Kiểm tra", "Auditor"),
}

CHANGES: dict[str, tuple[str, str]] = {  # states/organisations.py CHANGE_KINDS
    "created": ("Thành lập", "Created"),
    "renamed": ("Đổi tên", "Renamed"),
    "moved": ("Chuyển trực thuộc", "Moved to a new parent"),
    "level_changed": ("Đổi cấp", "Level changed"),
    "authorised": ("Ủy quyền kết nạp", "Authorisation to admit"),
    "merged": ("Hợp nhất", "Merged"),
    "split": ("Chia tách", "Split"),
    "dissolved": ("Giải thể", "Dissolved"),
    "typed": ("Đổi loại hình", "Type changed"),
}

ENDED: dict[str, tuple[str, str]] = {
    "merged": ("Đã hợp nhất", "Merged"),
    "split": ("Đã chia tách", "Split"),
    "dissolved": ("Đã giải thể", "Dissolved"),
}


TEXT: dict[str, tuple[str, str]] = {
    "app": ("Kết nạp đảng viên", "Party admissions"),
    "dashboard": ("Tổng quan", "Dashboard"),
    "candidates": ("Người vào Đảng", "Candidates"),
    "audit": ("Kiểm tra", "Audit"),
    "procedure": ("Quy trình", "Procedure"),
    "rules": ("Quy tắc", "Rules"),
    "rule": ("Quy tắc", "Rule"),
    "rules_intro": ("Mọi quy tắc ketnap áp dụng, sinh tự động từ danh mục quy tắc trong mã nguồn: câu thông báo "
                    "(ví dụ), văn bản và điều khoản theo từng bộ quy định, và cơ sở của quy tắc. Mỗi lý do từ chối "
                    "đều dẫn tới mục của quy tắc ở đây. Các nguồn là trang công khai trích dẫn văn bản của Đảng, "
                    "không phải văn bản gốc. ĐL là Điều lệ Đảng. Các bộ quy định:",
                    "Every rule ketnap applies, generated from the rule catalogue in the code: its sentence (an "
                    "example), the regulation and article under each rule set, and the facts behind it. Every "
                    "refusal links to its rule here. The sources are public pages quoting the Party's documents, "
                    "not the official texts. ĐL is the Party Charter. The rule sets:"),
    "rule_sources": ("Nguồn", "Sources"),
    "every_rule_set": ("Mọi bộ quy định", "Every rule set"),
    "in_force_from": ("áp dụng từ", "in force from"),
    "reports": ("Báo cáo", "Reports"),
    "admin": ("Quản trị", "Administration"),
    "login": ("Đăng nhập", "Sign in"),
    "logout": ("Đăng xuất", "Sign out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "login_locked": ("Đăng nhập sai quá nhiều lần: tài khoản hoặc địa chỉ này bị khóa tạm thời. Mọi lần thử, kể cả "
                     "mật khẩu đúng, đều bị từ chối. Hãy thử lại sau {minutes} phút.",
                     "Too many failed sign-ins: this account or address is locked for now. Every attempt, even "
                     "with the right password, is refused. Try again in {minutes} minutes."),
    "change_password": ("Đổi mật khẩu", "Change password"),
    "current_password": ("Mật khẩu hiện tại", "Current password"),
    "new_password": ("Mật khẩu mới", "New password"),
    "new_password_again": ("Nhập lại mật khẩu mới", "New password, again"),
    "password_rules": ("Ít nhất {n} ký tự, không phải mật khẩu phổ biến. Nên dùng một câu dễ nhớ.",
                       "At least {n} characters, not a common password. A memorable sentence works well."),
    "must_change_password": ("Bạn đăng nhập bằng mật khẩu tạm thời. Hãy đặt mật khẩu của riêng bạn để tiếp tục.",
                             "You signed in with a temporary password. Choose your own to continue."),
    "password_changed": ("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.",
                         "Password changed. Your other sessions have ended."),
    "passwords_differ": ("Hai lần nhập mật khẩu mới không khớp nhau.", "The two new passwords differ."),
    "wrong_current_password": ("Mật khẩu hiện tại không đúng.", "The current password is wrong."),
    "password_unchanged": ("Mật khẩu mới phải khác mật khẩu hiện tại.",
                           "The new password must differ from the current one."),
    "temporary_password": ("Mật khẩu tạm thời của {username} (chỉ hiện một lần; hãy trao tận tay, người dùng "
                           "phải đổi khi đăng nhập lần đầu):",
                           "Temporary password of {username} (shown once; hand it over in person, the user "
                           "must change it at the first sign-in):"),
    "to_dashboard": ("Về trang tổng quan", "To the dashboard"),
    "expires": ("hết hạn", "expires"),
    "login_delayed": ("Đăng nhập sai nhiều lần: hãy chờ {seconds} giây rồi thử lại.",
                      "Several failed sign-ins: wait {seconds} seconds, then try again."),
    "overdue": ("Quá hạn", "Overdue"),
    "due_soon": ("Đến hạn trong {days} ngày tới", "Due in the next {days} days"),
    "nothing_due": ("Không có việc đến hạn.", "Nothing is due."),
    "nothing_overdue": ("Không có việc quá hạn.", "Nothing is overdue."),
    "due_on": ("Hạn", "Due on"),
    "working_days_left": ("Ngày làm việc còn lại", "Working days left"),
    "candidate": ("Người vào Đảng", "Candidate"),
    "kind": ("Việc", "What"),
    "stage": ("Giai đoạn", "Stage"),
    "all_stages": ("Tất cả giai đoạn", "All stages"),
    "search": ("Tìm theo tên (gõ không dấu cũng được)", "Search by name (diacritics optional)"),
    "find": ("Tìm", "Find"),
    "org": ("Tổ chức", "Organisation"),
    "version": ("Phiên bản", "Version"),
    "no_candidates": ("Chưa có ai.", "Nobody yet."),
    "incoming_transfers": ("Chuyển đến, chờ tiếp nhận", "Transferred here, awaiting reception"),
    "sending_org": ("Chi bộ chuyển đi", "Sending branch"),
    "transferred_on": ("Ngày chuyển", "Transferred on"),
    "present_by": ("Hạn xuất trình giấy giới thiệu", "Papers due by"),
    "on_the_list": ("Trong danh sách của tổ chức", "On the organisation's list"),
    "new_candidate": ("Thêm người vào danh sách", "Add a person"),
    "key_dates": ("Các mốc thời gian", "Key dates"),
    "probation_ends_on": ("Hết thời kỳ dự bị", "Probation ends"),
    "official_on": ("Ngày chính thức", "Official on"),
    "party_age_from": ("Tuổi đảng tính từ", "Party age from"),
    "readmission": ("Kết nạp lại", "Re-admission"),
    "readmission_yes": ("Có: đã từng là đảng viên", "Yes: a former member"),
    "decided_on": ("Ngày quyết định kết nạp", "Admission decided on"),
    "ceremony_on": ("Ngày lễ kết nạp", "Ceremony on"),
    "identified_on": ("Ngày vào danh sách", "Identified on"),
    "open_deadlines": ("Thời hạn đang mở", "Open deadlines"),
    "timeline": ("Quá trình", "Timeline"),
    "next_steps": ("Bước tiếp theo", "Next steps"),
    "ready": ("Có thể ghi", "Ready"),
    "still_missing": ("Còn thiếu", "Still missing"),
    "record": ("Ghi nhận", "Record"),
    "date_placeholder": ("ngày/tháng/năm", "dd/mm/yyyy"),
    "date_hint": ("Ghi ngày theo dạng ngày/tháng/năm, ví dụ 10/11/2026", "Write the date day/month/year, e.g. "
                                                                           "10/11/2026"),
    "calendar": ("Chọn ngày trên lịch", "Pick the date on a calendar"),
    "moment_placeholder": ("ngày/tháng/năm giờ:phút", "dd/mm/yyyy hh:mm"),
    "moment_hint": ("Ghi thời điểm theo giờ Việt Nam, dạng ngày/tháng/năm giờ:phút, ví dụ 06/12/2026 23:37",
                    "A moment in Vietnam time, day/month/year hour:minute, e.g. 06/12/2026 23:37"),
    "add_row": ("Thêm một dòng", "Add a row"),
    "correct_pick": ("Bước cần sửa", "Step to correct"),
    "correct_show": ("Xem giá trị đã ghi", "Show its values"),
    "correct_intro": ("Giá trị đã ghi của bước {version}. “{step}”: sửa những ô sai, ghi lý do; bản ghi cũ vẫn "
                      "được giữ.", "The recorded values of step {version}. “{step}”: change what was wrong and "
                      "give the reason; the original stays on record."),
    "correct_on": ("Ngày sửa", "Date of the correction"),
    "not_your_step": ("Bước này do {role} ghi nhận.", "This step is recorded by the {role}."),
    "recorded": ("Đã ghi nhận bước “{step}”.", "Recorded “{step}”."),
    "warning": ("Lưu ý", "Note"),
    "refused": ("Không ghi nhận được bước “{step}”. Lý do:", "“{step}” was refused. Reasons:"),
    "conflict": ("Hồ sơ vừa được người khác cập nhật (phiên bản {actual}). Những gì bạn nhập vẫn được giữ "
                 "bên dưới: xem lại quá trình rồi gửi lại.",
                 "Someone else updated this file meanwhile (now version {actual}). What you entered is kept "
                 "below: check the timeline and submit again."),
    "recorded_by": ("Người ghi", "Recorded by"),
    "recorded_at": ("Thời điểm ghi", "Recorded at"),
    "rule_set": ("Quy định áp dụng", "Rule set"),
    "guidance": ("Hướng dẫn áp dụng", "Guidance"),
    "judged_under": ("Xét theo quy định + hướng dẫn", "Judged under rule set + guidance"),
    "late": ("ghi muộn", "back-dated"),
    "as_of": ("Tính đến ngày", "As of"),
    "known_at": ("Theo dữ liệu đã ghi đến", "As recorded by"),
    "show": ("Xem", "Show"),
    "verification": ("Kết quả kiểm tra", "Verification"),
    "verify_all": ("Kiểm tra tính toàn vẹn nhật ký của {orgs}", "Check the integrity of the log of {orgs}"),
    "verify_missing": ("Chức năng kiểm tra chuỗi băm chưa được cài đặt.", "Log verification is not installed."),
    "verify_ok": ("Không phát hiện sai lệch.", "No problem found."),
    "verify_problems": ("Phát hiện {n} vấn đề.", "{n} problem(s) found."),
    "diagram": ("Sơ đồ quy trình (sinh tự động từ bảng chuyển giai đoạn)",
                "Procedure diagram (generated from the transition table)"),
    "users": ("Người dùng", "Users"),
    "organisations": ("Tổ chức đảng", "Organisations"),
    "role": ("Vai trò", "Role"),
    "add": ("Thêm", "Add"),
    "full_name": ("Họ và tên", "Full name"),
    "forbidden": ("Bạn không có quyền làm việc này.", "You may not do this."),
    "not_found": ("Không tìm thấy (hoặc không thuộc tổ chức của bạn).", "Not found (or outside your organisations)."),
    "bad_form": ("Biểu mẫu đã hết hạn, vui lòng tải lại trang và gửi lại.",
                 "The form expired; reload the page and submit again."),
    "previous": ("Trang trước", "Previous"),
    "next": ("Trang sau", "Next"),
    "first_page": ("Trang đầu", "First page"),
    "read_only": ("Chỉ xem", "Read only"),
    "events": ("sự kiện", "events"),
    "files": ("hồ sơ", "files"),
    "details": ("Chi tiết", "Details"),
    "step": ("Bước", "Step"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "anyone_recording": ("Người ghi bước được sửa", "Whoever records the corrected step"),
    "pick_candidate": ("Chọn người để xem", "Pick a candidate"),
    "source_mermaid": ("Mã nguồn mermaid", "Mermaid source"),
    "tokens": ("Mã truy cập API", "API tokens"),
    "revoke": ("Thu hồi", "Revoke"),
    "revoked": ("Đã thu hồi", "Revoked"),
    "token_created": ("Mã truy cập mới (chỉ hiện một lần, hãy lưu lại):",
                      "New token (shown once, keep it now):"),
    "create_token": ("Tạo mã truy cập", "Create a token"),
    "level": ("Cấp", "Level"),
    "parent": ("Trực thuộc", "Parent"),
    "admits": ("Được ủy quyền kết nạp", "Authorised to admit"),
    "code": ("Mã", "Code"),
    "saved": ("Đã lưu.", "Saved."),
    "org_name": ("Tên tổ chức", "Name"),
    "status": ("Tình trạng", "Status"),
    "active": ("Đang hoạt động", "Active"),
    "ended_into": ("{how} ngày {on}, kế tục:", "{how} on {on}, succeeded by:"),
    "ended_plain": ("{how} ngày {on}", "{how} on {on}"),
    "predecessors": ("Tổ chức tiền thân", "Predecessors"),
    "successors": ("Tổ chức kế tục", "Successors"),
    "children": ("Tổ chức trực thuộc", "Organisations under it"),
    "founded_on": ("Ngày thành lập", "Founded on"),
    "before_records": ("Trước khi có dữ liệu", "Before the records"),
    "not_yet_created": ("Chưa thành lập vào ngày này.", "Not yet created on this date."),
    "ended_by_then": ("Không còn tồn tại vào ngày này.", "No longer existed on this date."),
    "decides_for_branches": ("Cấp ủy quyết định kết nạp cho các chi bộ", "Decides admissions for its branches"),
    "after_committee_vote": ("sau khi đảng ủy cơ sở biểu quyết", "after the grassroots committee votes"),
    "no_competent_body": ("Không có cấp ủy có thẩm quyền", "No committee is competent"),
    "org_history": ("Lịch sử tổ chức", "History of the organisation"),
    "effective_on": ("Ngày hiệu lực", "Effective on"),
    "change": ("Thay đổi", "Change"),
    "decision_number": ("Số quyết định", "Decision"),
    "issuer": ("Cơ quan ban hành", "Issued by"),
    "no_changes": ("Chưa có thay đổi nào được ghi.", "No change recorded."),
    "candidates_here": ("Người vào Đảng ghi nhận tại tổ chức này (và các tổ chức trực thuộc)",
                        "Candidates recorded here (and under it)"),
    "see_list": ("Xem danh sách", "See the list"),
    "tree_on": ("Cây tổ chức tính đến ngày {on}", "The tree as of {on}"),
    "record_change": ("Ghi nhận thay đổi tổ chức", "Record a change"),
    "kind_of_change": ("Loại thay đổi", "Kind of change"),
    "org_code": ("Mã tổ chức", "Organisation code"),
    "change_on": ("Ngày hiệu lực (ghi trong quyết định)", "Effective date (in the decision)"),
    "new_name": ("Tên (mới)", "(New) name"),
    "new_parent": ("Trực thuộc (mã)", "Parent (code)"),
    "into": ("Hợp nhất vào (mã)", "Merged into (code)"),
    "parts": ("Phân chia: mỗi dòng MÃ=MÃ KẾ TỤC (tổ chức trực thuộc hoặc mã quần chúng)",
              "Parts: one PART=SUCCESSOR a line (an organisation under it, or a candidate id)"),
    "used_by": ("Dùng cho", "For"),
    "org_type": ("Loại hình tổ chức cơ sở đảng", "Type of grassroots organisation"),
    "unchanged": ("Không đổi", "Unchanged"),
    "dry_run": ("Chỉ xem trước, chưa ghi", "Preview only, record nothing"),
    "change_recorded": ("Đã ghi nhận thay đổi “{kind}”.", "Recorded “{kind}”."),
    "change_refused": ("Không ghi nhận được thay đổi. Lý do:", "The change was refused. Reasons:"),
    "change_preview": ("Xem trước: {n} thay đổi sẽ được ghi; chưa ghi gì.",
                       "Preview: {n} change(s) would be recorded; nothing was recorded."),
    "affected": ("Người vào Đảng bị ảnh hưởng", "Candidates affected"),
    "deciding_committee": ("Cấp ủy quyết định", "Deciding committee"),
    "branch_now": ("Chi bộ hiện nay", "Branch now"),
    "branch_then": ("Chi bộ khi đó", "Branch then"),
    "download_document": ("Tải văn bản", "Download document"),
    "dossier_contents": ("Mục lục hồ sơ", "Dossier contents"),
    "document_blanks": ("Để trống, điền tay", "Left blank, to fill in by hand"),
    "carried_from": ("chuyển từ {old} do {how} ngày {on}", "carried from {old} by {how} on {on}"),
    "show_date": ("Xem", "Show"),
    "bad_date": ("Ngày không hợp lệ; đang hiển thị hôm nay.", "Not a date; showing today."),
    "back_to_list": ("Danh sách tổ chức", "All organisations"),
    "keeps_history": ("{org} giữ lại như lịch sử: {plans} kế hoạch, {classes} lớp, {users} người dùng.",
                      "{org} keeps as history: {plans} plan(s), {classes} class(es), {users} user(s)."),
    "access_log": ("Nhật ký truy cập hồ sơ", "Access log"),
    "access_intro": ("Mỗi lần xem hồ sơ, xuất danh sách hoặc hồ sơ đều được ghi lại và không sửa, xóa được "
                     "(Nghị định 13/2023/NĐ-CP). Chỉ hiện các lần xem hồ sơ thuộc tổ chức của bạn.",
                     "Every view of a file, list export or dossier is recorded and cannot be changed or deleted "
                     "(Decree 13/2023/NĐ-CP). Only views of files in your organisations are shown."),
    "access_nav": ("Nhật ký truy cập", "Access log"),
    "access_zone": ("Thời gian theo {zone}.", "Times in Vietnam time (Asia/Ho_Chi_Minh, UTC+07:00)."),
    "access_when": ("Thời gian (UTC+07:00)", "When (UTC+07:00)"),
    "access_who": ("Người xem", "Who"),
    "access_view": ("Cách xem", "View"),
    "access_from": ("Từ đâu", "From"),
    "access_what": ("Hồ sơ / phạm vi", "File / scope"),
    "access_user": ("Tên đăng nhập", "Username"),
    "access_since": ("Từ ngày (dd/mm/yyyy)", "Since (dd/mm/yyyy)"),
    "access_none": ("Không có lần truy cập nào khớp.", "No access matches."),
    "access_bad_since": ("Ngày không hợp lệ (dd/mm/yyyy).", "Not a date (dd/mm/yyyy)."),
}


FINDINGS: dict[str, tuple[str, str]] = {  # workflow/audit/findings.py kinds
    "edited": ("Sự kiện đã bị sửa sau khi ghi", "Edited after it was recorded"),
    "deleted": ("Thiếu sự kiện (đã bị xóa)", "Deleted"),
    "inserted": ("Sự kiện bị chèn thêm", "Inserted"),
    "reordered": ("Thứ tự sự kiện bị đổi", "Reordered"),
    "broken_link": ("Chuỗi băm bị đứt", "Broken link in the hash chain"),
    "stream_deleted": ("Cả hồ sơ đã bị xóa", "Whole stream deleted"),
    "truncated": ("Hồ sơ bị cắt bớt", "Truncated"),
    "rewritten": ("Sự kiện bị ghi đè", "Rewritten"),
    "uncovered": ("Sự kiện nằm ngoài điểm kiểm tra", "Not covered by the checkpoint"),
    "checkpoint": ("Điểm kiểm tra không khớp", "Checkpoint does not match"),
    "rule_broken": ("Bước vi phạm quy tắc", "A step breaks a rule"),
    "rule_set_mismatch": ("Bộ quy định ghi sai", "Wrong rule set stored"),
    "replay_failed": ("Không dựng lại được hồ sơ", "The stream cannot be replayed"),
    "projection": ("Bảng tra cứu lệch với nhật ký", "A table differs from the log"),
    "org_projection_differs": ("Bảng tổ chức lệch với nhật ký", "An organisation row differs from the log"),
}

def pick(table: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    """The label of `key` in `lang`; an unknown key shows itself, so nothing is ever blank."""
    pair = table.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[0] if lang == "vi" else pair[1]


def normalise_lang(value: str | None) -> str | None:
    return value if value in LANGS else None
