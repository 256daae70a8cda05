"""Uploaded files leave only through permission-checked views; /media/ is never served."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from evaluation import services as evaluation_services
from evaluation.models import Indicator, ScoreEntry, ScoreSheet
from evaluation.services import EntryInput
from funds.models import Deliverable
from procurement import services as procurement_services
from procurement.models import Tender
from tests.evaluation.conftest import cast, to_scoring  # noqa: F401 - fixture
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.funds.conftest import money  # noqa: F401 - fixture
from tests.procurement.conftest import make_tender, world  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_media_paths_are_not_routed():
    with pytest.raises(Resolver404):
        resolve("/media/bids/1/1/方案.pdf")


def test_a_sealed_bid_file_is_for_its_bidder_only_until_opening(world, login):  # noqa: F811
    tender = make_tender(world["project"], world["staff"])
    bid = procurement_services.bid_submit(
        tender=tender, actor=world["ngos"][0], price=Decimal("480000"), technical_proposal="方案"
    )
    bid.proposal_file.save("服务方案.pdf", ContentFile(PDF))
    url = reverse("procurement:bid_file", args=[bid.pk])

    own = login(world["ngos"][0]).get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert "attachment" in own["Content-Disposition"]
    for user in (world["staff"], world["ngos"][1], AuditorFactory()):
        assert login(user).get(url).status_code == 403, user.role

    past = timezone.now() - dt.timedelta(minutes=1)
    Tender.objects.filter(pk=tender.pk).update(bid_deadline=past, opening_at=past)
    tender.refresh_from_db()
    procurement_services.bid_submit(
        tender=tender,
        actor=world["ngos"][1],
        price=Decimal("1"),
        technical_proposal="x",
        now=past - dt.timedelta(hours=1),
    )
    procurement_services.tender_open(tender=tender, actor=world["staff"])
    assert login(world["staff"]).get(url).status_code == 200
    assert login(world["ngos"][1]).get(url).status_code == 403


def test_a_deliverable_file_follows_its_milestone(money, login):  # noqa: F811
    deliverable = Deliverable.objects.create(
        milestone=money["midterm"], title="中期服务报告", submitted_by=money["ngo"]
    )
    deliverable.file.save("中期报告.pdf", ContentFile(PDF))
    url = reverse("funds:deliverable_file", args=[deliverable.pk])
    assert login(money["ngo"]).get(url).status_code == 200
    assert login(money["staff"]).get(url).status_code == 200
    assert login(NgoUserFactory()).get(url).status_code in (403, 404)
    page = login(money["ngo"]).get(reverse("funds:milestone", args=[money["midterm"].pk]))
    assert url in page.content.decode()


def test_evidence_is_as_secret_as_its_score_sheet(cast, login):  # noqa: F811
    evaluation = to_scoring(cast)
    first, second = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id")[:2]
    leaf = Indicator.objects.filter(system=evaluation.system, level=3, method="rubric").first()
    evaluation_services.sheet_save(
        sheet=first,
        actor=first.assessor,
        entries={
            leaf.pk: EntryInput(
                inputs={"score": "1"},
                evidence=SimpleUploadedFile("入户照片.pdf", PDF, "application/pdf"),
            )
        },
    )
    entry = ScoreEntry.objects.get(sheet=first, indicator=leaf)
    url = reverse("evaluation:evidence_file", args=[evaluation.pk, entry.pk])
    assert login(first.assessor).get(url).status_code == 200
    assert login(second.assessor).get(url).status_code == 403  # sheets are sealed between assessors
    assert login(cast.ngo).get(url).status_code in (403, 404)
