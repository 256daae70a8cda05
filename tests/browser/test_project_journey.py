"""Bureau staff log in from the demo list, create a project, approve it; what a person sees."""

import pytest

from tests.browser.conftest import go, log_in

pytestmark = pytest.mark.browser


def test_login_page_lists_demo_accounts(page, demo, shot):
    page.goto(page.base + "/accounts/login/")
    text = page.inner_text("body")
    assert "演示账号" in text
    for username in ["qj_staff", "qj_finance", "aixin", "expert1", "assessor_lead", "auditor"]:
        assert username in text
    shot(page, "01-login")


def test_bureau_staff_create_and_approve_a_project(page, demo, shot):
    log_in(page, "qj_staff")
    assert "工作台" in page.inner_text("h1")
    shot(page, "02-workbench-bureau-staff")
    go(page, "nav >> text=项目")
    go(page, "text=新建项目")
    page.fill("#id_title", "潜江市困境儿童关爱服务项目")
    page.select_option("#id_category", "children_in_difficulty")
    page.fill("#id_region", "湖北省潜江市")
    page.fill("#id_budget", "300000.00")
    page.select_option("#id_fund_source", "welfare_lottery")
    page.fill("#id_period_start", "2027-03-01")
    page.fill("#id_period_end", "2028-02-28")
    page.fill("#id_performance_targets", "服务困境儿童不少于300人；个案不少于30个。")
    page.select_option("#id_targets-0-category", "child_in_difficulty")
    page.fill("#id_targets-0-count", "300")
    shot(page, "03-project-form")
    invalid = page.evaluate(
        "[...document.querySelectorAll('form.card :invalid')].map(e => e.name + ': ' + e.validationMessage)"
    )
    assert invalid == [], invalid
    with page.expect_navigation():
        page.click("button:has-text('保存')")
    assert "已保存为草稿" in page.inner_text(".messages")
    assert "¥300,000.00" in page.inner_text("main")
    with page.expect_navigation():
        page.click("button:has-text('立项')")
    assert "项目已立项" in page.inner_text(".messages")
    assert "已立项" in page.inner_text("h1")
    timeline = page.inner_text(".timeline")
    assert "草稿" in timeline and "已立项" in timeline
    shot(page, "04-project-approved")
