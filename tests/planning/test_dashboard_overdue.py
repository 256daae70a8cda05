"""The dashboard's overdue list as a city head reads it: payments still unpaid 30 days after
their latest passed acceptance and rectifications past their deadline, in the bureau's tree
only, the oldest first, with the count of all of them when only the oldest are shown; and the
paid-per-month chart moving as soon as a payment is booked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.ledger import ledger_post
from funds.models import Acceptance, LedgerKind, MilestoneState
from planning import selectors
from tests.factories.funds import MilestoneFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def _milestone(bureau, state, number):
    contract = ContractFactory(project__bureau=bureau, number=number)
    return MilestoneFactory(contract=contract, state=state)


def _accepted(milestone, days_ago, *, passed=True):
    Acceptance.objects.create(
        milestone=milestone,
        passed=passed,
        recorded_by=milestone.contract.project.created_by,
        recorded_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _overdue(client):
    """The payments and rectifications listed, and how many are overdue in all (late
    statistics reports, all listed, are left out of both)."""
    data = client.get(reverse("planning:dashboard")).context["data"]
    reports = [r for r in data.overdue if r["kind"] == "report"]
    shown = [(r["kind"], r["title"].split(" ·")[0]) for r in data.overdue if r not in reports]
    return shown, data.overdue_count - len(reports)


def test_overdue_payments_and_rectifications_of_the_tree(tree, login):
    late = _milestone(tree["jiangling"], MilestoneState.PAYABLE, "HT-JL-001")
    _accepted(late, days_ago=45)
    later = _milestone(tree["jianli"], MilestoneState.ACCEPTED, "HT-JLI-002")
    _accepted(later, days_ago=35)
    # Accepted again after a rectification: the latest passed acceptance counts, 5 days ago.
    again = _milestone(tree["jiangling"], MilestoneState.PAYABLE, "HT-JL-003")
    _accepted(again, days_ago=60)
    _accepted(again, days_ago=5)
    # Failed 50 days ago, never passed: nothing to pay yet.
    failed = _milestone(tree["jiangling"], MilestoneState.ACCEPTED, "HT-JL-004")
    _accepted(failed, days_ago=50, passed=False)
    paid = _milestone(tree["jiangling"], MilestoneState.PAID, "HT-JL-005")
    _accepted(paid, days_ago=90)
    rectifying = _milestone(tree["jianli"], MilestoneState.RECTIFYING, "HT-JLI-006")
    rectifying.rectification_deadline = timezone.localdate() - dt.timedelta(days=3)
    rectifying.save(update_fields=["rectification_deadline"])
    # The province's own project is above the city: not on the city's dashboard.
    above = _milestone(tree["province"], MilestoneState.PAYABLE, "HT-SHENG-007")
    _accepted(above, days_ago=70)

    shown, count = _overdue(login(tree["staff"][tree["city"]]))

    assert shown == [
        ("payment", "HT-JL-001"),
        ("payment", "HT-JLI-002"),
        ("rectification", "HT-JLI-006"),
    ]
    assert count == 3
    shown, count = _overdue(login(tree["staff"][tree["province"]]))
    assert ("payment", "HT-SHENG-007") in shown
    assert count == 4


def test_only_the_oldest_are_listed_with_the_count_of_all(tree, login, monkeypatch):
    monkeypatch.setattr(selectors, "OVERDUE_SHOWN", 2)
    for n, days in enumerate((40, 80, 60)):
        stone = _milestone(tree["jiangling"], MilestoneState.PAYABLE, f"HT-JL-01{n}")
        _accepted(stone, days_ago=days)

    client = login(tree["staff"][tree["city"]])
    shown, count = _overdue(client)

    assert shown == [("payment", "HT-JL-011"), ("payment", "HT-JL-012")]
    assert count == 3
    response = client.get(reverse("planning:dashboard"))
    in_all = response.context["data"].overdue_count
    assert f"共 {in_all} 项逾期，仅显示最早的若干项。" in response.content.decode()


def test_paid_per_month_shows_a_payment_booked_after_the_last_view(tree, login):
    year = timezone.localdate().year
    project = ContractFactory(project__bureau=tree["jiangling"]).project
    client = login(tree["staff"][tree["city"]])
    url = reverse("planning:dashboard") + f"?year={year}"

    assert client.get(url).context["data"].paid_by_month == []
    ledger_post(
        kind=LedgerKind.DISBURSEMENT_PAID,
        amount=Decimal("144000.00"),
        project=project,
        occurred_at=timezone.now(),
    )

    months = client.get(url).context["data"].paid_by_month
    assert [m["total"] for m in months] == [Decimal("144000.00")]
