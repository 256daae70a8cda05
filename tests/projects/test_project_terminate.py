import pytest
from django.urls import reverse

from core.models import TransitionLog
from projects.models import ProjectState
from tests.factories.accounts import BureauStaffFactory, NgoUserFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_terminate_records_the_reason(login):
    project = ServiceProjectFactory(state=ProjectState.TENDERING)
    staff = BureauStaffFactory(organization=project.bureau)
    reason = "财政预算调整，本年度不再采购。"
    login(staff).post(reverse("projects:terminate", args=[project.pk]), {"reason": reason})
    project.refresh_from_db()
    assert project.state == ProjectState.TERMINATED
    assert project.termination_reason == reason
    log = TransitionLog.for_object(project).get()
    assert (log.source_state, log.target_state, log.note) == ("tendering", "terminated", reason)


def test_terminate_without_reason_is_refused(login):
    project = ServiceProjectFactory(state=ProjectState.APPROVED)
    staff = BureauStaffFactory(organization=project.bureau)
    response = login(staff).post(
        reverse("projects:terminate", args=[project.pk]), {"reason": ""}, follow=True
    )
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    assert "终止项目须填写原因" in response.content.decode()


def test_a_closed_project_cannot_be_terminated(login):
    project = ServiceProjectFactory(state=ProjectState.CLOSED)
    staff = BureauStaffFactory(organization=project.bureau)
    login(staff).post(reverse("projects:terminate", args=[project.pk]), {"reason": "x"})
    project.refresh_from_db()
    assert project.state == ProjectState.CLOSED


def test_an_ngo_cannot_terminate(login):
    project = ServiceProjectFactory(state=ProjectState.TENDERING)
    login(NgoUserFactory()).post(reverse("projects:terminate", args=[project.pk]), {"reason": "x"})
    project.refresh_from_db()
    assert project.state == ProjectState.TENDERING
