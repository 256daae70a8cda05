"""Each role's main step in real Chromium on the demo data, checking what a person would see."""

import os

import pytest
from django.core.management import call_command

from tests.browser.conftest import go, log_in

pytestmark = pytest.mark.browser


def test_ngo_submits_a_sealed_bid(page, demo, shot):
    log_in(page, "yangguang")
    page.goto(page.base + "/procurement/notices/")
    go(page, "text=监利县老人儿童快乐之家运营服务项目")
    shot(page, "10-public-notice")
    page.goto(page.base + "/procurement/")
    go(page, "text=监利县老人儿童快乐之家运营服务项目")
    go(page, "text=修改我的投标")
    page.fill("#id_price", "338000.00")
    page.fill(
        "#id_technical_proposal",
        "快乐之家运营与志愿者培育（修订）：每周开放5天，每所配备1名持证社工。",
    )
    with page.expect_navigation():
        page.click("button:has-text('递交密封投标')")
    message = page.inner_text(".messages")
    assert "投标已收到" in message and len(message.split("：")[-1].strip()) == 64
    body = page.inner_text("main")
    assert "密封" in body  # the other bidder's price stays sealed for us too
    shot(page, "11-ngo-bid-receipt")


def test_bureau_sees_ranking_and_panel_report(page, demo, shot):
    log_in(page, "qj_staff")
    page.goto(page.base + "/procurement/")
    go(page, "text=“携手成长、守护阳光”关爱农村留守儿童保护项目")
    body = page.inner_text("main")
    assert "得分与排序" in body and "武汉爱心天使社会工作服务中心" in body and "已签约" in body
    shot(page, "12-tender-ranking")


def test_finance_records_the_midterm_payment(page, demo, shot):
    # Segregation of duties: finance approves, the cashier records the payment.
    from django.utils import timezone

    log_in(page, "qj_cashier")
    assert "待登记支付" in page.inner_text("main")
    shot(page, "13-workbench-finance")
    go(page, "text=待登记支付")
    page.fill("input[name=voucher_number]", "QJ-2027-0042")
    # Paid on or after the approval, never in the future: today.
    page.fill("input[name=paid_on]", timezone.localdate().isoformat())
    with page.expect_navigation():
        page.click("button:has-text('登记支付')")
    assert "支付已登记" in page.inner_text(".messages")
    body = page.inner_text("main")
    assert "已支付" in body and "¥191,200.00" in body and "QJ-2027-0042" in body
    shot(page, "14-milestone-paid")


def test_auditor_verifies_and_exports_the_ledger(page, demo, shot):
    log_in(page, "auditor")
    page.goto(page.base + "/funds/ledger/")
    # The verification is a background job: queued from the page, run by the worker, and its
    # verdict shown on the page.
    go(page, "button:has-text('校验哈希链')")
    assert "台账哈希链校验" in page.inner_text("main")
    with open(os.devnull, "w") as sink:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=sink, stderr=sink)
    page.goto(page.base + "/funds/ledger/")
    assert "哈希链校验通过" in page.inner_text("main")
    shot(page, "15-ledger-verified")
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    assert text.startswith("序号,时间（含时区）,事项") and "预算下达" in text


def test_assessor_lead_sees_the_evaluation(page, demo, shot):
    log_in(page, "assessor_lead")
    page.goto(page.base + "/evaluation/")
    body = page.inner_text("main")
    assert "携手成长" in body or "江陵" in body
    shot(page, "16-evaluations-assessor")


def test_public_reads_results_without_login(page, demo, shot):
    # The public page shows published evaluations only: publish the confirmed demo results.
    from django.utils import timezone

    from evaluation.models import Evaluation

    Evaluation.objects.filter(state="confirmed").update(
        state="published", published_at=timezone.now()
    )
    page.goto(page.base + "/opendata/results/")
    body = page.inner_text("main")
    assert "84.50" in body and "良" in body
    shot(page, "17-public-results")
