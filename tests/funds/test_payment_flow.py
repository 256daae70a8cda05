"""Acceptance, request, approval and payment through the pages, with the ledger entries each makes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import TransitionLog
from evaluation.signals import evaluation_confirmed
from funds.ledger import ledger_verify
from funds.models import Disbursement, LedgerEntry
from tests.funds.conftest import confirm
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
CHECKS = {
    "deliverables_complete": "on",
    "records_match_targets": "on",
    "files_complete": "on",
    "finance_compliant": "on",
}


def _accept(client, milestone):
    return client.post(
        reverse("funds:acceptance", args=[milestone.pk]),
        {"passed": "1", "notes": "验收合格", **CHECKS},
    )


def _hand_in(client, milestone):
    client.post(
        reverse("funds:deliverable_submit", args=[milestone.pk]),
        {"title": "中期服务报告", "report": "个案31个、小组8个"},
    )


def test_pro_rata_payment_with_the_rest_withheld(money, login):
    m = money["midterm"]
    _hand_in(login(money["ngo"]), m)
    evaluation = confirm(m, "72.00")
    evaluation_confirmed.send(sender=type(evaluation), evaluation=evaluation)
    m.refresh_from_db()
    assert m.state == "evaluated"
    staff, finance = login(money["staff"]), login(money["finance"])
    _accept(staff, m)
    staff.post(reverse("funds:request", args=[m.pk]))
    d = Disbursement.objects.get(milestone=m)
    assert (d.amount, d.withheld) == (Decimal("172080.00"), Decimal("19120.00"))
    assert "72" in d.calculation
    finance.post(reverse("funds:approve", args=[d.pk]))
    # 不相容岗位分离: a second finance officer records the payment.
    login(money["finance2"]).post(
        reverse("funds:pay", args=[d.pk]),
        {"voucher_number": "QJ-2027-0042", "paid_on": dt.date.today().isoformat()},
    )
    d.refresh_from_db()
    m.refresh_from_db()
    assert (d.state, d.voucher_number, m.state) == ("paid", "QJ-2027-0042", "withheld")
    kinds = list(LedgerEntry.objects.filter(milestone=m).values_list("kind", "amount"))
    assert kinds == [
        ("disbursement_requested", Decimal("172080.00")),
        ("withheld", Decimal("19120.00")),
        ("disbursement_approved", Decimal("172080.00")),
        ("disbursement_paid", Decimal("172080.00")),
    ]
    assert set(LedgerEntry.objects.filter(milestone=m).values_list("disbursement", flat=True)) == {
        d.pk
    }
    assert ledger_verify().ok
    assert (
        TransitionLog.for_object(m)
        .filter(transition="mark_partly_withheld", target_state="withheld")
        .exists()
    )
    voucher = pdf_text(login(money["finance"]).get(reverse("funds:voucher", args=[d.pk])).content)
    assert "壹拾柒万贰仟零捌拾元整" in voucher and "QJ-2027-0042" in voucher


def test_no_acceptance_before_the_evaluation_is_confirmed(money, login):
    m = money["midterm"]
    response = _accept(login(money["staff"]), m)
    m.refresh_from_db()
    assert m.state == "planned"
    assert response.status_code == 302
    assert not Disbursement.objects.exists()


def test_no_payment_request_before_acceptance(money, login):
    m = money["midterm"]
    confirm(m, "90")
    login(money["staff"]).post(reverse("funds:request", args=[m.pk]))
    assert not Disbursement.objects.exists()


def test_maker_checker_same_user_refused(money, login):
    a = money["advance"]
    staff = login(money["staff"])
    _accept(staff, a)
    staff.post(reverse("funds:request", args=[a.pk]))
    d = Disbursement.objects.get(milestone=a)
    staff.post(reverse("funds:approve", args=[d.pk]))  # staff are not finance
    d.refresh_from_db()
    assert d.state == "requested"
    # A finance officer who requested it (impossible through the page, possible in data) is refused too.
    Disbursement.objects.filter(pk=d.pk).update(requested_by=money["finance"])
    login(money["finance"]).post(reverse("funds:approve", args=[d.pk]))
    d.refresh_from_db()
    assert d.state == "requested"
    login(money["finance2"]).post(reverse("funds:approve", args=[d.pk]))
    d.refresh_from_db()
    assert d.state == "approved" and d.approved_by == money["finance2"]


def test_the_same_milestone_cannot_be_requested_twice(money, login):
    a = money["advance"]
    staff = login(money["staff"])
    _accept(staff, a)
    staff.post(reverse("funds:request", args=[a.pk]))
    response = staff.post(reverse("funds:request", args=[a.pk]), follow=True)
    assert Disbursement.objects.filter(milestone=a).count() == 1
    assert "验收" in response.content.decode() or "已有" in response.content.decode()


def test_payments_never_exceed_the_contract_amount(money, login):
    contract = money["contract"]
    m = money["midterm"]
    confirm(m, "95")
    type(m).objects.filter(pk=m.pk).update(amount=Decimal("478000.00"))  # a corrupted plan
    a = money["advance"]
    staff = login(money["staff"])
    for milestone in (a, m):
        _accept(staff, milestone)
        staff.post(reverse("funds:request", args=[milestone.pk]))
    total = sum(d.amount for d in Disbursement.objects.all())
    assert total <= contract.amount
    assert Disbursement.objects.count() == 1


def test_late_payment_is_flagged(money, login):
    a = money["advance"]
    staff = login(money["staff"])
    _accept(staff, a)
    staff.post(reverse("funds:request", args=[a.pk]))
    d = Disbursement.objects.get()
    Disbursement.objects.filter(pk=d.pk).update(due_by=dt.date.today() - dt.timedelta(days=1))
    body = login(money["finance"]).get(reverse("funds:payments")).content.decode()
    assert "逾期" in body


def test_nothing_handed_in_cannot_be_accepted(money, login):
    m = money["midterm"]
    evaluation = confirm(m, "92.00")
    evaluation_confirmed.send(sender=type(evaluation), evaluation=evaluation)
    staff = login(money["staff"])
    refused = staff.post(
        reverse("funds:acceptance", args=[m.pk]),
        {"passed": "1", "notes": "验收合格", **CHECKS},
        follow=True,
    )
    m.refresh_from_db()
    assert m.state == "evaluated"
    assert "该付款节点尚未提交任何成果资料" in refused.content.decode()
    assert not TransitionLog.for_object(m).filter(transition="accept").exists()
    _hand_in(login(money["ngo"]), m)
    _accept(staff, m)
    m.refresh_from_db()
    assert m.state == "accepted"
    assert TransitionLog.for_object(m).filter(transition="accept").exists()
