"""Starting the next version of a published indicator system through the API, as the page does."""

import pytest

from core.models import TransitionLog
from evaluation.models import IndicatorSystem
from tests.api.procurement_setup import api
from tests.factories.accounts import (
    AssessorFactory,
    AuditorFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.factories.evaluation import IndicatorSystemFactory

pytestmark = pytest.mark.django_db


def url(system):
    return f"/api/v1/indicator-systems/{system.pk}/new-version/"


def test_a_bureau_starts_the_next_draft_of_its_published_system():
    staff = BureauStaffFactory()
    system = IndicatorSystemFactory(owner=staff.organization, code="qianjiang-2026")
    created = api(staff).post(url(system))
    assert created.status_code == 201, created.data
    assert (created.data["code"], created.data["version"], created.data["state"]) == (
        "qianjiang-2026",
        2,
        "draft",
    )
    assert created.data["owner"] == staff.organization.pk
    new = IndicatorSystem.objects.get(pk=created.data["id"])
    assert new.indicators.count() == system.indicators.count()
    assert created.data["leaf_count"] == system.indicators.filter(level=3).count()
    assert TransitionLog.for_object(new).filter(transition="create", actor=staff).exists()
    # The base stays as it was: published and frozen.
    system.refresh_from_db()
    assert system.state == "published" and system.version == 1

    # A draft is not a base for a new version: the state forbids it.
    refused = api(staff).post(url(new))
    assert refused.status_code == 409 and refused.data["detail"]
    assert IndicatorSystem.objects.filter(code="qianjiang-2026").count() == 2


def test_a_shipped_system_becomes_the_bureaus_own_line_of_versions():
    staff = BureauStaffFactory()
    shipped = IndicatorSystemFactory(owner=None, code="social-work")
    created = api(staff).post(url(shipped))
    assert created.status_code == 201, created.data
    assert created.data["code"] == f"social-work-{staff.organization.pk}"
    assert created.data["owner"] == staff.organization.pk


def test_other_roles_may_not_start_a_version():
    staff = BureauStaffFactory()
    published = IndicatorSystemFactory(owner=staff.organization)
    for outsider in (NgoUserFactory(), ExpertFactory(), AssessorFactory(), AuditorFactory()):
        refused = api(outsider).post(url(published))
        assert refused.status_code == 403 and refused.data["detail"], outsider.role
    draft = IndicatorSystemFactory(owner=staff.organization, state="draft")
    # Another bureau's draft does not exist for it; nobody anonymous gets in.
    assert api(BureauStaffFactory()).post(url(draft)).status_code == 404
    assert api().post(url(published)).status_code in (401, 403)
    assert IndicatorSystem.objects.count() == 2
