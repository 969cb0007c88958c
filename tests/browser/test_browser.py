"""A real Chromium (Debian's package, driven by Playwright) against `ketnap serve --demo` on a free port.

A secretary records a new candidate's steps from identification to probation through the forms (the committee
office records its vote and decision in between), sees a refusal with its reason and the dashboard's due items;
an auditor replays the candidate as of a past date. Screenshots go to a temporary folder, or to
docs/screenshots/ with KETNAP_SCREENSHOTS=1 (how the README's pictures are made).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "ketnap-demo"  # workflow/demo.py

if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVE_ENV = {**os.environ, "KETNAP_SESSION_SECRET": "browser-test-secret-of-thirty-two-chars!"}


@contextmanager
def serving_demo(folder: Path, db: str, *options: str) -> Iterator[str]:
    """`ketnap serve --demo` on `db` in its own process, as a user would start it; yields its base URL once it
    answers, and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", db, "serve", "--demo",
               *options, "--port", str(port)]
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(command, cwd=folder, env=SERVE_ENV, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ketnap serve did not start:\n{(folder / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`ketnap serve --demo` on a temporary SQLite file, with its scheduler, as a user would start it."""
    folder = tmp_path_factory.mktemp("serve")
    with serving_demo(folder, f"sqlite:///{folder / 'ketnap.db'}") as base:
        assert "scheduler started" in (folder / "serve.log").read_text(), "the scheduler runs in the same process"
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("KETNAP_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


class Ui:
    """A signed-in tab and the few gestures a secretary makes."""

    def __init__(self, page: Any, base: str, shots: Path) -> None:
        self.page, self.base, self.shots = page, base, shots

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_selector("text=Đăng xuất")

    def logout(self) -> None:
        self.page.click("form[action='/logout'] button")
        self.page.wait_for_selector("input[name=username]")

    def fill(self, form: str, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            if isinstance(value, list):
                for item in value:
                    self.page.check(f"{form} input[name='{name}'][value='{item}']")
            elif self.page.locator(f"{form} select[name='{name}']").count():
                self.page.select_option(f"{form} select[name='{name}']", str(value))
            else:
                self.page.fill(f"{form} [name='{name}']", str(value))

    def record(self, step: str, on: date, fields: dict[str, Any] | None = None) -> None:
        """Open the step's panel, fill its form and submit; the page must confirm the step."""
        self.page.click(f"#step-{step} summary")
        self.fill(f"#form-{step}", {"on": on.isoformat(), **(fields or {})})
        self.page.click(f"#form-{step} button[type=submit]")
        self.page.wait_for_load_state()
        assert self.page.locator("p.ok[role=status]").count() == 1, self.page.inner_text("main")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


def test_secretary_committee_and_auditor_work_through_the_browser(server: str, browser: Any, shots: Path) -> None:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the server's business dates are Vietnam's
    day = lambda n: today - timedelta(days=n)  # noqa: E731 - days before today
    ui = Ui(browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN"), server, shots)
    ui.page.set_default_timeout(10_000)
    ui.page.goto(f"{server}/login")
    ui.shot("01-login")

    ui.login("bithu.gv")
    assert ui.page.locator("#due tbody tr").count() >= 1, "the demo branch has deadlines due this month"
    ui.shot("02-dashboard")

    ui.page.click("header a[href='/candidates']")
    ui.page.click("a.button[href='/candidates/new']")
    ui.fill("#form-identify", {"on": day(400).isoformat(), "org": "CB-GV", "full_name": "Trương Thị Ngọc Ánh",
                               "birth_date": "2001-04-30", "sex": "F", "education": "university"})
    ui.page.click("#form-identify button[type=submit]")
    ui.page.wait_for_selector("p.ok[role=status]")
    candidate_url = ui.page.url.split("?")[0]
    ui.record("assign_helper", day(390), {"helper": "Phạm Văn Bình"})
    ui.record("enrol_training", day(360), {"class_name": "Lớp bồi dưỡng nhận thức về Đảng khóa 3"})
    ui.record("certify_training", day(340), {"certificate_no": "NTVĐ-0999", "issued_on": day(345).isoformat()})
    ui.record("submit_application", day(330))
    ui.record("declare_history", day(325))
    ui.record("conclude_vetting", day(280), {"conclusion": "cleared", "certified_by": "Đảng ủy Trường THPT"})
    ui.record("introduce", day(270), {
        "introducers.0.name": "Lê Văn Cường", "introducers.0.official_since": "2008-05-19",
        "introducers.0.months_together": 24, "introducers.1.name": "Trần Thị Mỹ Dung",
        "introducers.1.official_since": "2012-09-02", "introducers.1.months_together": 18})
    ui.record("collect_comments", day(265), {"sources": ["residence", "mass_organisations"]})
    ui.record("branch_vote", day(250), {"official_members": 21, "in_favour": 19, "resolution_no": "07-NQ/CB"})
    assert ui.page.locator("#form-committee_vote").count() == 0, "a secretary does not record the committee vote"

    ui.logout()
    ui.login("danguy.xa")
    ui.page.goto(candidate_url)
    ui.record("committee_vote", day(240), {"committee_members": 9, "in_favour": 8})
    ui.record("decide_admission", day(220), {"decision_no": "301-QĐ/ĐU", "decided_by": "XA-TL",
                                             "received_on": day(217).isoformat()})
    ui.logout()

    ui.login("bithu.gv")
    ui.page.goto(candidate_url)
    ui.record("hold_ceremony", day(200), {"probation_helper": "Lê Văn Cường"})
    assert "Đảng viên dự bị" in ui.page.inner_text("h1")
    assert ui.page.inner_text("[data-key=probation_ends_on]") != "—"
    ui.shot("03-candidate")

    ui.page.click("#step-review_vote summary")
    ui.fill("#form-review_vote", {"on": today.isoformat(), "official_members": 22, "in_favour": 21,
                                  "recommendation": "recognise"})
    ui.page.click("#form-review_vote button[type=submit]")
    ui.page.wait_for_selector("#form-review_vote .refusal")
    reasons = ui.page.inner_text("#form-review_vote [data-field=on] .reason")
    assert "dự bị" in reasons, reasons
    ui.page.locator("#step-review_vote").scroll_into_view_if_needed()
    ui.page.screenshot(path=str(shots / "04-refusal.png"))

    ui.page.click("header a[href='/']")
    overdue = ui.page.inner_text("#overdue")
    assert "Trương Thị Ngọc Ánh" in overdue and "Hạn khai lý lịch đảng viên" in overdue
    ui.page.goto(f"{server}/candidates")
    ui.shot("05-candidates")
    ui.page.goto(f"{server}/procedure")
    ui.shot("06-procedure")
    ui.logout()

    ui.login("kiemtra")
    ui.page.click("header a[href='/audit']")
    ui.page.fill("input[name=q]", "truong thi ngoc anh")
    ui.page.click("form.search button[type=submit]")
    ui.page.click("text=Trương Thị Ngọc Ánh")
    ui.page.fill("input[name=as_of]", day(260).isoformat())
    ui.page.click("form.search button[type=submit]")
    ui.page.wait_for_selector("#timeline")
    assert "Đã thẩm tra lý lịch" in ui.page.inner_text("h2")
    assert ui.page.locator("#timeline li.event").count() == 9  # identify .. collect_comments
    assert "Không phát hiện sai lệch" in ui.page.inner_text("#verification")
    ui.shot("07-audit")
    ui.page.goto(f"{candidate_url}?lang=en")
    assert "Probationary member" in ui.page.inner_text("h1")
    ui.page.goto(f"{server}/docs")
    ui.page.wait_for_selector(".opblock-summary-path")  # Swagger UI, served locally, lists the routes
    assert "/api/candidates/{candidate_id}/steps" in ui.page.inner_text(".swagger-ui")
    ui.shot("08-api-docs")
    ui.page.close()



def narrow_enough(page: Any) -> int:
    """The page's width: wider than the viewport means sideways scrolling on a phone."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_restructured_tree_reads_as_of_a_date_an_admin_changes_it_and_it_fits_a_phone(
        server: str, browser: Any, shots: Path) -> None:
    """The demo's 2025 restructuring (district HUYEN-HH dissolved, two communes merged into XA-TP, a village branch
    into another) as the organisation pages show it; an admin of the province records one more change through the
    form and is refused a cycle with its rule; an auditor reads it all on a 390 px phone."""
    ui = Ui(browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN"), server, shots)
    ui.page.set_default_timeout(10_000)
    ui.login("quantri")
    ui.page.goto(f"{server}/orgs?as_of=2025-06-30")
    assert "Đang hoạt động" in ui.page.inner_text("tr[data-code=HUYEN-HH]")
    ui.page.fill("#as-of input[name=as_of]", "2025-07-01")
    ui.page.click("#as-of button[type=submit]")
    assert "Đã giải thể" in ui.page.inner_text("tr[data-code=HUYEN-HH]")
    merged = ui.page.inner_text("tr[data-code=XA-TLIEN]")
    assert "Đã hợp nhất" in merged and "XA-TP" in merged
    ui.page.goto(f"{server}/orgs")
    ui.shot("10-organisations")

    decision = {"on": "2026-01-01", "decision": "12-QĐ/ĐU", "issuer": "Đảng ủy xã Tân Lập"}
    ui.page.goto(f"{server}/orgs/CB-HS")
    ui.fill("#org-change", {**decision, "kind": "renamed", "code": "CB-HS", "name": "Chi bộ Học sinh"})
    ui.page.click("#org-change button[type=submit]")
    ui.page.wait_for_selector("p.ok[role=status]")
    assert "Chi bộ Học sinh" in ui.page.inner_text("h1")
    ui.fill("#org-change", {**decision, "kind": "moved", "code": "DU-THPT", "parent": "CB-HS"})
    ui.page.click("#org-change button[type=submit]")
    assert ui.page.locator("#change .refusal li[data-rule=org_move_cycle]").count() == 1
    ui.page.close()

    phone = Ui(browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN"), server, shots)
    phone.page.set_default_timeout(10_000)
    phone.login("kiemtra")
    phone.page.goto(f"{server}/candidates?q=kieu+thi+mai")
    phone.page.click("text=Kiều Thị Mai")
    assert "CB-TH" in phone.page.inner_text("#branch-now") and "CB-LP" in phone.page.inner_text("#timeline")
    widths = {"candidate": narrow_enough(phone.page)}
    for path in ["/orgs", "/orgs/HUYEN-HH", "/candidates", "/orgs/XA-TLIEN", "/orgs/XA-TP"]:
        phone.page.goto(f"{server}{path}")
        widths[path] = narrow_enough(phone.page)
    assert all(w <= 390 for w in widths.values()), widths
    assert "XA-TLIEN" in phone.page.inner_text("#predecessors") and phone.page.locator("#org-change").count() == 0
    phone.shot("11-organisation-phone")
    phone.page.close()


def test_a_secretary_downloads_a_document_and_another_branch_gets_404(server: str, browser: Any, shots: Path,
                                                                     tmp_path: Path) -> None:
    """Issue 12: the 'Tải văn bản' link next to a recorded step gives the Word file of its form, filled in from the
    log; a secretary of another branch is answered as if the candidate did not exist."""
    from docx import Document as Word

    ui = Ui(browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True),
            server, shots)
    ui.page.set_default_timeout(10_000)
    ui.login("bithu.gv")
    ui.page.goto(f"{server}/candidates?q=ho+thi+lan")
    ui.page.click("text=Hồ Thị Lan")
    ui.page.wait_for_selector("#timeline")
    candidate_url = ui.page.url.split("?")[0]
    link = ui.page.locator("li.event-branch_vote p.paper a").first
    assert "Tải văn bản 6-KNĐ" in link.inner_text()
    with ui.page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.endswith(".docx") and "-6-knd-v" in saved.name
    text = "\n".join(p.text for p in Word(str(saved)).paragraphs)
    assert "Hồ Thị Lan" in text and "NGHỊ QUYẾT" in text and "{{" not in text
    blanks = ui.page.inner_text("li.event-branch_vote p.paper")
    assert "Để trống, điền tay" in blanks and "số có mặt" in blanks, "the page names the facts the log lacks"
    ui.page.locator("li.event-branch_vote").screenshot(path=str(shots / "14-document-link.png"))
    href = link.get_attribute("href")
    assert href is not None
    ui.logout()

    ui.login("bithu.hs")
    assert ui.page.goto(f"{server}{href}").status == 404
    assert ui.page.goto(candidate_url).status == 404


PHONE_PAGES = ["/", "/candidates", "/reports/admissions", "/procedure"]


def wider_than(page: Any, width: int) -> list[str]:
    """The elements that stick out of the screen, to say what to fix when a page is too wide."""
    return list(page.evaluate("""(w) => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > w + 0.5).slice(0, 6)
        .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30))""", width))


def _in_view_and_focused(page: Any, selector: str) -> None:
    """The element is inside the viewport (its whole box) and has the keyboard focus."""
    box = page.locator(selector).bounding_box()
    view = page.viewport_size
    assert box is not None and -1 <= box["y"] and box["y"] + min(box["height"], view["height"]) <= view["height"], box
    assert page.evaluate("document.activeElement && document.activeElement.id") == selector.lstrip("#")


@pytest.mark.parametrize("width", [360, 390, 1366])
def test_every_page_fits_the_screen_and_a_long_history_reads_on_a_phone(server: str, browser: Any, shots: Path,
                                                                       width: int) -> None:
    """Issue 17, items 1 and 3: no sideways scrolling on the dashboard, the list, a candidate with 18 steps of
    history, the report and the procedure; the history's values sit under their labels, full width."""
    ui = Ui(browser.new_page(viewport={"width": width, "height": 844 if width < 800 else 900}, locale="en-US"),
            server, shots)
    ui.page.set_default_timeout(10_000)
    ui.login("bithu.gv")
    widths = {}
    for path in PHONE_PAGES:
        ui.page.goto(f"{server}{path}")
        widths[path] = narrow_enough(ui.page)
        assert widths[path] <= width, (path, widths[path], wider_than(ui.page, width))
    ui.page.goto(f"{server}/candidates?q=dang+thu+huong")
    ui.page.click("text=Đặng Thu Hương")
    assert ui.page.locator("#timeline li.event").count() >= 15, "the demo's official member has a long history"
    widths["candidate"] = narrow_enough(ui.page)
    assert all(w <= width for w in widths.values()), (widths, wider_than(ui.page, width))
    value = ui.page.locator("#timeline dl.payload dd").first.bounding_box()
    label = ui.page.locator("#timeline dl.payload dt").first.bounding_box()
    if width < 700:
        ui.shot(f"12-candidate-{width}")
    candidate = ui.page.url.split("?")[0].rsplit("/", 1)[1]
    ui.logout()
    ui.login("kiemtra")  # the auditor's as-of view has the same history
    year_ago = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - timedelta(days=365)  # the demo is dated from today
    ui.page.goto(f"{server}/audit?candidate={candidate}&as_of={year_ago:%d/%m/%Y}")
    assert ui.page.locator("#timeline li.event").count() >= 10
    assert narrow_enough(ui.page) <= width, wider_than(ui.page, width)
    if width < 700:
        assert value["y"] > label["y"] and value["width"] > width / 2, (label, value)  # under its label, wide
        ui.shot(f"15-audit-as-of-{width}")
    ui.page.goto(f"{server}/audit?verify=all")
    assert narrow_enough(ui.page) <= width, wider_than(ui.page, width)
    ui.page.goto(f"{server}/reports/admissions")  # a phone gets the tables; a desktop the charts
    assert ui.page.locator("#months-table").is_visible() is (width < 700)
    assert ui.page.locator("#chart-months").is_visible() is (width >= 700)
    if width < 700:
        assert not ui.page.locator("#chart-months").is_visible() and ui.page.locator("#months-table").is_visible()
    ui.page.close()


