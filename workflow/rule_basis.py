"""Why each rule exists: the facts of the regulations behind it, in our own words, with the sources we read.

The rule reference (/rules, docs/RULES.md) shows, for every rule id of the catalogues, its topic's basis below.
Rules that rest on the same facts share a topic. The sources are public pages that quote or restate the Party's
documents (most are secondary: legal Q&A sites, party-committee guides); none is the official text, and the
reference says so. A test checks that every rule id has a topic and an example.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from states import labels
from states.labels import Said


@dataclass(frozen=True)
class Basis:
    title_vi: str
    title_en: str
    vi: str
    en: str
    sources: tuple[str, ...] = ()


_TVPL_29 = ("QĐ 29-QĐ/TW §4.1–4.3 (thời hạn, thẩm quyền): https://thuvienphapluat.vn/hoi-dap-phap-luat/"
            "35A5C-hd-thoi-han-tham-quyen-quyet-dinh-ket-nap-dang-vien-xet-cong-nhan-dang-vien-chinh-thuc.html")
_DL_4_3 = ("Điều lệ Đảng Điều 4.3: https://thuvienphapluat.vn/hoi-dap-phap-luat/"
           "83A324C-hd-mau-bien-ban-hop-chi-bo-de-nghi-ket-nap-dang-vien-cap-nhat-nam-2024.html")
_DL_5 = "Điều lệ Đảng Điều 5: https://luatvietnam.vn/can-bo-cong-chuc/tuoi-dang-tinh-tu-thoi-diem-nao-566-28649-article.html"
_HD01_VETTING = ("HD 01-HD/TW 2021 §3.3–3.4: https://tintuc.thuvienphapluat.com/ho-tro-phap-luat/tu-van-phap-luat/"
                 "63136/tham-tra-ly-lich-cua-nguoi-vao-dang-nhu-the-nao")
_HD01_VOTE = ("HD 01-HD/TW 2021 §3.6c, §5.1: https://luatvietnam.vn/can-bo-cong-chuc/"
              "ty-le-bieu-quyet-ket-nap-dang-vien-566-95035-article.html")
_QUIZ = ("Bộ câu hỏi nghiệp vụ công tác Đảng 2025 trích HD 06-HD/TW và QĐ 294-QĐ/TW (nguồn thứ cấp, tệp công khai "
         "trên GitHub)")
_TVND_24 = "QĐ 24-QĐ/TW 1.1.1: https://thuviennhadat.vn/vbpl/quy-dinh-24-qd-tw-2021-thi-hanh-dieu-le-dang-484359.html"
_TVPL_29_FULL = ("QĐ 29-QĐ/TW: https://thuvienphapluat.vn/van-ban/Bo-may-hanh-chinh/"
                 "Quy-dinh-29-QD-TW-thi-hanh-Dieu-le-Dang-2016-319797.aspx")
_LDG_24 = "QĐ 24-QĐ/TW §3.2.1 (người giới thiệu): https://luatduonggia.vn/?p=813295"
_MOJ_294 = "QĐ 294-QĐ/TW (cấp xã là cấp trên trực tiếp cơ sở): https://thads.moj.gov.vn/noidung/tintuc/Lists/CongTacDang/View_Detail.aspx?ItemID=288"
_FORMS = "Mẫu KNĐ (HD 12-HD/BTCTW 2022): http://tnu.edu.vn/ket-nap-dang-va-chuyen-dang-chinh-thuc-dn129.html"
_KETNAP = "ketnap: README (refusal codes, organisations, Excel import)"

TOPICS: dict[str, Basis] = {
    "input": Basis(
        "Dữ liệu nhập", "What may be typed",
        "Mỗi bước ghi đúng các trường của văn bản tương ứng; trường bắt buộc phải có, mỗi giá trị đúng kiểu (ngày, "
        "số, một lựa chọn trong danh sách) và là một dòng chữ nhìn thấy được. Văn bản không thể ghi ngày sau hôm "
        "nay. Đây là quy tắc của ketnap, không phải của văn bản của Đảng: chúng giữ cho hồ sơ đọc được và in được.",
        "Each step records the fields of its document; required fields must be there, each value of its type "
        "(a date, a number, one choice of a list) and one visible line of text. A document cannot be dated after "
        "today. These are ketnap's rules, not the Party's: they keep the file readable and printable.",
        (_KETNAP,)),
    "list": Basis(
        "Danh sách cảm tình Đảng", "The list of outstanding people",
        "Chi bộ xem xét, ra nghị quyết đưa quần chúng ưu tú vào danh sách cảm tình Đảng; mọi bước sau đều tính từ "
        "ngày đó và người vào Đảng thuộc một chi bộ (hoặc một tổ chức cơ sở đảng).",
        "The branch resolves to put outstanding people on its list; every later step counts from that date, and "
        "a candidate belongs to a branch (or a grassroots organisation).",
        ("HD 09-HD/BTCTW 2017 §1.1 (lập danh sách cảm tình Đảng)", "Điều lệ Đảng Điều 4")),
    "course": Basis(
        "Lớp bồi dưỡng nhận thức về Đảng", "The Party-awareness course",
        "Người vào Đảng phải học lớp bồi dưỡng nhận thức về Đảng và có giấy chứng nhận (từ 2025 do trung tâm chính "
        "trị cấp xã cấp). Giấy chứng nhận có giá trị 60 tháng tính đến ngày chi bộ xét kết nạp; quá hạn thì phải "
        "học lại để được cấp giấy mới.",
        "The candidate attends the Party-awareness course and receives its certificate (from 2025 issued by the "
        "commune political centre). The certificate is valid 60 months up to the branch's vote; after that the "
        "candidate retakes the course.",
        ("HD 06-HD/TW 2025 §5.4 — " + _QUIZ, "QĐ 1147-QĐ/BTGDVTW Điều 4, 9",
         "HD 01-HD/TW 2016 §3.1: https://accgroup.vn/quy-dinh-xac-minh-ly-lich-cua-nguoi-vao-dang-nam-2022")),
    "dossier": Basis(
        "Đơn và lý lịch", "Application and personal history",
        "Người vào Đảng tự làm đơn (mẫu 1-KNĐ) và tự khai lý lịch (mẫu 2-KNĐ). Theo HD 06-HD/TW (2025) đơn nộp "
        "trước lý lịch. Lý lịch chỉ được thẩm tra khi hồ sơ đã có giấy chứng nhận, đơn và lý lịch.",
        "The candidate writes the application letter (form 1-KNĐ) and declares the personal history (form 2-KNĐ). "
        "Under HD 06-HD/TW (2025) the letter comes before the history. The history is checked only once the "
        "certificate, the letter and the history are all in the file.",
        ("HD 06-HD/TW 2025 §3 — " + _QUIZ, _HD01_VETTING, _FORMS)),
    "vetting": Basis(
        "Thẩm tra lý lịch", "The background check",
        "Chi bộ và cấp ủy cơ sở thẩm tra lý lịch của người vào Đảng và người thân, rồi kết luận, ký, đóng dấu. "
        "Kết luận không đạt thì không tiếp tục xét kết nạp.",
        "The branch and the grassroots committee check the history of the candidate and their relatives, then "
        "conclude, sign and stamp it. A check that does not clear the candidate ends the admission.",
        (_HD01_VETTING, "HD 06-HD/TW 2025 §3.4 — " + _QUIZ)),
    "introducers": Basis(
        "Người giới thiệu", "Introducers",
        "Hai đảng viên chính thức giới thiệu; mỗi người cùng công tác, học tập hoặc sinh hoạt nơi cư trú với người "
        "vào Đảng ít nhất 12 tháng trong cùng đơn vị (từ QĐ 24-QĐ/TW 2021; trước đó Điều lệ ghi “ít nhất một "
        "năm”). Người trong độ tuổi thanh niên là đoàn viên: BCH Đoàn cơ sở và một đảng viên chính thức giới thiệu; "
        "đoàn viên công đoàn: BCH công đoàn cơ sở và một đảng viên. Người giới thiệu chỉ cần là đảng viên chính "
        "thức vào ngày giới thiệu.",
        "Two official members introduce the candidate; each has worked, studied or lived in the same residence "
        "cell with them for at least 12 months in the same unit (from QĐ 24-QĐ/TW 2021; the Charter says \"at "
        "least one year\"). A youth-age Youth Union member is introduced by the Youth Union's base committee and "
        "one official member; a Trade Union member by the union's base committee and one member. An introducer "
        "only needs to be an official member on the day they introduce.",
        (_LDG_24, "Điều lệ Đảng Điều 4.2", "QĐ 294-QĐ/TW §3.2.1 — " + _QUIZ, _FORMS)),
    "comments": Basis(
        "Lấy ý kiến nhận xét", "Comments collected",
        "Trước khi chi bộ xét, chi ủy kiểm tra lại điều kiện và lấy ý kiến nhận xét của đoàn thể nơi người vào "
        "Đảng sinh hoạt và của chi ủy nơi cư trú, rồi tổng hợp (mẫu 5-KNĐ).",
        "Before the branch votes, its committee re-checks the candidate and collects the comments of the mass "
        "organisations where they are active and of the party cell where they live, then sums them up (form "
        "5-KNĐ).",
        (_DL_4_3, "https://ungkirke.com/quy-trinh-ket-nap-dang-vien-moi-nam-2017/")),
    "votes": Basis(
        "Biểu quyết", "Votes",
        "Chi bộ đề nghị kết nạp khi ít nhất hai phần ba số đảng viên chính thức tán thành; đảng ủy cơ sở khi ít "
        "nhất hai phần ba số cấp ủy viên tán thành, và chỉ xét sau nghị quyết của chi bộ. Số tán thành không thể "
        "lớn hơn số người được tính; một nghị quyết không ghi ngày trước nghị quyết mà nó dựa vào. Theo QĐ "
        "294-QĐ/TW (từ 01/07/2025), hai phần ba của chi bộ tính trên số đảng viên chính thức được triệu tập: tổng "
        "số đảng viên chính thức, trừ số được giới thiệu sinh hoạt tạm thời ở nơi khác và số được miễn công tác, "
        "sinh hoạt đảng vắng mặt (có mặt và biểu quyết thì vẫn tính); số được tính lưu cùng lần biểu quyết.",
        "The branch proposes admission when at least two thirds of its official members agree; the grassroots "
        "committee when at least two thirds of its members agree, and only after the branch's resolution. Votes "
        "in favour cannot exceed those counted; a resolution is not dated before the one it rests on. Under "
        "QĐ 294-QĐ/TW (from 1 July 2025) the branch's two thirds are counted of the official members convened: all "
        "of them, less those introduced for temporary activity elsewhere and the exempted members who are absent "
        "(an exempted member who attends and votes counts); the number counted is kept with the vote.",
        (_DL_4_3, _HD01_VOTE, "HD 06-HD/TW 2025 §3.6b, §3.7a — " + _QUIZ, "QĐ 294-QĐ/TW §9.3.2 — " + _QUIZ)),
    "age": Basis(
        "Tuổi", "Age",
        "Tại thời điểm chi bộ xét kết nạp, người vào Đảng phải đủ 18 tuổi đến đủ 60 tuổi, tính theo tháng. Trên 60 "
        "tuổi chỉ được xét khi ban thường vụ cấp ủy trực thuộc Trung ương đồng ý bằng văn bản trước khi ra quyết "
        "định kết nạp.",
        "On the day the branch considers the case the candidate is 18 to 60 full years old, counted in months. "
        "Over 60 only with the written consent of the provincial standing committee, given before the decision.",
        (_TVND_24, _TVPL_29_FULL, "HD 01-HD/TW 2016 §1.1: https://luattoanquoc.com/huong-dan-01-hdtw-huong-dan-"
         "mot-van-de-cu-thi-hanh-dieu-le-dang", "QĐ 294-QĐ/TW 1.1.1 — " + _QUIZ)),
    "education": Basis(
        "Trình độ học vấn", "Education",
        "Người vào Đảng có bằng tốt nghiệp trung học cơ sở trở lên (QĐ 29 còn nhận “tương đương”). Ở vùng cao, "
        "biên giới, hải đảo, vùng dân tộc thiểu số: tối thiểu hoàn thành tiểu học; già làng, người có uy tín ở các "
        "vùng đó tối thiểu biết đọc, biết viết chữ quốc ngữ và cần văn bản đồng ý của ban thường vụ cấp ủy trực "
        "thuộc Trung ương.",
        "The candidate holds a lower-secondary diploma or higher (QĐ 29 also accepted \"equivalent\"). In "
        "mountain, border, island and ethnic-minority areas primary school is enough; village elders there must "
        "read and write quốc ngữ and need the provincial standing committee's written consent.",
        (_TVND_24, _TVPL_29_FULL, "HD 06-HD/TW 2025 §1 (tài liệu công khai tnt305/tai_lieu_noi_bo trên GitHub)")),
    "authority": Basis(
        "Thẩm quyền quyết định", "Who decides",
        "Đảng ủy cơ sở được ủy quyền thì tập thể đảng ủy quyết định; nơi khác ban thường vụ cấp ủy cấp trên trực "
        "tiếp của tổ chức cơ sở đảng quyết định. Từ 01/07/2025 không còn cấp huyện: đảng ủy xã, phường, đặc khu là "
        "cấp trên trực tiếp của tổ chức cơ sở đảng (thí điểm). ketnap đọc cây tổ chức của đúng ngày quyết định.",
        "An authorised grassroots committee decides as a whole; elsewhere the standing committee of the level "
        "directly above the grassroots organisation decides. From 1 July 2025 there is no district level: the "
        "commune, ward or special-zone committee is the level above (a pilot). ketnap reads the organisation tree "
        "of the decision's date.",
        (_TVPL_29, _MOJ_294)),
    "ceremony": Basis(
        "Quyết định và lễ kết nạp", "Decision and ceremony",
        "Cấp ủy có thẩm quyền quyết định trong 60 ngày làm việc từ nghị quyết chi bộ; chi bộ tổ chức lễ kết nạp "
        "trong 30 ngày làm việc từ ngày nhận quyết định. Vì vậy chi bộ không nhận quyết định trước ngày ký, và lễ "
        "không tổ chức trước ngày nhận.",
        "The competent committee decides within 60 working days of the branch resolution; the branch holds the "
        "ceremony within 30 working days of receiving the decision. So the decision is not received before it is "
        "signed, and the ceremony is not held before it is received.",
        (_TVPL_29, "QĐ 24-QĐ/TW Điều 5.1: https://luatduonggia.edu.vn/ngay-ket-nap-dang-duoc-tinh-tu-ngay-nao",
         "QĐ 294-QĐ/TW (lễ kết nạp) — " + _QUIZ)),
    "recognition": Basis(
        "Công nhận đảng viên chính thức", "Recognition as an official member",
        "Thời kỳ dự bị là 12 tháng tính từ ngày lễ kết nạp. Hết 12 tháng, chi bộ xét và biểu quyết như khi kết nạp "
        "(ít nhất hai phần ba); nghị quyết ghi ngày sau khi hết dự bị. Đảng ủy cơ sở xét sau chi bộ; hồ sơ phải "
        "có giấy chứng nhận lớp bồi dưỡng đảng viên mới. Người đủ tư cách được công nhận đúng ngày hết 12 tháng.",
        "Probation lasts 12 months from the ceremony. When it ends the branch votes as for admission (at least "
        "two thirds); the resolution is dated after probation ends. The grassroots committee reviews after the "
        "branch; the file holds the new-member course certificate. A member who qualifies is official on the "
        "day the 12 months end.",
        (_DL_5, "QĐ 29-QĐ/TW §4.2: https://thuvienphapluat.vn/hoi-dap-phap-luat/35A57-hd-thoi-han-to-chuc-le-ket-"
         "nap-va-thoi-diem-cong-nhan-dang-vien-chinh-thuc.html",
         "https://stdt.danguykhoibinhthuan.vn/sotay/to-chuc/cong-tac-phat-trien-dang-vien/cong-nhan-dang-vien-"
         "chinh-thuc", "https://dangbo.hcmute.edu.vn/bieu_mau/chuyen-dang-chinh-thuc-cho-dang-vien-du-bi/")),
    "removal": Basis(
        "Xóa tên đảng viên dự bị", "Removing a probationary member",
        "Đảng viên dự bị không đủ tư cách thì chi bộ đề nghị (ít nhất hai phần ba số đảng viên chính thức tán "
        "thành) và cấp ủy có thẩm quyền quyết định xóa tên trong danh sách đảng viên dự bị.",
        "A probationary member who is not fit is proposed for removal by the branch (at least two thirds of its "
        "official members) and struck off by the competent committee's decision.",
        (_DL_5, "https://luatsutuvanmienphi.com/thu-tuc-xoa-ten-dang-vien/")),
    "readmission": Basis(
        "Kết nạp lại", "Re-admission",
        "Người đã ra khỏi Đảng có thể được xét kết nạp lại khi: đủ tiêu chuẩn như người vào Đảng lần đầu; ra khỏi "
        "Đảng ít nhất 36 tháng (người bị kết án về tội ít nghiêm trọng: 60 tháng kể từ khi được xóa án tích), tính "
        "đến ngày quyết định; có đơn; có văn bản đồng ý của ban thường vụ tỉnh ủy, thành ủy trước khi cấp có thẩm "
        "quyền quyết định; rồi theo đúng thủ tục kết nạp. Không kết nạp lại người đã ra khỏi Đảng vì tự ý bỏ sinh "
        "hoạt đảng, xin ra khỏi Đảng (trừ hoàn cảnh gia đình đặc biệt khó khăn), gây mất đoàn kết nội bộ nghiêm "
        "trọng, bị kết án về tội tham nhũng, hoặc bị kết án về tội phạm nghiêm trọng trở lên. Chỉ kết nạp lại một "
        "lần; người được kết nạp lại phải trải qua đủ thời kỳ dự bị.",
        "A former member may be admitted again when they meet the criteria of a first admission; at least 36 "
        "months have passed since they left (60 months after a criminal record for a less serious crime is "
        "cleared), counted to the decision date; they apply in writing; the provincial standing committee "
        "consents in writing before the competent committee decides; then the ordinary procedure applies. Never "
        "for those who left because they abandoned party activities, asked to leave (except for especially "
        "difficult family reasons), caused serious disunity, or were convicted of corruption or of a serious "
        "crime or worse. Only once; the re-admitted member serves the full probation.",
        ("QĐ 29-QĐ/TW 3.5: https://thuvienphapluat.vn/hoi-dap-phap-luat/4C662-hd-duoc-ket-nap-lai-dang-bao-nhieu-"
         "lan.html", "QĐ 294-QĐ/TW 3.5: https://ngoisao.vn/theo-dong-su-kien/tin-nong-trong-ngay/tu-ngay-0172025-5-"
         "truong-hop-khong-duoc-xet-ket-nap-lai-vao-dang-moi-nguoi-can-chu-y-457410.htm",
         "QĐ 232-QĐ/TW: https://phamkietsonha.edu.vn/toan-van-quy-dinh-232-qd-tw-nam-2025-ve-thi-hanh-dieu-le-dang-"
         "moi-nhat")),
    "log": Basis(
        "Đính chính", "Corrections",
        "Một bước đã ghi không bị xóa hay sửa đè: đính chính là một bước mới, chỉ ra bước cũ và giá trị đúng, và "
        "phải qua lại mọi quy tắc của ngày đó. Đây là quy tắc của ketnap để hồ sơ kiểm tra được.",
        "A recorded step is never erased or overwritten: a correction is a new step naming the old one and the "
        "right values, judged again by every rule of its date. This is ketnap's rule, so the file can be audited.",
        (_KETNAP,)),
    "transfer": Basis(
        "Chuyển sinh hoạt", "Transfer",
        "Người vào Đảng và đảng viên dự bị có thể chuyển sinh hoạt sang tổ chức đảng khác; các mốc thời gian "
        "được giữ nguyên. Đảng viên (kể cả dự bị) được chuyển sinh hoạt đảng phải xuất trình giấy giới thiệu với "
        "chi ủy nơi đến trong 60 ngày làm việc kể từ ngày quyết định chuyển có hiệu lực; đảng viên thuộc chi bộ "
        "nơi đến từ ngày chi bộ đó tiếp nhận. Chi bộ nào xét công nhận đảng viên chính thức cho đảng viên dự bị "
        "đã chuyển sinh hoạt chưa được kiểm chứng: ketnap mặc định là chi bộ nơi đến, sau khi tiếp nhận (một mục "
        "cấu hình).",
        "A candidate or probationary member may move to another party organisation; the dates so far carry over. "
        "A member (probationary ones included) who is transferred presents the transfer paper to the receiving "
        "branch's committee within 60 working days of the day the transfer takes effect, and belongs to the "
        "receiving branch from the day it receives them. Which branch votes on the recognition of a member "
        "transferred during probation is unverified: ketnap lets the receiving branch vote, once it has received "
        "the member (a setting).",
        ("QĐ 294-QĐ/TW 6.3.1 — " + _QUIZ, "Công văn 19370-CV/VPTW (08/12/2025), thủ tục chuyển sinh hoạt đảng — "
         "tài liệu công khai tnt305/tai_lieu_noi_bo trên GitHub")),
    "organisations": Basis(
        "Thay đổi tổ chức", "Changes of the organisation tree",
        "Thành lập, đổi tên, chuyển trực thuộc, hợp nhất, chia tách, giải thể tổ chức đảng được ghi theo ngày hiệu "
        "lực của quyết định, do quản trị viên của cấp trên ghi. Một thay đổi không được để người vào Đảng nào ở "
        "một tổ chức không còn tồn tại hoặc không còn cấp ủy có thẩm quyền kết nạp.",
        "Creating, renaming, moving, merging, splitting and dissolving party organisations are recorded on the "
        "decision's effective date, by an admin of the upper level. No change may leave a candidate in an "
        "organisation that no longer exists or without a committee competent to admit them.",
        ("HD 31-HD/BTCTW (2025), sắp xếp tổ chức", _MOJ_294, _KETNAP)),
    "deadlines": Basis(
        "Thời hạn", "Deadlines",
        "Các thời hạn ketnap nhắc: tính bằng ngày làm việc (thứ Hai đến thứ Sáu, trừ ngày lễ theo lịch trong "
        "config.yaml) hoặc bằng tháng, từ mốc mà văn bản quy định; quá hạn thì báo lên cấp trên. Con số theo bộ "
        "quy định của ngày mở thời hạn.",
        "The deadlines ketnap reminds of: counted in working days (Monday to Friday, less the holidays of the "
        "calendar in config.yaml) or in months, from the date the regulation names; overdue ones escalate to the "
        "level above. The number is the rule set's of the day the deadline opened.",
        (_TVPL_29, "QĐ 24-QĐ/TW Điều 5: https://luatduonggia.edu.vn/ngay-ket-nap-dang-duoc-tinh-tu-ngay-nao",
         "HD 06-HD/TW 2025 §5.4; HD 12-HD/BTCTW 2022 §2.2 — " + _QUIZ, _DL_5)),
    "extension": Basis(
        "Gia hạn thời hạn quyết định", "Extending a decision deadline",
        "Cấp ủy có thẩm quyền quyết định kết nạp trong 60 ngày làm việc và quyết định công nhận đảng viên chính "
        "thức trong 30 ngày làm việc kể từ nghị quyết của chi bộ; trường hợp đặc biệt được gia hạn, nhưng không "
        "quá 30 ngày làm việc. ketnap ghi việc gia hạn một lần cho mỗi thời hạn, với số quyết định và lý do, và "
        "dời ngày hết hạn (tính thêm ngày làm việc từ ngày hết hạn cũ). Số ngày tối đa theo bộ quy định của ngày "
        "gia hạn; với QĐ 232 và QĐ 294 chưa kiểm chứng, coi như không đổi.",
        "The competent committee decides an admission within 60 working days, and a recognition within 30, of the "
        "branch's resolution; in special cases it may extend that by at most 30 working days. ketnap records one "
        "extension per deadline, with its decision number and reason, and moves the due date (the extra working "
        "days count from the old due date). The maximum is the rule set's of the day of the extension; for "
        "QĐ 232 and QĐ 294 it is unverified, presumed unchanged.",
        (_TVPL_29,)),
    "access": Basis(
        "Phạm vi của người dùng", "A user's scope",
        "Mỗi người dùng chỉ xem và ghi cho các tổ chức được phân công (và các tổ chức trực thuộc); bí thư chi bộ "
        "ghi các bước của chi bộ, văn phòng cấp ủy ghi biểu quyết và quyết định của cấp ủy, người kiểm tra chỉ xem.",
        "A user sees and records only for the organisations assigned to them (and those under them); a branch "
        "secretary records the branch's steps, a committee office the committee's votes and decisions, an "
        "auditor only reads.",
        (_KETNAP,)),
    "import": Basis(
        "Nhập từ Excel và thao tác hàng loạt", "Excel import and batch steps",
        "Một tệp Excel được nhập toàn bộ hoặc không nhập gì; mỗi ô sai được chỉ ra bằng tên cột. Mỗi bước nhập vào "
        "vẫn qua mọi quy tắc như khi ghi bằng tay, và không có gì được ghi hai lần.",
        "A workbook is imported whole or not at all; every wrong cell is named by its column. Every imported "
        "step passes every rule as if typed, and nothing is recorded twice.",
        (_KETNAP,)),
    "history": Basis(
        "Số liệu lịch sử", "Historical records",
        "Số kết nạp của những kỳ trước khi dùng ketnap (ví dụ 2008–2015) được ghi thành số tổng theo tổ chức và "
        "kỳ (tổng số, kết nạp lại, từng đối tượng), có nguồn là báo cáo đã ban hành. Chưa có bộ quy định nào "
        "trước QĐ 29-QĐ/TW (25/07/2016) được cấu hình để xét lại từng người, nên số liệu này được báo cáo cộng "
        "vào và kiểm tra chứng minh không bị sửa, nhưng không xét lại. Mỗi đối tượng là một phần của tổng số; "
        "một tổ chức không có hai số liệu cho cùng một thời gian, cũng không có số liệu cho thời gian đã ghi "
        "từng người; số liệu sai thì rút đi rồi ghi lại, không sửa. Văn phòng cấp ủy ghi.",
        "Admissions of periods before ketnap was used (e.g. 2008-2015) are entered as totals per organisation "
        "and period (the total, re-admissions, each category), citing the published report. No rule set before "
        "QĐ 29-QĐ/TW (25/07/2016) is configured to re-judge each person, so reports add these figures and the "
        "audit proves them unaltered, but does not re-judge them. Each category is a part of the total; an "
        "organisation has no two records for the same time, nor a record for time whose candidates are "
        "recorded; a wrong record is withdrawn and entered again, never edited. A committee office enters them.",
        ("Số liệu cấp ủy công bố theo kỳ, ví dụ Đảng bộ Khối Doanh nghiệp tỉnh Đồng Nai, 8 tháng 2018: "
         "http://baodongnai.com.vn/tintuc/201808/ket-nap-141-dang-vien-2908477/", _KETNAP)),
    "plans": Basis(
        "Kế hoạch và chỉ tiêu", "Plans and targets",
        "Chỉ tiêu theo đối tượng của một kế hoạch ghi một đối tượng (nữ, học sinh, doanh nghiệp nhà nước...) hoặc "
        "một nhóm đối tượng trong config.yaml (ví dụ “Trong doanh nghiệp”), và không vượt tổng chỉ tiêu.",
        "A plan's sub-target names a category (women, students, state enterprises...) or a group of categories of "
        "config.yaml (e.g. \"in enterprises\"), and does not exceed the total target.",
        ("ketnap: docs/ORG_TYPES.md (groups)", _KETNAP)),
}

# rule id -> topic; org_changes / access rules share one entry (their sentences are built where they are judged)
TOPIC_OF: dict[str, str] = {
    **dict.fromkeys(("dated_before_last_step", "field_missing", "field_invalid", "field_unknown", "text_line_break",
                     "text_control_character",
                     "text_bidi_character", "text_invisible", "name_without_letter", "date_in_future"), "input"),
    **dict.fromkeys(("date_before_identified", "org_not_found", "org_not_branch"), "list"),
    **dict.fromkeys(("certificate_issued_in_future", "vetting_needs_certificate", "certificate_missing",
                     "certificate_expired"), "course"),
    **dict.fromkeys(("history_before_application", "vetting_needs_application", "vetting_needs_history"),
                    "dossier"),
    "vetting_not_cleared": "vetting",
    **dict.fromkeys(("introducer_count", "introducer_not_official", "introducer_months_together",
                     "youth_union_resolution_required", "vote_needs_introducers", "introducers_missing"),
                    "introducers"),
    **dict.fromkeys(("comment_sources", "vote_needs_comments", "comments_missing"), "comments"),
    **dict.fromkeys(("vote_counts", "vote_present", "vote_attendance", "vote_before_dossier", "vote_none_convened",
                     "vote_convened",
                     "committee_vote_needs_branch_vote", "vote_before_previous",
                     "branch_vote_not_passed", "committee_vote_not_passed", "decision_vote_incomplete",
                     "decision_needs_vote", "decision_vote_not_passed"), "votes"),
    **dict.fromkeys(("age_minimum", "age_maximum"), "age"),
    **dict.fromkeys(("education_minimum", "village_elder_consent"), "education"),
    "decided_by_not_competent": "authority",
    **dict.fromkeys(("received_before_decision", "ceremony_before_decision"), "ceremony"),
    **dict.fromkeys(("review_before_probation_end", "committee_review_needs_review_vote",
                     "recognition_needs_review_vote", "recognition_needs_committee_review",
                     "new_member_course_missing"), "recognition"),
    **dict.fromkeys(("removal_needs_vote", "removal_needs_decision"), "removal"),
    **dict.fromkeys(("correct_target", "correct_field"), "log"),
    **dict.fromkeys(("previous_membership_dates", "record_cleared_before_admission", "readmission_not_in_rules",
                     "readmission_barred", "readmission_once", "readmission_too_soon",
                     "readmission_record_not_cleared", "readmission_too_soon_after_record",
                     "readmission_consent_missing", "readmission_consent_after_decision"), "readmission"),
    **dict.fromkeys(("transfer_same_org", "transfer_pending", "transfer_not_sent", "transfer_received_before_sent",
                     "transfer_received_elsewhere", "review_transfer_pending", "review_by_sending_branch"),
                    "transfer"),
    **dict.fromkeys(("extension_deadline_not_open", "extension_once", "extension_too_long"), "extension"),
    **dict.fromkeys(("step_not_allowed", "candidate_not_found", "import_header_missing", "import_date_invalid",
                     "import_value_invalid", "import_fields_without_date", "import_duplicate_candidate",
                     "import_already_imported", "import_file_unreadable", "import_no_sheet"), "import"),
    **dict.fromkeys(("restructure_required_missing", "restructure_cell_missing", "restructure_cell_unused",
                     "restructure_part_invalid", "restructure_part_twice", "restructure_header_missing",
                     "restructure_no_sheet", "restructure_no_rows", "restructure_file_unreadable"),
                    "organisations"),
    **dict.fromkeys(("history_org_unknown", "history_period_outside_org", "history_period_not_over",
                     "history_count_negative", "history_count_too_large", "history_category_unknown",
                     "history_part_above_total", "history_source_missing", "history_overlap",
                     "history_overlaps_recorded", "history_record_not_found", "history_period_invalid",
                     "history_reason_missing", "history_file_empty", "history_column_unknown",
                     "history_column_missing", "history_cell_missing", "history_count_invalid",
                     "history_committee_only"), "history"),
    **dict.fromkeys(("plan_target_unknown", "plan_target_over_total"), "plans"),
}


def examples() -> dict[str, dict[str, Any]]:
    """Sample parameters of every rule's sentences, as the guards pass them: shown on /rules as an example and
    rendered by the tests, which look for ISO dates, field keys and English words in the Vietnamese."""
    d1, d2, d3 = date(2025, 3, 14), date(2026, 1, 15), date(2099, 1, 15)
    yes_no = [labels.option("residence"), labels.option("mass_organisations")]
    return {
        "field_missing": {"field": "probation_helper"},
        "field_invalid": {"field": "conclusion", "detail": Said("chỉ nhận một trong các giá trị: “Đạt”, “Không đạt”",
                                                                "Input should be 'cleared' or 'not_cleared'")},
        "field_unknown": {"field": "helpr", "step": labels.step("assign_helper")},
        "text_line_break": {"field": "full_name", "char": "U+000A", "position": 7},
        "text_control_character": {"field": "full_name", "char": "U+001B", "position": 3},
        "text_bidi_character": {"field": "full_name", "char": "U+202E", "position": 2},
        "text_invisible": {"field": "full_name"},
        "name_without_letter": {"field": "helper"},
        "date_in_future": {"field": "on", "value": d3, "today": d2},
        "date_before_identified": {"field": "on", "value": d1, "identified_on": d2},
        "org_not_found": {"field": "org", "org": "CB-99"},
        "org_not_branch": {"field": "org", "org": "DU-XA", "level": labels.level("commune")},
        "certificate_issued_in_future": {"field": "issued_on", "issued_on": d3},
        "introducer_count": {"field": "introducers", "count": 1, "resolution": Said("không có", "-")},
        "introducer_not_official": {"field": "introducers[0].official_since", "name": "Nguyễn Văn A", "on": d1,
                                    "since": d2},
        "introducer_months_together": {"field": "introducers[1].months_together", "name": "Trần Thị B",
                                       "months": 8, "minimum": 12},
        "comment_sources": {"value": "hàng xóm"},
        "vote_counts": {"field": "in_favour", "in_favour": 10, "members": 9,
                        "denominator": Said("số cấp ủy viên", "committee members")},
        "vote_needs_comments": {"missing": yes_no},
        "decision_vote_incomplete": {"field": "in_favour"},
        "decision_vote_not_passed": {"field": "in_favour", "in_favour": 5, "members": 9, "threshold": "2/3"},
        "decision_needs_vote": {"field": "committee_members", "threshold": "2/3"},
        "vote_present": {"field": "present", "present": 12, "members": 10},
        "vote_none_convened": {"field": "temporarily_elsewhere", "elsewhere": 3, "exempted_absent": 2, "members": 5},
        "vote_convened": {"field": "convened", "convened": 20, "members": 20, "elsewhere": 1, "exempted_absent": 2,
                          "expected": 17},
        "vote_attendance": {"field": "against", "in_favour": 8, "against": 3, "room": 10},
        "vote_before_dossier": {"field": "on", "on": d1, "previous": labels.step("collect_comments"),
                                "previous_on": d2, "what_vi": "tổng hợp nhận xét (mẫu 5-KNĐ)",
                                "what_en": "the summary of comments (form 5-KNĐ)"},
        "dated_before_last_step": {"field": "on", "on": d1, "previous": labels.step("collect_comments"),
                                   "previous_on": d2},
        "comments_missing": {"missing": yes_no[:1]},
        "age_minimum": {"field": "birth_date", "on": d1, "years": 17, "months": 11, "minimum": 18},
        "age_maximum": {"field": "consent_ref", "on": d1, "maximum": 60},
        "education_minimum": {"field": "education", "education": labels.option("primary"),
                              "minimum": labels.option("lower_secondary")},
        "certificate_expired": {"field": "certificate", "issued_on": date(2020, 1, 10), "valid": 60,
                                "expires": date(2025, 1, 10), "on": d1},
        "vote_before_previous": {"field": "on", "on": d1, "previous": labels.step("branch_vote"),
                                 "previous_on": d2},
        "branch_vote_not_passed": {"threshold": "2/3"},
        "committee_vote_not_passed": {"threshold": "2/3"},
        "decided_by_not_competent": {"field": "decided_by", "decided_by": "DU-A", "competent": "DU-XA"},
        "received_before_decision": {"field": "received_on", "received_on": d1, "on": d2},
        "ceremony_before_decision": {"field": "on", "on": d1, "received_on": d2},
        "review_before_probation_end": {"field": "on", "on": d1, "ends_on": d2},
        "recognition_needs_review_vote": {"threshold": "2/3"},
        "recognition_needs_committee_review": {"threshold": "2/3"},
        "removal_needs_vote": {"field": "reason", "threshold": "2/3"},
        "removal_needs_decision": {"field": "decision_no"},
        "correct_target": {"field": "corrects", "version": 12},
        "previous_membership_dates": {"field": "previous_membership.left_on", "left_on": d1, "admitted_on": d2},
        "record_cleared_before_admission": {"field": "previous_membership.record_cleared_on",
                                            "record_cleared_on": d1, "admitted_on": d2},
        "readmission_not_in_rules": {"field": "previous_membership"},
        "readmission_barred": {"field": "previous_membership.left_reason",
                               "reason": labels.option("abandoned_activities")},
        "readmission_once": {"field": "previous_membership.readmitted_before"},
        "readmission_too_soon": {"field": "previous_membership.left_on", "left_on": date(2022, 4, 1), "on": d1,
                                 "months": 35, "minimum": 36, "eligible_on": date(2025, 4, 1)},
        "readmission_record_not_cleared": {"field": "previous_membership.record_cleared_on"},
        "readmission_too_soon_after_record": {"field": "previous_membership.record_cleared_on",
                                              "record_cleared_on": date(2020, 4, 1), "on": d1, "months": 59,
                                              "minimum": 60, "eligible_on": date(2025, 4, 1)},
        "readmission_consent_missing": {"field": "readmission_consent"},
        "readmission_consent_after_decision": {"field": "readmission_consent.signed_on", "signed_on": d2, "on": d1},
        "correct_field": {"field": "fields.helpr", "step": labels.step("assign_helper")},
        "transfer_same_org": {"field": "to_org", "org": "CB-01"},
        "transfer_pending": {"field": "to_org", "org": "CB-02", "on": d1},
        "transfer_not_sent": {},
        "transfer_received_before_sent": {"field": "on", "on": d1, "sent_on": d2},
        "transfer_received_elsewhere": {"field": "to_org", "org": "CB-03", "to_org": "CB-02"},
        "review_transfer_pending": {"org": "CB-02", "on": d1},
        "review_by_sending_branch": {"org": "CB-01", "to_org": "CB-02"},
        "extension_deadline_not_open": {"field": "deadline", "deadline": labels.option("admission_decision")},
        "extension_once": {"field": "deadline", "deadline": labels.option("recognition_decision"),
                           "extended_on": d1, "due_on": d2},
        "extension_too_long": {"field": "extra_working_days", "days": 31,
                               "deadline": labels.option("admission_decision"), "maximum": 30},
        "step_not_allowed": {"field": "step", "step": labels.step("introduce"), "stage": labels.stage("mentored"),
                             "allowed": [labels.step("enrol_training"), labels.step("drop")]},
        "candidate_not_found": {"candidate": "973b42516461"},
        "import_header_missing": {"sheet": "Danh sách", "header": "Họ và tên"},
        "import_date_invalid": {"header": "Ngày sinh", "value": "31/02/2001"},
        "import_value_invalid": {"header": "Giới tính", "value": "X", "allowed": "Nam, Nữ"},
        "import_fields_without_date": {"header": "Số quyết định", "date_header": "Ngày quyết định kết nạp"},
        "import_duplicate_candidate": {"field": "full_name", "name": "Nguyễn Văn A", "birth_date": date(2001, 5, 2),
                                       "org": "CB-01", "where": "ở dòng 4 của tệp", "where_en": "in row 4 of the file"},
        "import_already_imported": {"sha256": "9f86d081884c", "recorded_at": "06/12/2026 09:30"},
        "import_file_unreadable": {"reason": "tệp không phải là .xlsx"},
        "import_no_sheet": {"header": "Họ và tên"},
        "plan_target_unknown": {"field": "targets", "key": "bank", "known": "women, student, enterprise"},
        "plan_target_over_total": {"field": "targets", "key": "enterprise", "heading": "Trong doanh nghiệp",
                                   "target": 110, "total": 100},
        "restructure_required_missing": {"header": "Mã tổ chức"},
        "restructure_cell_missing": {"header": "Hợp nhất vào", "change": "hợp nhất", "change_en": "merged"},
        "restructure_cell_unused": {"header": "Tên mới", "change": "giải thể", "change_en": "dissolved"},
        "restructure_part_invalid": {"value": "CB-01 CB-02"},
        "restructure_part_twice": {"part": "CB-01", "code": "DU-A", "row": 3},
        "restructure_header_missing": {"sheet": "Thay đổi", "header": "Mã tổ chức"},
        "restructure_no_sheet": {"header": "Mã tổ chức", "header2": "Loại thay đổi"},
        "restructure_file_unreadable": {"reason": "tệp không phải là .xlsx"},
        **_history_examples(),
    }


def _history_examples() -> dict[str, dict[str, Any]]:
    start, end = date(2008, 1, 1), date(2015, 12, 31)
    return {
        "history_org_unknown": {"field": "org", "org": "DU-KDN"},
        "history_period_outside_org": {"field": "period", "org": "DU-KDN", "start": start, "end": end,
                                       "existed": Said("từ 01/01/2010 đến nay", "from 2010-01-01 until now")},
        "history_period_not_over": {"field": "period", "end": date(2026, 12, 31), "today": date(2026, 12, 7)},
        "history_count_negative": {"field": "admitted", "value": -5},
        "history_count_too_large": {"field": "admitted", "value": 36720000, "limit": 10000000},
        "history_category_unknown": {"field": "categories", "category": "nu",
                                     "allowed": Said("Nữ, Dân tộc thiểu số", "women, ethnic_minority")},
        "history_part_above_total": {"field": "categories", "part": Said("Nữ", "women"), "value": 400,
                                     "admitted": 350},
        "history_source_missing": {"field": "source"},
        "history_overlap": {"field": "period", "org": "CB-01", "other_org": "DU-KDN", "other": "2008-2015",
                            "entry": Said("lần ghi #1", "entry #1"), "start": date(2015, 1, 1), "end": end},
        "history_overlaps_recorded": {"field": "period", "org": "DU-KDN", "count": 12, "start": start, "end": end},
        "history_record_not_found": {"field": "version", "org": "DU-KDN", "version": 3},
        "history_period_invalid": {"field": "period", "value": "2008..2015"},
        "history_reason_missing": {"field": "reason"},
        "history_file_empty": {"field": "file", "file": "so-lieu.csv"},
        "history_column_unknown": {"field": "file", "column": "Số lượng"},
        "history_column_missing": {"field": "file", "column": "Nguồn số liệu"},
        "history_cell_missing": {"field": "source", "column": "Nguồn số liệu"},
        "history_count_invalid": {"field": "admitted", "value": "ba trăm"},
        "history_committee_only": {},
    }
