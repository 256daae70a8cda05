"""Each role's main pages at a phone's width (390 px): the menu wraps by whole words and no page
is wider than the screen (wide tables scroll inside their own box). Screenshots at phone and
desktop sizes go to artifacts/screenshots/ for a person to look at."""

import pytest

from tests.browser.conftest import log_in, open_window

pytestmark = pytest.mark.browser

PAGES = {
    "qj_staff": ["/", "/projects/", "/procurement/", "/funds/payments/", "/planning/"],
    "aixin": ["/", "/beneficiaries/", "/workforce/", "/supervision/"],
    "qj_finance": ["/funds/payments/", "/funds/ledger/"],
    "auditor": ["/funds/ledger/", "/evaluation/"],
    "assessor_lead": ["/", "/evaluation/"],
    None: ["/procurement/notices/", "/opendata/results/"],
}

# Widest element of the page and the tallest menu link (a link wrapped one character per line
# is many lines tall).
MEASURE = """() => {
  const links = [...document.querySelectorAll('.topbar nav a')];
  const lineHeight = parseFloat(getComputedStyle(document.body).lineHeight) || 24;
  return {
    page: document.documentElement.scrollWidth,
    screen: window.innerWidth,
    tallest: Math.max(0, ...links.map(a => a.getBoundingClientRect().height)),
    line: lineHeight,
  };
}"""


def test_pages_fit_a_phone(browser, live_server, demo, shot):
    # One demo load for every role: loading it per role would cost minutes.
    problems = []
    for user, paths in PAGES.items():
        page = open_window(browser, live_server.url, width=390, height=844)
        context = page.context
        try:
            if user:
                log_in(page, user)
            for i, path in enumerate(paths):
                response = page.goto(page.base + path)
                size = page.evaluate(MEASURE)
                if response.status != 200 or size["page"] > size["screen"]:
                    problems.append((user, path, response.status, size))
                if size["tallest"] > 2 * size["line"]:
                    problems.append((user, path, "menu link wraps", size))
                if i == 0:
                    name = user or "public"
                    shot(page, f"phone-{name}")
                    page.set_viewport_size({"width": 1280, "height": 900})
                    shot(page, f"desktop-{name}")
                    page.set_viewport_size({"width": 390, "height": 844})
        finally:
            context.close()
    assert problems == []
