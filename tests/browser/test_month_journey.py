"""A month in an NGO's life, in real Chromium on the demo data: a periodic report is due and
handed in, the bureau records a site visit and opens a rectification item, the notice arrives
in the NGO's inbox, the NGO hands in its evidence and the bureau closes the item (销号)."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from tests.browser.conftest import go, log_in, open_window

pytestmark = pytest.mark.browser

ITEM = "儿童之家活动签到表补齐监护人签字（浏览器旅程）"


def _png() -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buf, "PNG")
    return {"name": "现场照片.png", "mimeType": "image/png", "buffer": buf.getvalue()}


@pytest.fixture
def person(browser, live_server):
    """A browser context per person: each keeps their own session, as on two computers."""
    contexts = []

    def _open(username: str):
        page = open_window(browser, live_server.url)
        contexts.append(page.context)
        log_in(page, username)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_a_month_in_an_ngos_life(person, demo, shot):
    from procurement.models import Contract
    from supervision.models import ItemState, PeriodicReport, RectificationItem, SiteVisit

    # 0. Months pass: the contract has been in service for a hundred days (the demo's started
    # recently), and the bureau sets a monthly schedule, so last month's report falls due.
    contract = Contract.objects.get(number="HT-QJ-2026-001")
    start = timezone.localdate() - timezone.timedelta(days=100)
    Contract.objects.filter(pk=contract.pk).update(start_date=start)
    bureau = person("qj_staff")
    bureau.goto(bureau.base + f"/supervision/contracts/{contract.pk}/")
    bureau.select_option("#id_s-frequency", "monthly")
    bureau.fill("#id_s-days_to_report", "10")
    go(bureau, "button[name=schedule]")
    assert "报告" in bureau.inner_text(".messages")

    # 1. The NGO's 工作台: a periodic report is waiting; it is handed in from the contract page.
    ngo = person("aixin")
    assert "提交定期报告" in ngo.inner_text("main")
    shot(ngo, "40-ngo-workbench-report-due")
    go(ngo, ngo.locator("ul.todos a", has_text="提交定期报告").first)
    row = ngo.locator("tr.report-row", has=ngo.locator("form[action*='/submit/']")).first
    period = row.locator("td").first.inner_text()
    row.locator("textarea[name=summary]").fill("本月入户走访42户，新建“四卡一袋”档案12份。")
    go(ngo, row.locator("button:has-text('提交')"))
    assert "提交" in ngo.inner_text(".messages")
    report = PeriodicReport.objects.get(
        contract=contract,
        period_start=period.split("\u2013")[
            0
        ].strip(),  # the page writes the period with an en dash
    )
    assert report.state == "submitted"

    # 2. The bureau visits the site, records findings and a photo, and opens an item from it.
    bureau.goto(bureau.base + f"/supervision/contracts/{report.contract_id}/")
    today = timezone.localdate().isoformat()
    bureau.fill("#id_v-visited_on", today)
    bureau.fill("#id_v-place", "熊口镇龙湾村儿童之家")
    bureau.fill("#id_v-visitors", "潜江市民政局 王丽")
    bureau.fill("#id_v-findings", "活动签到表仍缺监护人签字2处。")
    bureau.set_input_files("#id_v-photos", [_png()])
    go(bureau, "button[name=visit]")
    assert "实地督导已记录" in bureau.inner_text(".messages")
    visit = SiteVisit.objects.filter(contract_id=report.contract_id).latest("id")
    assert visit.photos.count() == 1
    bureau.fill("#id_i-description", ITEM)
    bureau.fill("#id_i-owner", "李敏")
    bureau.fill("#id_i-deadline", (timezone.localdate() + timezone.timedelta(days=10)).isoformat())
    go(bureau, "button[name=item]")
    assert "整改事项已下达" in bureau.inner_text(".messages")
    item = RectificationItem.objects.get(description=ITEM)
    assert item.state == ItemState.OPEN
    shot(bureau, "41-bureau-visit-and-item")

    # 3. The notice is in the NGO's inbox; opening it leads to the item.
    ngo.goto(ngo.base + "/notifications/")
    notice = ngo.locator("tr.notification.unread", has_text="完成整改").first
    assert "请于" in notice.inner_text()
    shot(ngo, "42-ngo-inbox")
    go(ngo, notice.locator("button"))
    assert f"/supervision/contracts/{report.contract_id}/" in ngo.url

    # 4. The NGO hands in its evidence with a file.
    item_row = ngo.locator("tr.item-row", has_text=ITEM)
    item_row.locator("textarea[name=evidence]").fill("已补签并扫描归档，签到制度已修订。")
    item_row.locator("input[name=file]").set_input_files([_png()])
    go(ngo, item_row.locator("button:has-text('提交整改材料')"))
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED and item.evidence_file

    # 5. The bureau checks the evidence and closes the item.
    bureau.goto(bureau.base + f"/supervision/contracts/{report.contract_id}/")
    item_row = bureau.locator("tr.item-row", has_text=ITEM)
    assert item_row.locator("a:has-text('文件')").count() == 1
    go(bureau, item_row.locator("button[name=close]"))
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED and item.closed_at is not None
    assert bureau.locator("tr.item-row", has_text=ITEM).get_attribute("data-state") == "closed"
    shot(bureau, "43-bureau-item-closed")
