"""An amendment adds at most 10% to the original contract amount (政府采购法第49条): above the
cap the API answers 409 naming the law and the cap in yuan; within it the amendment is kept.
Anyone but the purchasing bureau's staff is refused first (403, core.api's permission answer)."""

from decimal import Decimal

import pytest
from django.utils import translation

from procurement import rules
from procurement.models import ContractAmendment
from tests.api.procurement_setup import api
from tests.funds.conftest import money  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _amend(money, amount, who="staff"):  # noqa: F811
    contract = money["contract"]
    return api(money[who]).post(
        f"/api/v1/contracts/{contract.pk}/amend/",
        {"amount": amount, "end_date": contract.end_date.isoformat(), "reason": "增加服务村居"},
        format="json",
    )


def test_the_cap_is_the_named_share_of_the_original_amount(money):  # noqa: F811
    assert money["contract"].amount == Decimal("478000.00")
    assert Decimal("0.10") == rules.AMENDMENT_ADD_MAX
    with translation.override("zh-hans"):
        over = _amend(money, "525800.01")
    assert over.status_code == 409, over.content
    assert over.json()["detail"] == (
        "合同变更追加金额不得超过原合同金额的10%（变更后合计不超过525800.00元；政府采购法第49条）。"
    )
    assert not ContractAmendment.objects.exists()

    supplier = _amend(money, "480000.00", who="ngo")
    assert supplier.status_code == 403, supplier.content
    assert not ContractAmendment.objects.exists()

    within = _amend(money, "480000.00")
    assert within.status_code == 200, within.content
    assert ContractAmendment.objects.get().amount == Decimal("480000.00")
