"""Every project page against every role: who gets the page, who is refused, who is sent to log in."""

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import ProjectState
from tests.factories.accounts import PASSWORD
from tests.factories.projects import ServiceProjectFactory
from tests.roles import ROLES, build_world

pytestmark = pytest.mark.django_db

OK, DENIED, NOT_FOUND, LOGIN = 200, 403, 404, 302

# page -> role -> expected status, for a draft project of the county bureau
DRAFT_MATRIX = {
    "home": dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN},
    "list": dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN},
    "create": dict.fromkeys(ROLES, DENIED)
    | {"anonymous": LOGIN, "bureau_staff": OK, "parent_bureau_staff": OK, "other_bureau_staff": OK},
    "detail": {
        "anonymous": LOGIN,
        "bureau_staff": OK,
        "bureau_finance": OK,
        "parent_bureau_staff": OK,
        "other_bureau_staff": NOT_FOUND,
        "ngo": NOT_FOUND,
        "expert": NOT_FOUND,
        "assessor": NOT_FOUND,
        "auditor": OK,
        "admin": OK,
    },
    "edit": {
        "anonymous": LOGIN,
        "bureau_staff": OK,
        "bureau_finance": DENIED,
        "parent_bureau_staff": DENIED,
        "other_bureau_staff": NOT_FOUND,
        "ngo": NOT_FOUND,
        "expert": NOT_FOUND,
        "assessor": NOT_FOUND,
        "auditor": DENIED,
        "admin": DENIED,
    },
}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def _url(page: str, project) -> str:
    if page in ("home",):
        return reverse("home")
    if page in ("list", "create"):
        return reverse(f"projects:{page}")
    return reverse(f"projects:{page}", args=[project.pk])


@pytest.mark.parametrize("page", list(DRAFT_MATRIX))
def test_draft_project_pages(page):
    world = build_world()
    project = ServiceProjectFactory(bureau=world.county)
    for role in ROLES:
        response = _client(world.users[role]).get(_url(page, project))
        assert response.status_code == DRAFT_MATRIX[page][role], (page, role)


def test_published_project_is_visible_to_ngos_but_not_editable():
    world = build_world()
    project = ServiceProjectFactory(bureau=world.county, state=ProjectState.TENDERING)
    for role in ("ngo", "expert", "assessor"):
        client = _client(world.users[role])
        assert client.get(_url("detail", project)).status_code == OK
        assert client.get(_url("edit", project)).status_code == DENIED


def test_list_shows_each_role_only_what_it_may_see():
    world = build_world()
    own = ServiceProjectFactory(bureau=world.county, title="县级草稿项目")
    parents = ServiceProjectFactory(bureau=world.city, title="市级草稿项目")
    foreign = ServiceProjectFactory(bureau=world.other, title="外地草稿项目")
    public = ServiceProjectFactory(
        bureau=world.other, title="外地采购中项目", state=ProjectState.TENDERING
    )
    expected = {
        "bureau_staff": {own, public} - {public},
        "parent_bureau_staff": {own, parents},
        "other_bureau_staff": {foreign, public},
        "ngo": {public},
        "auditor": {own, parents, foreign, public},
    }
    for role, projects in expected.items():
        response = _client(world.users[role]).get(reverse("projects:list"))
        shown = {p.pk for p in response.context["page"].object_list}
        assert shown == {p.pk for p in projects}, role
