"""A month between milestones: a reporting schedule, a report handed in and returned, a random
spot check, a site visit with a photo, and a rectification item tracked to closure."""

import datetime as dt
import io
import itertools
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.models import TransitionLog
from notifications.models import Notification
from supervision.models import PeriodicReport, RectificationItem, SiteVisit, SpotCheck
from supervision.services import draw
from tests.factories.accounts import NgoUserFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return SimpleUploadedFile("现场.png", buf.getvalue())


@pytest.fixture
def world(money):
    contract = money["contract"]
    contract.start_date = dt.date.today() - dt.timedelta(days=70)
    contract.save(update_fields=["start_date"])
    return money


def _schedule(client, contract, frequency="monthly", days=10):
    return client.post(
        reverse("supervision:contract", args=[contract.pk]),
        {"schedule": "1", "s-frequency": frequency, "s-days_to_report": days},
    )


def test_schedule_lists_every_period_and_flags_late(world, login):
    contract = world["contract"]
    _schedule(login(world["staff"]), contract)
    reports = list(PeriodicReport.objects.filter(contract=contract).order_by("period_start"))
    assert reports[0].period_start == contract.start_date
    assert reports[-1].period_end == contract.current_end_date
    assert all(r.due_date == r.period_end + dt.timedelta(days=10) for r in reports)
    # Contiguous, no gaps or overlaps.
    for a, b in itertools.pairwise(reports):
        assert b.period_start == a.period_end + dt.timedelta(days=1)
    late = [r for r in reports if r.is_late()]
    assert late and all(r.due_date < dt.date.today() for r in late)
    page = login(world["staff"]).get(reverse("supervision:overview"))
    row = next(c for c in page.context["page"] if c.pk == contract.pk)
    assert row.reports_late == len(late)
    # Quarterly replaces the due monthly ones.
    _schedule(login(world["staff"]), contract, "quarterly")
    quarterly = list(PeriodicReport.objects.filter(contract=contract).order_by("period_start"))
    assert all(
        r.period_end.month in (3, 6, 9, 12) or r.period_end == contract.current_end_date
        for r in quarterly
    )
    assert (
        sum((r.period_end - r.period_start).days + 1 for r in quarterly)
        == (contract.current_end_date - contract.start_date).days + 1
    )


def test_report_submitted_returned_resubmitted_read(world, login):
    contract = world["contract"]
    _schedule(login(world["staff"]), contract)
    report = PeriodicReport.objects.filter(contract=contract).order_by("period_start").first()
    ngo, staff = login(world["ngo"]), login(world["staff"])
    submit = reverse("supervision:report_submit", args=[report.pk])
    review = reverse("supervision:report_review", args=[report.pk])
    ngo.post(submit, {"summary": ""})
    report.refresh_from_db()
    assert report.state == "due"  # empty report refused
    assert staff.post(submit, {"summary": "x"}).status_code == 302
    report.refresh_from_db()
    assert report.state == "due"  # the bureau cannot hand in the NGO's report
    ngo.post(submit, {"summary": "本月完成家访42户、小组活动6节。"})
    report.refresh_from_db()
    assert report.state == "submitted" and report.submitted_at
    assert Notification.objects.filter(recipient=world["staff"], kind="report_submitted").exists()
    staff.post(review, {"return": "1", "response": ""})
    report.refresh_from_db()
    assert report.state == "submitted"  # returning needs a reason
    staff.post(review, {"return": "1", "response": "请补充个案服务情况"})
    report.refresh_from_db()
    assert report.state == "returned" and report.response == "请补充个案服务情况"
    assert Notification.objects.filter(recipient=world["ngo"], kind="report_returned").exists()
    ngo.post(submit, {"summary": "已补充：个案12个。"})
    staff.post(review, {"read": "1", "response": "已阅"})
    report.refresh_from_db()
    assert report.state == "read"
    log = [(e.transition, e.target_state) for e in TransitionLog.for_object(report)]
    assert log == [
        ("submit", "submitted"),
        ("return_report", "returned"),
        ("submit", "submitted"),
        ("mark_read", "read"),
    ]


def test_a_period_not_over_cannot_be_reported(world, login):
    contract = world["contract"]
    _schedule(login(world["staff"]), contract)
    future = PeriodicReport.objects.filter(contract=contract).order_by("period_start").last()
    login(world["ngo"]).post(
        reverse("supervision:report_submit", args=[future.pk]), {"summary": "提前交"}
    )
    future.refresh_from_db()
    assert future.state == "due"


