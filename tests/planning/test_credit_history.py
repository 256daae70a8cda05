"""An NGO's credit page shows its latest confirmed evaluations and forfeited payments with how
many there are and the whole sum forfeited, in a fixed number of queries however long its
history (an NGO of a provincial system has hundreds of evaluations)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import EvaluationState
from funds.ledger import ledger_post
from funds.models import LedgerKind
from planning.selectors import HISTORY_SHOWN
from tests.factories.accounts import BureauStaffFactory, NgoFactory
from tests.factories.evaluation import EvaluationFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def _history(ngo, evaluations, forfeits):
    start = timezone.now() - dt.timedelta(days=400)
    for n in range(evaluations):
        EvaluationFactory(
            contract=ContractFactory(supplier=ngo),
            state=EvaluationState.CONFIRMED,
            total_score=Decimal("80.00") + n,
            confirmed_at=start + dt.timedelta(days=n),
        )
    for n in range(forfeits):
        contract = ContractFactory(supplier=ngo)
        ledger_post(
            kind=LedgerKind.FORFEITED,
            amount=Decimal("1000.50"),
            project=contract.project,
            contract=contract,
            occurred_at=start + dt.timedelta(days=n),
        )


def _page(client, ngo):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("planning:credit", args=[ngo.pk]))
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_latest_shown_with_counts_and_the_whole_sum(login):
    ngo = NgoFactory(name="荆州市爱心社会工作服务中心")
    client = login(BureauStaffFactory())
    _history(ngo, evaluations=2, forfeits=1)
    _response, few = _page(client, ngo)
    _history(ngo, evaluations=HISTORY_SHOWN + 3, forfeits=HISTORY_SHOWN + 1)

    response, many = _page(client, ngo)

    assert many == few
    shown = response.context["evaluations"]
    assert len(shown) == HISTORY_SHOWN
    assert shown[0].confirmed_at > shown[-1].confirmed_at  # the latest first
    assert len(response.context["forfeited"]) == HISTORY_SHOWN
    assert response.context["forfeited_total"] == Decimal("1000.50") * (HISTORY_SHOWN + 2)
    html = response.content.decode()
    assert f"共 {HISTORY_SHOWN + 5} 次已确认的评估，仅显示最近 {HISTORY_SHOWN} 次。" in html
    assert f"共 {HISTORY_SHOWN + 2} 笔被扣减的服务费，仅显示最近 {HISTORY_SHOWN} 笔。" in html
