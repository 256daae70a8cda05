"""Real headless Chromium (Debian's package) driven by Playwright against a live test server.

Never downloads a browser: the executable is /usr/bin/chromium (or SANSHE_CHROMIUM). Screenshots
of each key page land in artifacts/screenshots/ for CI to keep.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SANSHE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls in
    # the test body are still synchronous, which Django allows once told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def open_window(browser, base: str, width: int = 1280, height: int = 1400):
    """A new browser window (its own context: its own session, as on another computer).

    Irreversible actions ask window.confirm(); the window answers yes and keeps what was asked
    in `window.confirmations`, so a test can check the summary the user read (Playwright would
    otherwise dismiss the question and the form would never be sent)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    window = context.new_page()
    window.set_default_timeout(10_000)
    window.base = base
    window.confirmations = []

    def _accept(dialog):
        window.confirmations.append(dialog.message)
        dialog.accept()

    window.on("dialog", _accept)
    return window


@pytest.fixture
def page(browser, live_server):
    window = open_window(browser, live_server.url)
    yield window
    window.context.close()


@pytest.fixture
def shot():
    """Save a screenshot of the (tall) viewport under artifacts/screenshots/<name>.png.

    Not full_page: with Debian's Chromium a full-page capture leaves the page unable to
    submit forms afterwards, so the viewport is made tall instead.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return _shot


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.management import call_command

    from tests.calendars import record_test_only_calendars

    settings.DEMO_MODE = True
    # The demo acts today; deadlines it sets may fall in a year not officially covered yet.
    record_test_only_calendars()
    with open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)


def log_in(page, username: str, password: str = "Sanshe@2026") -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url == page.base + "/", page.inner_text("body")[:500]


def go(page, target) -> None:
    """Click a link or a form's button (selector or locator) and wait for the page it leads to.

    Reading right after a bare click can read the page being left: its <h1>, <main> and
    .messages exist too, so the read succeeds on the wrong page (a flake CI met once)."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()