def test_a_step_lands_on_its_outcome_dates_read_dd_mm_and_a_correction_is_a_form(
        server: str, browser: Any, shots: Path) -> None:
    """Issue 17, items 1-3 and 7-9, on a 390 px phone whose browser speaks American English (mm/dd): a date typed
    10/11/2026 is 10 November; a refused step shows its reason in view and focused, with the form as filled; a
    recorded one lands on its confirmation; a correction made through the step's own inputs is a `correct` event
    naming only the changed value; a step on record is no longer offered; required inputs are `required`."""
    ui = Ui(browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US"), server, shots)
    ui.page.set_default_timeout(10_000)
    ui.login("bithu.gv")
    ui.page.goto(f"{server}/candidates/new")
    assert ui.page.locator("#form-identify input[name=full_name][required]").count() == 1
    assert ui.page.locator("#form-identify input[name=on]").get_attribute("type") == "text"
    ui.fill("#form-identify", {"on": "10/11/2026", "org": "CB-GV", "full_name": "Hà Thị Mười Một",
                               "birth_date": "30/04/2001", "sex": "F", "education": "university"})
    ui.page.click("#form-identify button[type=submit]")
    ui.page.wait_for_selector("p.ok[role=status]")
    _in_view_and_focused(ui.page, "#done")
    candidate = ui.page.url.split("?")[0].rsplit("/", 1)[1]
    stored = ui.page.request.get(f"{server}/api/candidates/{candidate}/history").json()
    first = stored["events"][0]
    assert first["on"] == "2026-11-10" and first["payload"]["birth_date"] == "2001-04-30", first

    ui.page.click("#step-assign_helper summary")
    assert ui.page.locator("#form-assign_helper input[name=helper][required]").count() == 1
    ui.page.click("#form-assign_helper button.cal")  # our own calendar, in the page's language
    assert ui.page.locator("#form-assign_helper .datepick button.day").count() >= 28
    ui.page.keyboard.press("Escape")
    on = ui.page.locator("#form-assign_helper input[name=on]")
    on.fill("hôm qua")
    assert on.evaluate("e => e.validity.patternMismatch"), "the browser itself asks for dd/mm/yyyy"
    ui.fill("#form-assign_helper", {"on": "01/11/2026", "helper": "Phạm Văn Bình"})  # before identification
    assert not on.evaluate("e => e.validity.patternMismatch")
    ui.page.click("#form-assign_helper button[type=submit]")
    ui.page.wait_for_selector("#form-assign_helper .refusal")
    _in_view_and_focused(ui.page, "#outcome")
    assert ui.page.input_value("#form-assign_helper input[name=helper]") == "Phạm Văn Bình"
    assert ui.page.input_value("#form-assign_helper input[name=on]") == "01/11/2026"
    ui.page.screenshot(path=str(shots / "13-refusal-phone.png"))

    ui.fill("#form-assign_helper", {"on": "31/02/2026"})
    ui.page.click("#form-assign_helper button[type=submit]")
    ui.page.wait_for_selector("#form-assign_helper .refusal")
    assert "Ngày ghi trên văn bản" in ui.page.inner_text("#outcome")  # the field's Vietnamese label, not `on`

    ui.fill("#form-assign_helper", {"on": "12/11/2026"})
    ui.page.click("#form-assign_helper button[type=submit]")
    ui.page.wait_for_selector("p.ok[role=status]")
    _in_view_and_focused(ui.page, "#done")
    assert ui.page.locator("#step-assign_helper").count() == 0

    ui.page.click("#step-correct summary")
    ui.page.select_option("#pick-correct select[name=correct]", "2")
    ui.page.click("#pick-correct button[type=submit]")
    assert ui.page.input_value("#form-correct input[name='fields.helper']") == "Phạm Văn Bình"
    assert ui.page.input_value("#form-correct input[name='fields.on']") == "12/11/2026"
    assert narrow_enough(ui.page) <= 390, wider_than(ui.page, 390)
    ui.fill("#form-correct", {"fields.helper": "Phạm Văn Bính", "reason": "Gõ nhầm tên"})
    ui.shot("14-correction-phone")
    ui.page.click("#form-correct button[type=submit]")
    ui.page.wait_for_selector("p.ok[role=status]")
    events = ui.page.request.get(f"{server}/api/candidates/{candidate}/history").json()["events"]
    last = events[-1]
    assert last["type"] == "correct" and last["payload"]["corrects"] == 2, last
    assert last["payload"]["fields"] == {"helper": "Phạm Văn Bính"} and last["payload"]["reason"] == "Gõ nhầm tên"
    ui.page.close()


def test_an_introducer_is_added_as_a_row_in_a_correction(server: str, browser: Any, shots: Path) -> None:
    """Issue 17, item 7: lists get add-a-row inputs, not JSON; a refused form comes back with the added row; the
    correction sends the whole corrected list and nothing else."""
    ui = Ui(browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN"), server, shots)
    ui.page.set_default_timeout(10_000)
    ui.login("bithu.gv")
    ui.page.goto(f"{server}/candidates?q=dang+thu+huong")
    ui.page.click("text=Đặng Thu Hương")
    candidate = ui.page.url.split("?")[0].rsplit("/", 1)[1]
    events = ui.page.request.get(f"{server}/api/candidates/{candidate}/history").json()["events"]
    version = next(e["version"] for e in events if e["type"] == "introduce")
    ui.page.goto(f"{server}/candidates/{candidate}?correct={version}")
    assert ui.page.locator("#form-correct textarea").count() == 0, "no JSON to write"
    assert ui.page.locator("#form-correct fieldset.group[data-group^='fields.introducers.']").count() == 2
    ui.page.click("#form-correct button[data-add-row]")
    ui.fill("#form-correct", {"fields.introducers.2.name": "Ngô Văn Ba", "fields.introducers.2.official_since":
                              "01/01/2010", "fields.introducers.2.months_together": 36,
                              "reason": "Bỏ sót người giới thiệu thứ ba"})
    ui.page.click("#form-correct button[type=submit]")
    ui.page.wait_for_selector("#outcome")  # G6: two introducers, not three; the added row was read
    assert "hiện có 3 người" in ui.page.inner_text("#outcome")
    assert ui.page.input_value("#form-correct input[name='fields.introducers.2.name']") == "Ngô Văn Ba"
    ui.fill("#form-correct", {"fields.introducers.1.name": "", "fields.introducers.1.official_since": "",
                              "fields.introducers.1.months_together": ""})  # the third replaces the second
    ui.page.click("#form-correct button[type=submit]")
    ui.page.wait_for_selector("p.ok[role=status], #outcome")
    assert ui.page.locator("#outcome").count() == 0, ui.page.inner_text("#outcome")
    last = ui.page.request.get(f"{server}/api/candidates/{candidate}/history").json()["events"][-1]
    assert last["type"] == "correct" and last["payload"]["corrects"] == version, last
    introducers = last["payload"]["fields"]["introducers"]
    assert list(last["payload"]["fields"]) == ["introducers"] and len(introducers) == 2, last
    assert introducers[1] == {"name": "Ngô Văn Ba", "official_since": "2010-01-01", "months_together": 36}
    ui.page.close()

def test_an_auditor_reads_who_saw_a_file_on_a_phone(server: str, browser: Any, shots: Path) -> None:
    """The access log (issue 11, item 7): the auditor's own view of a file is listed at /audit/access, reached from
    the navigation, one card per row at 390 px."""
    phone = Ui(browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN"), server, shots)
    phone.page.set_default_timeout(10_000)
    phone.login("kiemtra")
    phone.page.goto(f"{server}/candidates?q=kieu+thi+mai")
    phone.page.click("text=Kiều Thị Mai")
    candidate_id = phone.page.url.rstrip("/").split("/")[-1]
    phone.page.click("header nav a[href='/audit/access']")
    phone.page.fill("input[name=candidate]", candidate_id)
    phone.page.click("form.search button[type=submit]")
    card = phone.page.locator("#access-log tbody tr").first
    assert "Trang hồ sơ" in card.inner_text() and "kiemtra" in card.inner_text()
    assert "UTC+07:00" in card.locator("td").first.get_attribute("data-label")  # the time's label names the zone
    assert narrow_enough(phone.page) <= 390
    phone.shot("12-access-log-phone")
    phone.page.close()


def test_the_identify_form_offers_a_previous_membership_on_a_phone(server: str, browser: Any, shots: Path) -> None:
    """Issue 12, re-admission: the optional previous-membership inputs (labelled in Vietnamese, the reasons of
    leaving as a list) sit in the new-candidate form without widening it past 390 px."""
    phone = Ui(browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN"), server, shots)
    phone.page.set_default_timeout(10_000)
    phone.login("bithu.gv")
    phone.page.goto(f"{server}/candidates/new")
    for name in ("admitted_on", "left_on", "record_cleared_on"):
        assert phone.page.locator(f"input[name='previous_membership.{name}']").count() == 1, name
    reasons = phone.page.locator("select[name='previous_membership.left_reason'] option").all_inner_texts()
    assert "Tự ý bỏ sinh hoạt đảng" in reasons and "Bị xóa tên (lý do khác)" in reasons
    assert "Ngày ra khỏi Đảng" in phone.page.inner_text("main")
    assert narrow_enough(phone.page) <= 390, wider_than(phone.page, 390)
    phone.shot("12-identify-readmission-phone")
    phone.page.close()
