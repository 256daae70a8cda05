"""The project API: same visibility and rules as the pages, transitions as POSTs with reasons."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import TransitionLog
from projects.models import ProjectState, ServiceProject
from tests.factories.accounts import BureauFinanceFactory, BureauStaffFactory, NgoUserFactory
from tests.factories.projects import ServiceProjectFactory
from tests.roles import ROLES, build_world

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


PAYLOAD = {
    "title": "监利县老人儿童快乐之家运营服务项目",
    "category": "happy_home",
    "region": "湖北省荆州市监利县",
    "budget": "360000.00",
    "fund_source": "welfare_lottery",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
    "performance_targets": "运营快乐之家6所",
    "target_groups": [{"category": "left_behind_elder", "count": 240}],
}


def test_token_user_creates_and_approves_a_project():
    staff = BureauStaffFactory()
    client = _client(staff)
    created = client.post("/api/v1/projects/", PAYLOAD, format="json")
    assert created.status_code == 201, created.content
    assert created.data["state"] == "draft"
    assert created.data["budget"] == "360000.00"
    pk = created.data["id"]
    approved = client.post(f"/api/v1/projects/{pk}/approve/", {"note": "局务会通过"}, format="json")
    assert approved.status_code == 200
    assert approved.data["state"] == "approved"
    assert (
        TransitionLog.for_object(ServiceProject.objects.get(pk=pk))
        .filter(transition="approve")
        .exists()
    )
    history = client.get(f"/api/v1/projects/{pk}/history/")
    assert [h["target_state"] for h in history.data] == ["draft", "approved"]


def test_refusals_carry_the_reason_and_the_right_status():
    project = ServiceProjectFactory(groups=[])
    staff = BureauStaffFactory(organization=project.bureau)
    conflict = _client(staff).post(f"/api/v1/projects/{project.pk}/approve/", {}, format="json")
    assert conflict.status_code == 409
    assert "服务对象" in conflict.data["detail"]
    finance = BureauFinanceFactory(organization=project.bureau)
    forbidden = _client(finance).post(f"/api/v1/projects/{project.pk}/approve/", {}, format="json")
    assert forbidden.status_code == 403
    assert "业务人员" in forbidden.data["detail"]
    hidden = _client(NgoUserFactory()).post(
        f"/api/v1/projects/{project.pk}/approve/", {}, format="json"
    )
    assert hidden.status_code == 404
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT


def test_bad_input_is_a_400_naming_the_field():
    response = _client(BureauStaffFactory()).post(
        "/api/v1/projects/", PAYLOAD | {"budget": "abc", "period_end": "2026-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "budget" in response.data


def test_ngo_cannot_create():
    response = _client(NgoUserFactory()).post("/api/v1/projects/", PAYLOAD, format="json")
    assert response.status_code == 403
    assert not ServiceProject.objects.exists()


# role -> (list count, detail status) for one draft project of the county bureau
API_MATRIX = {
    "anonymous": (None, 401),
    "bureau_staff": (1, 200),
    "bureau_finance": (1, 200),
    "parent_bureau_staff": (1, 200),
    "other_bureau_staff": (0, 404),
    "ngo": (0, 404),
    "expert": (0, 404),
    "assessor": (0, 404),
    "auditor": (1, 200),
    "admin": (1, 200),
}


def test_api_visibility_matrix():
    world = build_world()
    project = ServiceProjectFactory(bureau=world.county)
    for role in ROLES:
        client = _client(world.users[role])
        listing = client.get("/api/v1/projects/")
        count, detail_status = API_MATRIX[role]
        if count is None:
            assert listing.status_code == 401, role
        else:
            assert listing.data["count"] == count, role
        assert client.get(f"/api/v1/projects/{project.pk}/").status_code == detail_status, role


def test_list_query_count_is_constant(django_assert_num_queries):
    staff = BureauStaffFactory()
    client = _client(staff)
    ServiceProjectFactory.create_batch(2, bureau=staff.organization)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/projects/")
    ServiceProjectFactory.create_batch(20, bureau=staff.organization)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/projects/").data["count"] == 22


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/projects/{id}/approve/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()
