"""Only the owning NGO's staff see its case files: pages, API, admin, and the permission functions."""

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.permissions import (
    can_change_beneficiary,
    can_erase_beneficiary,
    can_export_beneficiary,
    can_view_beneficiary,
    visible_beneficiaries_q,
)
from tests.roles import ROLES

pytestmark = pytest.mark.django_db

OUTSIDERS = [r for r in ROLES if r != "anonymous"]  # "ngo" in tests.roles is another NGO


def _client(login, user):
    from django.test import Client

    return Client() if user is None else login(user)


def test_the_owning_ngo_sees_its_files(register, login):
    client = login(register.staff)
    assert client.get(reverse("beneficiaries:list")).status_code == 200
    assert client.get(reverse("beneficiaries:create")).status_code == 200
    child = register.files[0]
    assert client.get(reverse("beneficiaries:edit", args=[child.pk])).status_code == 200
    assert can_view_beneficiary(register.staff, child)
    assert can_change_beneficiary(register.staff, child)
    assert set(Beneficiary.objects.filter(visible_beneficiaries_q(register.staff))) == set(
        register.files
    )


@pytest.mark.parametrize("role", ROLES)  # "ngo" here is staff of another NGO
def test_every_other_role_gets_403_or_404_and_never_a_name(register, login, role):
    user = register.users[role]
    client = _client(login, user)
    child = register.files[0]
    pages = [
        reverse("beneficiaries:list"),
        reverse("beneficiaries:create"),
        reverse("beneficiaries:edit", args=[child.pk]),
    ]
    for url in pages:
        response = client.get(url)
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif role == "ngo" and "edit" not in url:
            assert response.status_code == 200  # another NGO: its own, empty register
        else:
            assert response.status_code in (403, 404), (role, url, response.status_code)
        assert child.name not in response.content.decode()
    if user is not None:
        assert not can_view_beneficiary(user, child)
        assert not Beneficiary.objects.filter(visible_beneficiaries_q(user)).exists()


def test_staff_of_another_ngo_get_404_for_a_file_and_an_empty_list(register, login):
    client = login(register.other_ngo_staff)
    child = register.files[0]
    assert client.get(reverse("beneficiaries:edit", args=[child.pk])).status_code == 404
    body = client.get(reverse("beneficiaries:list")).content.decode()
    assert child.name not in body
    response = client.post(
        reverse("beneficiaries:edit", args=[child.pk]), {"name": "改名", "village": "x"}
    )
    assert response.status_code == 404
    child.refresh_from_db()
    assert child.name == "周子涵"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_api_lists_nothing_and_404s_a_file_for_everyone_else(register, login, role):
    client = login(register.users[role])
    data = client.get("/api/v1/beneficiaries/").json()
    assert data["count"] == 0
    assert client.get(f"/api/v1/beneficiaries/{register.files[0].pk}/").status_code == 404


def test_the_api_is_read_only(register, login):
    client = login(register.staff)
    child = register.files[0]
    assert client.post("/api/v1/beneficiaries/", {"name": "x"}).status_code == 405
    assert (
        client.patch(
            f"/api/v1/beneficiaries/{child.pk}/", {"name": "x"}, content_type="application/json"
        ).status_code
        == 405
    )
    assert client.get("/api/v1/beneficiaries/").json()["count"] == 3


@pytest.mark.parametrize("role", [r for r in OUTSIDERS if r != "admin"])
def test_the_django_admin_is_closed_to_everyone_but_the_platform_admin(register, login, role):
    user = register.users[role]
    user.is_staff = True  # even a staff flag set by mistake does not open it
    user.save()
    response = login(user).get(reverse("admin:beneficiaries_beneficiary_changelist"))
    assert response.status_code == 403
    assert not can_export_beneficiary(user, register.files[0])
    assert not can_erase_beneficiary(user, register.files[0])


def test_the_admin_cannot_add_change_or_delete_and_lists_nothing_until_it_searches(register, login):
    client = login(register.users["admin"])
    changelist = reverse("admin:beneficiaries_beneficiary_changelist")
    body = client.get(changelist).content.decode()
    assert "周**" not in body and "彭**" not in body  # no browsing the register
    assert "周**" in client.get(changelist, {"q": "周子涵"}).content.decode()
    assert client.get(reverse("admin:beneficiaries_beneficiary_add")).status_code == 403
    child = register.files[0]
    assert (
        client.get(reverse("admin:beneficiaries_beneficiary_delete", args=[child.pk])).status_code
        == 403
    )
    view = client.get(reverse("admin:beneficiaries_beneficiary_change", args=[child.pk]))
    assert view.status_code == 200  # read-only, masked
    page = view.content.decode()
    assert child.name not in page and child.id_number not in page
    assert child.guardian_phone not in page
    assert 'name="id_number"' not in page and 'name="name"' not in page


def test_the_admin_is_not_the_ngo_in_pages(register, login):
    client = login(register.users["admin"])
    assert client.get(reverse("beneficiaries:list")).status_code == 403
    assert client.get(reverse("beneficiaries:edit", args=[register.files[0].pk])).status_code == 404
