"""履约验收: the bureau records the service users' opinion and it is published (实施条例第45条)."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import TransitionLog
from evaluation.records import AcceptanceOpinion
from tests.factories.accounts import AssessorFactory, BureauStaffFactory
from tests.factories.funds import MilestoneFactory

pytestmark = pytest.mark.django_db


def test_bureau_records_opinion_which_is_published(cast, login):
    milestone = MilestoneFactory(contract=cast.contract)
    url = reverse("evaluation:acceptance_opinion", args=[milestone.pk])
    good = {
        "consulted": "12",
        "satisfied": "11",
        "how": "双龙村监护人座谈会",
        "summary": "家长认可家访和作业辅导，希望增加暑期活动。",
    }
    # Role matrix before anything is recorded: the buyer's staff see the form, others 404.
    assert login(cast.staff).get(url).status_code == 200
    for outsider in (cast.ngo, cast.lead, AssessorFactory(), BureauStaffFactory()):
        assert login(outsider).get(url).status_code == 404
        assert login(outsider).post(url, good).status_code == 404
    bad = login(cast.staff).post(url, good | {"satisfied": "13"})
    assert bad.status_code == 200 and not AcceptanceOpinion.objects.exists()
    assert login(cast.staff).post(url, good | {"consulted": "x"}).status_code == 200
    assert login(cast.staff).post(url, good).status_code == 302
    opinion = AcceptanceOpinion.objects.get(milestone=milestone)
    assert (opinion.consulted, opinion.satisfied, str(opinion.satisfaction_percent)) == (
        12,
        11,
        "91.7",
    )
    assert TransitionLog.for_object(milestone).filter(transition="service_user_opinion").exists()
    # Once and only once; now everyone involved reads it and the public page lists it.
    login(cast.staff).post(url, good | {"consulted": "20"})
    assert AcceptanceOpinion.objects.get().consulted == 12
    assert login(cast.ngo).get(url).status_code == 200
    body = Client().get(reverse("evaluation:acceptance_public")).content.decode()
    assert "91.7%" in body and "希望增加暑期活动" in body
