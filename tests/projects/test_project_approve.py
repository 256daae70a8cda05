"""Bureau staff approve (立项) a draft project: state, log row and budget event."""

import pytest
from django.urls import reverse

from core.models import TransitionLog
from core.signals import money_event
from projects.models import ProjectState
from tests.factories.accounts import BureauFinanceFactory, BureauStaffFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _approve(client, project, note=""):
    return client.post(reverse("projects:approve", args=[project.pk]), {"note": note}, follow=True)


def test_staff_of_the_bureau_approves_a_draft(login):
    project = ServiceProjectFactory()
    staff = BureauStaffFactory(organization=project.bureau)
    events = []
    money_event.connect(lambda **kw: events.append(kw), weak=False, dispatch_uid="t1")
    try:
        response = _approve(login(staff), project, note="局务会审议通过")
    finally:
        money_event.disconnect(dispatch_uid="t1")
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    assert project.approved_at is not None
    assert "项目已立项" in response.content.decode()
    log = TransitionLog.for_object(project).get(transition="approve")
    assert (log.source_state, log.target_state, log.actor, log.note) == (
        "draft",
        "approved",
        staff,
        "局务会审议通过",
    )
    assert len(events) == 1
    assert events[0]["kind"] == "budget_appropriated"
    assert events[0]["amount"] == project.budget


def test_approval_needs_target_groups(login):
    project = ServiceProjectFactory(groups=[])
    staff = BureauStaffFactory(organization=project.bureau)
    response = _approve(login(staff), project)
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT
    assert "立项前请至少填写一类服务对象" in response.content.decode()
    assert not TransitionLog.for_object(project).filter(transition="approve").exists()


@pytest.mark.parametrize("who", ["finance", "other_bureau", "parent_bureau"])
def test_others_cannot_approve(login, who):
    project = ServiceProjectFactory()
    if who == "finance":
        user = BureauFinanceFactory(organization=project.bureau)
    elif who == "parent_bureau":
        parent = project.bureau.__class__.objects.create(name="上级民政局", kind="bureau")
        project.bureau.parent = parent
        project.bureau.save()
        user = BureauStaffFactory(organization=parent)
    else:
        user = BureauStaffFactory()
    response = _approve(login(user), project)
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT
    assert response.status_code in (200, 404)
    assert not TransitionLog.for_object(project).exists()


def test_an_approved_project_cannot_be_approved_again(login):
    project = ServiceProjectFactory(state=ProjectState.APPROVED)
    staff = BureauStaffFactory(organization=project.bureau)
    response = _approve(login(staff), project)
    assert "当前状态下不能执行此操作" in response.content.decode()
    assert not TransitionLog.for_object(project).exists()


def test_get_is_not_allowed(login):
    project = ServiceProjectFactory()
    staff = BureauStaffFactory(organization=project.bureau)
    assert login(staff).get(reverse("projects:approve", args=[project.pk])).status_code == 405
