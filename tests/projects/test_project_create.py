"""Bureau staff create a project through the form; bad input comes back with Chinese errors."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import TransitionLog
from projects.models import ProjectState, ServiceProject
from tests.factories.accounts import BureauStaffFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "title": "“携手成长、守护阳光”关爱农村留守儿童保护项目",
        "category": "left_behind_children",
        "region": "湖北省潜江市",
        "budget": "500000.00",
        "fund_source": "welfare_lottery",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "description": "社工+志愿者专业服务",
        "performance_targets": "服务农村留守儿童不少于800人",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-category": "left_behind_child",
        "targets-0-count": "800",
        "targets-1-category": "",
        "targets-1-count": "",
    }
    data.update(overrides)
    return data


def test_create_a_draft_with_exact_budget(login):
    staff = BureauStaffFactory()
    response = login(staff).post(reverse("projects:create"), _form(budget="500000.01"))
    project = ServiceProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.budget == Decimal("500000.01")
    assert project.bureau == staff.organization
    assert project.state == ProjectState.DRAFT
    assert project.code.startswith("GM")
    assert [(t.category, t.count) for t in project.target_groups.all()] == [
        ("left_behind_child", 800)
    ]
    assert TransitionLog.for_object(project).get().transition == "create"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"budget": "-5"}, "budget", "0.01"),
        ({"budget": "abc"}, "budget", "数"),
        ({"period_end": "2026-12-31"}, "period_end", "服务期结束日期不得早于开始日期"),
        ({"title": ""}, "title", "必填项"),
        (
            {"targets-1-category": "left_behind_child", "targets-1-count": "5"},
            None,
            "每类服务对象只能填写一次",
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(login, overrides, field, message):
    response = login(BureauStaffFactory()).post(reverse("projects:create"), _form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceProject.objects.exists()


def test_edit_changes_a_draft(login):
    staff = BureauStaffFactory()
    login(staff).post(reverse("projects:create"), _form())
    project = ServiceProject.objects.get()
    data = _form(budget="480000.00", **{"targets-INITIAL_FORMS": "0"})
    response = login(staff).post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.budget == Decimal("480000.00")
