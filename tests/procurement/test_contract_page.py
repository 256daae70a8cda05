"""The contract page shows the bureau template's text without letting it restyle or script the page."""

import pytest
from django.urls import reverse

from tests.factories.accounts import BureauStaffFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


def test_contract_text_is_framed_apart_from_the_page(login):
    """Regression: the template's print CSS (centred h1, ruled tables) restyled the whole page."""
    contract = ContractFactory(
        document="<style>h1 { text-align: center; }</style><h1>政府购买社会工作服务合同</h1>"
        "<script>alert(1)</script>"
    )
    staff = BureauStaffFactory(organization=contract.project.bureau)
    body = login(staff).get(reverse("procurement:contract_detail", args=[contract.pk])).content
    html = body.decode()
    assert '<iframe class="contract-text" sandbox srcdoc="' in html
    assert "&lt;h1&gt;政府购买社会工作服务合同&lt;/h1&gt;" in html
    assert "<style>h1" not in html and "<script>alert" not in html
