"""Sessions end at once in a real Chromium (issue 11, break 2): signing out, changing one's password and being
deactivated each shut out a cookie that worked a moment before; a temporary password leads only to the
change-password page, which fits a 390 px phone. Against `ketnap serve --demo` in its own process, as in
test_browser.py, with the CLI run beside it on the same database."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_browser import ARGS, CHROMIUM, DEMO_PASSWORD, SERVE_ENV, narrow_enough, serving_demo

if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

NEW_PASSWORD = "chim sẻ đậu cành tre"  # noqa: S105 - a test password


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of `ketnap serve --demo` on a temporary SQLite file."""
    folder = tmp_path_factory.mktemp("serve-sessions")
    db = f"sqlite:///{folder / 'ketnap.db'}"
    with serving_demo(folder, db, "--no-scheduler") as base:
        yield base, db


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def ketnap(db: str, *args: str) -> str:
    """The CLI, as an operator would run it beside the server."""
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", db, *args],
                          env=SERVE_ENV, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def tab(chromium: Any, width: int = 1280) -> Any:
    """A page in a context of its own: its own cookie jar, like another browser."""
    page = chromium.new_context(viewport={"width": width, "height": 844}, locale="vi-VN").new_page()
    page.set_default_timeout(10_000)
    return page


def sign_in(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("text=Đăng xuất")


def shut_out(page: Any, base: str) -> bool:
    """The page's session no longer counts: the dashboard sends to the sign-in form."""
    page.goto(f"{base}/")
    return page.url.startswith(f"{base}/login") and page.locator("input[name=username]").count() == 1


def test_signing_out_ends_the_session_a_copied_cookie_included(served: tuple[str, str], chromium: Any) -> None:
    base, _ = served
    page = tab(chromium)
    sign_in(page, base, "bithu.gv")
    copied = page.context.cookies()
    page.click("form[action='/logout'] button")
    page.wait_for_selector("input[name=username]")

    other = tab(chromium)
    other.context.add_cookies(copied)
    assert shut_out(other, base), "the cookie from before the sign-out is refused"


def test_a_password_change_on_a_phone_ends_the_other_session_at_once(served: tuple[str, str],
                                                                      chromium: Any) -> None:
    base, _ = served
    phone, laptop = tab(chromium, 390), tab(chromium)
    sign_in(phone, base, "bithu.hs")
    sign_in(laptop, base, "bithu.hs")
    phone.click("header a[href='/password']")
    assert narrow_enough(phone) <= 390
    for name, value in (("current_password", DEMO_PASSWORD), ("new_password", "aaaaaaaaaa"),
                        ("new_password_again", "aaaaaaaaaa")):
        phone.fill(f"input[name={name}]", value)
    phone.click("form[action='/password'] button[type=submit]")
    assert "cần ít nhất" in phone.inner_text("#password-problem"), "a weak password is refused with its reason"
    assert narrow_enough(phone) <= 390

    for name, value in (("current_password", DEMO_PASSWORD), ("new_password", NEW_PASSWORD),
                        ("new_password_again", NEW_PASSWORD)):
        phone.fill(f"input[name={name}]", value)
    phone.click("form[action='/password'] button[type=submit]")
    phone.wait_for_selector("text=Đã đổi mật khẩu")

    assert shut_out(laptop, base), "the other session ended with the change"
    phone.goto(f"{base}/")
    assert phone.url == f"{base}/", "the session that changed it goes on"


def test_deactivation_ends_an_open_session_at_once(served: tuple[str, str], chromium: Any) -> None:
    base, db = served
    page = tab(chromium)
    sign_in(page, base, "danguy.xa")

    ketnap(db, "user", "deactivate", "danguy.xa")

    assert shut_out(page, base)
    page.fill("input[name=username]", "danguy.xa")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    assert "Sai tên đăng nhập" in page.inner_text("main")


def test_a_temporary_password_leads_only_to_the_change_password_page(served: tuple[str, str],
                                                                      chromium: Any) -> None:
    base, db = served
    temporary = ketnap(db, "user", "password", "kiemtra").rsplit(": ", 1)[1].strip()
    phone = tab(chromium, 390)
    sign_in(phone, base, "kiemtra", temporary)
    assert phone.url == f"{base}/password" and "mật khẩu tạm thời" in phone.inner_text("main")
    phone.goto(f"{base}/candidates")
    assert phone.url == f"{base}/password", "nothing else is open until the password is the user's own"
    assert narrow_enough(phone) <= 390

    for name, value in (("current_password", temporary), ("new_password", NEW_PASSWORD),
                        ("new_password_again", NEW_PASSWORD)):
        phone.fill(f"input[name={name}]", value)
    phone.click("form[action='/password'] button[type=submit]")
    phone.wait_for_selector("text=Đã đổi mật khẩu")
    phone.goto(f"{base}/candidates")
    assert phone.url == f"{base}/candidates"
