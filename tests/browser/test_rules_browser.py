"""The rule reference in Chromium: /rules fits a phone at 360 and 390 px and a desktop, and a refusal's cited rule
links to its entry, which the browser scrolls into view (issue 17). Screenshots as in test_browser.py."""

from pathlib import Path
from typing import Any

from tests.browser.test_browser import Ui, browser, narrow_enough, server, shots  # noqa: F401 - fixtures

WIDTHS = (360, 390, 1366)


def test_the_rules_page_fits_every_width_and_a_refusal_links_to_its_rule(server: str, browser: Any,  # noqa: F811
                                                                          shots: Path) -> None:  # noqa: F811
    for width in WIDTHS:
        ui = Ui(browser.new_page(viewport={"width": width, "height": 844}, locale="vi-VN"), server, shots)
        ui.page.set_default_timeout(10_000)
        ui.login("kiemtra")
        ui.page.goto(f"{server}/rules#vote_counts")
        assert narrow_enough(ui.page) <= width, width
        assert "Số tán thành (10) lớn hơn số cấp ủy viên (9)." in ui.page.inner_text("#vote_counts")
        box = ui.page.locator("#vote_counts").bounding_box()
        assert box is not None and -1 <= box["y"] < 844, "the anchor scrolls the rule into view"
        if width == 390:  # the viewport at the anchor: the whole page is tens of thousands of pixels tall
            ui.page.screenshot(path=str(shots / "15-rules-phone.png"))
        ui.page.close()

    ui = Ui(browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN"), server, shots)
    ui.page.set_default_timeout(10_000)
    ui.login("bithu.gv")
    ui.page.goto(f"{server}/candidates")
    pages = [a.get_attribute("href") for a in ui.page.locator("table a[href^='/candidates/']").all()]
    target = None
    for href in pages:  # the first candidate whose next step still misses something, each reason citing its rule
        ui.page.goto(f"{server}{href}")
        cited = ui.page.locator(".missing a[href^='/rules#']")
        if cited.count():
            target = cited.first.get_attribute("href")
            cited.first.evaluate("a => { const d = a.closest('details'); if (d) d.open = true; }")  # the step's panel
            cited.first.click()
            break
    assert target, "some demo candidate has a next step with something missing"
    ui.page.wait_for_load_state()
    assert ui.page.url.endswith(target)
    assert ui.page.locator(f"article.rule[id='{target.split('#')[1]}']").count() == 1
    ui.page.close()