def test_spot_check_is_reproducible_from_its_seed(world, login):
    bureau = world["bureau"]
    for _ in range(9):
        ContractFactory(project=ServiceProjectFactory(bureau=bureau, state="in_service"))
    ContractFactory(project=ServiceProjectFactory(state="in_service"))  # another bureau's
    staff = login(world["staff"])
    staff.post(
        reverse("supervision:overview"),
        {"year": dt.date.today().year, "share": 30, "seed": ""},
    )
    check = SpotCheck.objects.get()
    assert len(check.population) == 10
    drawn = sorted(check.drawn.values_list("pk", flat=True))
    assert len(drawn) == 3  # 30 % of 10
    assert draw(check.population, 3, check.seed) == drawn
    assert sorted(random.Random(check.seed).sample(sorted(check.population), 3)) == drawn  # noqa: S311
    # The NGO cannot draw.
    before = SpotCheck.objects.count()
    assert (
        login(world["ngo"])
        .post(reverse("supervision:overview"), {"year": 2026, "share": 30})
        .status_code
        == 403
    )
    assert SpotCheck.objects.count() == before


def test_visit_with_photo_then_item_closed_on_evidence(world, login):
    contract = world["contract"]
    staff, ngo = login(world["staff"]), login(world["ngo"])
    url = reverse("supervision:contract", args=[contract.pk])
    staff.post(
        url,
        {
            "visit": "1",
            "v-visited_on": dt.date.today().isoformat(),
            "v-place": "熊口镇龙湾村儿童之家",
            "v-visitors": "市民政局 王科长",
            "v-findings": "四卡一袋档案缺3份；活动签到表无监护人签字。",
            "v-photos": [_png()],
        },
    )
    visit = SiteVisit.objects.get()
    assert visit.photos.count() == 1
    photo = visit.photos.get()
    assert staff.get(reverse("supervision:download", args=["photo", photo.pk])).status_code == 200
    other = login(NgoUserFactory())
    assert other.get(reverse("supervision:download", args=["photo", photo.pk])).status_code == 403
    staff.post(
        url,
        {
            "item": "1",
            "i-description": "补齐3名儿童的四卡一袋档案",
            "i-owner": "李娜",
            "i-deadline": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
        },
    )
    item = RectificationItem.objects.get()
    assert Notification.objects.filter(recipient=world["ngo"], kind="rectification_opened").exists()
    from core.concerns import open_concerns

    assert any("补齐3名儿童" in str(c.title) for c in open_concerns(contract))
    evidence = reverse("supervision:item_evidence", args=[item.pk])
    decide = reverse("supervision:item_decide", args=[item.pk])
    staff.post(decide, {"close": "1"})
    item.refresh_from_db()
    assert item.state == "open"  # nothing to close yet
    ngo.post(evidence, {"evidence": ""})
    item.refresh_from_db()
    assert item.state == "open"
    ngo.post(evidence, {"evidence": "已补齐并归档，见附件。"})
    item.refresh_from_db()
    assert item.state == "submitted"
    ngo.post(decide, {"close": "1"})
    item.refresh_from_db()
    assert item.state == "submitted"  # the NGO cannot close its own item
    staff.post(decide, {"close": "1", "note": "现场核实"})
    item.refresh_from_db()
    assert item.state == "closed" and item.closed_at
    assert not open_concerns(contract)
    assert [e.transition for e in TransitionLog.for_object(item)] == ["submit_evidence", "close"]


ROLE_STATUS = {
    "bureau_staff": 200,
    "parent_bureau_staff": 200,
    "other_bureau_staff": 404,
    "ngo": 404,
    "expert": 404,
    "assessor": 404,
    "auditor": 200,
    "admin": 200,
}


def test_contract_page_role_matrix(world, login):
    from tests.roles import build_world

    roles = build_world()
    contract = ContractFactory(
        project=ServiceProjectFactory(bureau=roles.county, state="in_service")
    )
    url = reverse("supervision:contract", args=[contract.pk])
    for role, status in ROLE_STATUS.items():
        user = roles.users[role]
        response = login(user).get(url)
        assert response.status_code == status, role
        if status == 200:
            posted = login(user).post(
                url, {"item": "1", "i-description": "x", "i-owner": "y", "i-deadline": "2030-01-01"}
            )
            assert posted.status_code == (302 if role.endswith("bureau_staff") else 403), role
    supplier = NgoUserFactory(organization=contract.supplier)
    assert login(supplier).get(url).status_code == 200
    assert login(supplier).post(url, {"item": "1"}).status_code == 403
    assert RectificationItem.objects.filter(contract=contract).count() == 2


def test_tick_reminds_once(world, login):
    from django.utils import timezone

    from core.ticks import run_all

    _schedule(login(world["staff"]), world["contract"])
    run_all(timezone.now())
    first = Notification.objects.filter(recipient=world["ngo"]).count()
    assert first >= 1
    run_all(timezone.now())
    assert Notification.objects.filter(recipient=world["ngo"]).count() == first
