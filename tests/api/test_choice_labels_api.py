"""API lists give each choice's label in the request's language beside its stored value."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import ProjectState
from tests.factories.accounts import BureauStaffFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _labels(language: str) -> dict[str, str]:
    staff = BureauStaffFactory()
    ServiceProjectFactory(bureau=staff.organization, state=ProjectState.APPROVED)
    ServiceProjectFactory(bureau=staff.organization, state=ProjectState.DRAFT)
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    answer = client.get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200
    return {row["state"]: row["state_display"] for row in answer.data["results"]}


def test_labels_in_chinese_by_default():
    assert _labels("zh-hans") == {"approved": "已立项", "draft": "草稿"}


def test_labels_in_english_when_asked():
    assert _labels("en") == {"approved": "Approved", "draft": "Draft"}
