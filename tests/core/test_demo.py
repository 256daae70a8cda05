"""The demo loads on an empty database, loads again without duplicating, and the login page lists it."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Organization, Role, User
from core.models import TransitionLog
from projects.models import ProjectState, ServiceProject

# The demo acts today: deadlines past the official calendar get the TEST-ONLY arrangement.
pytestmark = pytest.mark.usefixtures("calendar_ahead")


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_realistic(settings):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discard output
    counts = (
        Organization.objects.count(),
        User.objects.count(),
        ServiceProject.objects.count(),
        TransitionLog.objects.count(),
    )
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Organization.objects.count(),
        User.objects.count(),
        ServiceProject.objects.count(),
        TransitionLog.objects.count(),
    ) == counts
    qianjiang = ServiceProject.objects.get(title__contains="携手成长、守护阳光")
    assert qianjiang.bureau.name == "潜江市民政局"
    assert qianjiang.budget == 500000
    assert Organization.objects.get(name="江陵县民政局").parent.name == "荆州市民政局"
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert ServiceProject.objects.filter(state=ProjectState.TERMINATED).exists()


@pytest.mark.django_db
def test_login_page_lists_one_demo_login_per_role_in_demo_mode_only(settings):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    body = Client().get(reverse("login")).content.decode()
    for username in [
        "qj_staff",
        "qj_finance",
        "aixin",
        "expert1",
        "assessor_lead",
        "auditor",
        "admin",
    ]:
        assert f"<code>{username}</code>" in body
    assert "Sanshe@2026" in body
    settings.DEMO_MODE = False
    body = Client().get(reverse("login")).content.decode()
    assert "qj_staff" not in body and "Sanshe@2026" not in body


@pytest.mark.django_db
def test_a_demo_login_works_and_shows_the_workbench(settings):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = Client()
    response = client.post(
        reverse("login"), {"username": "qj_staff", "password": "Sanshe@2026"}, follow=True
    )
    body = response.content.decode()
    assert "工作台" in body
    assert "潜江市民政局" in body
