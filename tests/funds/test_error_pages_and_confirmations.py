"""403, 404 and 500 answer in the site's layout and language (403 with the rule's reason), and
irreversible one-click actions carry the summary the browser asks the user to confirm."""

from __future__ import annotations

import html

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from funds.models import Disbursement
from tests.funds.test_money_paths import _accept

pytestmark = pytest.mark.django_db


def test_403_is_a_chinese_page_in_the_layout_naming_the_reason(money, login):
    page = login(money["ngo"]).get(reverse("funds:ledger"))
    body = page.content.decode()
    assert page.status_code == 403
    assert 'class="topbar"' in body and "您无权进行此操作" in body
    assert "资金台账仅供民政部门和审计人员查看。" in body  # the permission function's own reason
    assert "返回工作台" in body


def test_404_is_a_chinese_page_in_the_layout(money, login):
    page = login(money["staff"]).get("/projects/999999/")
    body = page.content.decode()
    assert page.status_code == 404
    assert 'class="topbar"' in body and "页面不存在" in body


def test_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in body and "sanshe.css" in body


def test_paying_asks_to_confirm_the_amount_and_recipient(money, login):
    staff = login(money["staff"])
    milestone = money["final"]
    milestone._staff = money["staff"]
    _accept(staff, milestone, "90.00")
    staff.post(reverse("funds:request", args=[milestone.pk]))
    disbursement = Disbursement.objects.get(milestone=milestone)
    page = login(money["finance"]).get(reverse("funds:milestone", args=[milestone.pk]))
    body = html.unescape(page.content.decode())
    assert "js/confirm.js" in body
    assert "批准向武汉爱心天使社会工作服务中心支付¥143,400.00" in body
    assert f"须在{disbursement.due_by:%Y-%m-%d}前完成支付" in body
