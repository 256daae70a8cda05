"""Supervision links an assessor sees open for them; a reader who may not open one sees no link.

The evaluation page lists the contract's open supervision matters (core.concerns). Its lead and
cleared assessors read the supervision page and its files; an assessor still to declare a
conflict is asked for the declaration first and sees neither the matters nor a link."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from supervision import services
from supervision.permissions import can_view_supervision
from tests.factories.evaluation import AssignmentFactory, EvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(money):
    contract = money["contract"]
    services.item_open(
        user=money["staff"],
        contract=contract,
        description="补齐3名儿童的四卡一袋档案",
        owner="李敏",
        deadline=dt.date.today() + dt.timedelta(days=14),
    )
    evaluation = EvaluationFactory(contract=contract, milestone=money["midterm"])
    cleared = AssignmentFactory(evaluation=evaluation, state="cleared")
    pending = AssignmentFactory(evaluation=evaluation, state="pending")
    return {
        **money,
        "evaluation": evaluation,
        "lead": evaluation.lead,
        "cleared": cleared.assessor,
        "pending": pending.assessor,
    }


def _supervision_links(html: str) -> list[str]:
    return re.findall(r'href="(/supervision/[^"]*)"', html)


@pytest.mark.parametrize("who", ["lead", "cleared"])
def test_the_contracts_assessors_open_every_supervision_link_they_see(assessed, login, who):
    client = login(assessed[who])
    page = client.get(reverse("evaluation:detail", args=[assessed["evaluation"].pk]))
    assert page.status_code == 200
    links = _supervision_links(page.content.decode())
    assert links, "the open rectification item is listed with its link"
    for link in links:
        assert client.get(link.split("#")[0]).status_code == 200, link
    body = client.get(links[0].split("#")[0]).content.decode()
    assert "补齐3名儿童" in body
    # Read only: no form to open items or review reports.
    assert 'name="i-description"' not in body


def test_an_assessor_still_to_declare_sees_neither_the_matter_nor_a_link(assessed, login):
    """Before the declaration of independence the page asks for it and shows no material."""
    client = login(assessed["pending"])
    page = client.get(reverse("evaluation:detail", args=[assessed["evaluation"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    declare = reverse("evaluation:declare", args=[assessed["evaluation"].pk])
    assert f'action="{declare}"' in html
    assert "补齐3名儿童" not in html
    assert not _supervision_links(html)
    assert not can_view_supervision(assessed["pending"], assessed["contract"])
    url = reverse("supervision:contract", args=[assessed["contract"].pk])
    assert client.get(url).status_code == 404


def test_an_assessor_of_another_contract_is_still_refused(assessed, login):
    other = EvaluationFactory()
    assert not can_view_supervision(other.lead, assessed["contract"])
    url = reverse("supervision:contract", args=[assessed["contract"].pk])
    assert login(other.lead).get(url).status_code == 404
