"""The bureau's tender to-dos on the 工作台: bids to open once the opening time has come, award
notices to publish, contracts to draft, up to ten of each kind (the newest), in that order, and
only the bureau's own."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.models import Tender, TenderState
from tests.factories.accounts import BureauStaffFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _tenders(bureau, staff, states_and_openings):
    now = timezone.now()
    made = []
    for n, (state, opening) in enumerate(states_and_openings):
        project = ServiceProjectFactory(bureau=bureau)
        made.append(
            Tender.objects.create(
                project=project,
                title=f"留守儿童关爱服务{n:02d}",
                method="public",
                ceiling_price=Decimal("480000.00"),
                qualification_requirements="具有独立承担民事责任的能力",
                service_requirements="每月入户走访",
                clarification_deadline=now - dt.timedelta(days=20),
                bid_deadline=now + opening,
                opening_at=now + opening,
                state=state,
                created_by=staff,
            )
        )
    return made


def test_each_kind_of_tender_work_lists_its_newest_ten(login):
    staff = BureauStaffFactory()
    past, future = -dt.timedelta(hours=1), dt.timedelta(days=3)
    opening = _tenders(staff.organization, staff, [(TenderState.PUBLISHED, past)] * 12)
    _tenders(staff.organization, staff, [(TenderState.PUBLISHED, future)])
    awarded = _tenders(staff.organization, staff, [(TenderState.AWARDED, past)] * 2)
    to_draft, drafted = _tenders(
        staff.organization, staff, [(TenderState.AWARD_PUBLISHED, past)] * 2
    )
    ContractFactory(project=drafted.project, tender=drafted)
    other = BureauStaffFactory()
    _tenders(other.organization, other, [(TenderState.AWARDED, past)])

    page = login(staff).get(reverse("home")).content.decode()

    listed = re.findall(r"(待开标|待发布结果公告|待草拟合同)：(留守儿童关爱服务\d\d)", page)
    assert listed == (
        [("待开标", t.title) for t in reversed(opening[2:])]
        + [("待发布结果公告", t.title) for t in reversed(awarded)]
        + [("待草拟合同", to_draft.title)]
    )
