"""Signing within 30 days of the award notice (checked at each signature), then the contract
notice within 2 working days and the filing within 7, with to-dos and overdue flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.fsm import ActionRefusedError
from core.models import TransitionLog
from procurement import publication, services
from procurement.models import Contract, Tender
from procurement.services import MilestoneInput
from procurement.todos import procurement_todos
from tests.calendars import independent_is_workday
from tests.procurement.conftest import awarded

pytestmark = pytest.mark.django_db


def _draft(world):
    tender, _bids = awarded(
        world, [Decimal("450000"), Decimal("460000"), Decimal("470000")], [75, 70, 65]
    )
    contract = services.contract_draft(
        tender=tender,
        actor=world["staff"],
        number="HT-QJ-2027-009",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 12, 31),
        milestones=[
            MilestoneInput("预付款", Decimal("30"), dt.date(2027, 1, 15), True),
            MilestoneInput("终期验收", Decimal("70"), dt.date(2027, 12, 31)),
        ],
    )
    return tender, contract


def test_signing_after_30_days_is_refused_at_signing(world, login):
    tender, contract = _draft(world)
    winner = tender.awarded_bid.supplier
    supplier_user = next(u for u in world["ngos"] if u.organization_id == winner.pk)
    # The contract was drafted in time, but the signature comes on day 31.
    Tender.objects.filter(pk=tender.pk).update(
        award_published_at=timezone.now() - dt.timedelta(days=31)
    )
    response = login(supplier_user).post(
        reverse("procurement:contract_sign_supplier", args=[contract.pk]), follow=True
    )
    assert "政府采购法第46条" in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == "drafted"
    # Day 30 is still in time for the supplier; the bureau's signature on day 31 is not.
    Tender.objects.filter(pk=tender.pk).update(
        award_published_at=timezone.now() - dt.timedelta(days=30)
    )
    services.contract_sign_supplier(contract=contract, actor=supplier_user)
    Tender.objects.filter(pk=tender.pk).update(
        award_published_at=timezone.now() - dt.timedelta(days=31)
    )
    api = APIClient()
    api.force_authenticate(world["staff"])
    response = api.post(f"/api/v1/contracts/{contract.pk}/sign-bureau/")
    assert response.status_code in (403, 409), response.content
    assert "政府采购法第46条" in response.json()["detail"]
    contract.refresh_from_db()
    assert contract.state == "signed_by_supplier"


def _signed(world):
    tender, contract = _draft(world)
    supplier_user = next(
        u for u in world["ngos"] if u.organization_id == tender.awarded_bid.supplier_id
    )
    services.contract_sign_supplier(contract=contract, actor=supplier_user)
    return services.contract_sign_bureau(contract=contract, actor=world["staff"])


def _workdays_after(day, n):
    while n:
        day += dt.timedelta(days=1)
        if independent_is_workday(day):
            n -= 1
    return day


def test_contract_notice_and_filing_deadlines_todos_and_public_page(world):
    contract = _signed(world)
    signed_on = timezone.localdate(contract.signed_at)
    assert contract.notice_due() == _workdays_after(signed_on, 2)
    assert contract.filing_due() == _workdays_after(signed_on, 7)
    titles = {str(t.title): t for t in procurement_todos(world["staff"])}
    assert titles[f"发布合同公告：{contract.number}"].due == contract.notice_due()
    assert titles[f"合同备案：{contract.number}"].due == contract.filing_due()
    assert not str(titles[f"合同备案：{contract.number}"].detail)  # not overdue yet
    # Not public before it is published.
    assert (
        Client().get(reverse("procurement:contract_notice", args=[contract.pk])).status_code == 404
    )
    # Signed on Tuesday 29 September 2026, before the National Day week (1-7 October off,
    # Saturday 10 October worked): the notice was due on 8 October, the filing on 14 October.
    Contract.objects.filter(pk=contract.pk).update(
        signed_at=dt.datetime(2026, 9, 29, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    contract.refresh_from_db()
    assert contract.notice_due() == dt.date(2026, 10, 8) == _workdays_after(dt.date(2026, 9, 29), 2)
    assert (
        contract.filing_due() == dt.date(2026, 10, 14) == _workdays_after(dt.date(2026, 9, 29), 7)
    )
    assert contract.notice_overdue(dt.date(2026, 10, 8)) is False
    assert contract.notice_overdue(dt.date(2026, 10, 9)) is True
    assert contract.filing_overdue(dt.date(2026, 10, 14)) is False
    assert contract.filing_overdue(dt.date(2026, 10, 15)) is True
    # Long ago: both are overdue on the to-do list.
    flagged = {str(t.title): str(t.detail) for t in procurement_todos(world["staff"])}
    assert flagged[f"发布合同公告：{contract.number}"] == "已逾期"
    assert flagged[f"合同备案：{contract.number}"] == "已逾期"
    api = APIClient()
    api.force_authenticate(world["staff"])
    published = api.post(f"/api/v1/contracts/{contract.pk}/publish-notice/")
    assert published.status_code == 200 and published.json()["notice_published_at"]
    log = TransitionLog.for_object(contract).get(transition="contract_notice")
    assert "2026-10-08" in log.note and "实施条例第50条" in log.note  # late, and says so
    page = Client().get(reverse("procurement:contract_notice", args=[contract.pk]))
    assert page.status_code == 200 and contract.number in page.content.decode()
    assert (
        api.post(f"/api/v1/contracts/{contract.pk}/filing/", {}, format="json").status_code == 400
    )
    filed = api.post(
        f"/api/v1/contracts/{contract.pk}/filing/",
        {"reference": "潜财采备〔2026〕12号"},
        format="json",
    )
    assert filed.status_code == 200 and filed.json()["filing_reference"] == "潜财采备〔2026〕12号"
    titles = {str(t.title) for t in procurement_todos(world["staff"])}
    assert not any(contract.number in t for t in titles)
    with pytest.raises(ActionRefusedError):
        publication.contract_record_filing(
            contract=contract, actor=world["staff"], reference="再次"
        )


def test_a_deadline_in_a_year_without_a_calendar_is_refused_clearly(world, login):
    contract = _signed(world)
    Contract.objects.filter(pk=contract.pk).update(
        signed_at=dt.datetime(2030, 3, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    contract.refresh_from_db()
    with pytest.raises(ActionRefusedError, match="2030年的法定节假日安排"):
        contract.notice_due()
    items = {str(t.title): t for t in procurement_todos(world["staff"])}
    # Listed with the reason instead of a due day; not overdue (nothing is due yet).
    notice = items[f"发布合同公告：{contract.number}"]
    assert notice.due is None and "2030年的法定节假日安排" in str(notice.detail)
    assert not contract.notice_overdue()
    # The contract page says so too, instead of failing.
    page = login(world["staff"]).get(contract.get_absolute_url())
    assert page.status_code == 200 and "2030年的法定节假日安排" in page.content.decode()
