"""Every evaluation page against every role (tests/roles.py), on a consolidated evaluation."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluation import services
from evaluation.models import EvaluationState
from tests.evaluation.conftest import Cast, fill_and_submit, full_marks, to_scoring
from tests.factories.accounts import PASSWORD, AssessorFactory
from tests.factories.evaluation import IndicatorSystemFactory
from tests.factories.procurement import ContractFactory
from tests.roles import ROLES, build_world

pytestmark = pytest.mark.django_db

OK, DENIED, NOT_FOUND, LOGIN = 200, 403, 404, 302
EVERYONE = dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN}
# Who may see this county's evaluation at all (others get 404).
SEES = {
    "anonymous": LOGIN,
    "bureau_staff": OK,
    "bureau_finance": OK,
    "parent_bureau_staff": OK,
    "other_bureau_staff": NOT_FOUND,
    "ngo": OK,
    "expert": NOT_FOUND,
    "assessor": OK,
    "auditor": OK,
    "admin": OK,
}
MATRIX = {
    "list": EVERYONE,
    "system_list": EVERYONE,
    "system_detail": EVERYONE,
    "system_export": EVERYONE,
    "frame_download": EVERYONE,
    "system_import": dict.fromkeys(ROLES, DENIED)
    | {"anonymous": LOGIN, "bureau_staff": OK, "parent_bureau_staff": OK, "other_bureau_staff": OK},
    "analysis": dict.fromkeys(ROLES, OK)
    | {"anonymous": LOGIN, "ngo": DENIED, "expert": DENIED, "assessor": DENIED},
    "commission": dict.fromkeys(ROLES, DENIED)
    | {"anonymous": LOGIN, "bureau_staff": OK, "other_bureau_staff": NOT_FOUND},
    "detail": SEES,
    # The lead has no sheet of their own here; nobody else may open one.
    "sheet": SEES | {k: DENIED for k, v in SEES.items() if v == OK},
    "comparison": SEES | {"ngo": DENIED},
    "sheet_view": SEES | {"ngo": DENIED},
    "report": SEES | {"ngo": DENIED},
}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def consolidated():
    world = build_world()
    lead = world.users["assessor"]
    contract = ContractFactory(
        project__bureau=world.county,
        project__created_by=world.users["bureau_staff"],
        supplier=world.users["ngo"].organization,
    )
    cast = Cast(
        staff=world.users["bureau_staff"],
        ngo=world.users["ngo"],
        lead=lead,
        assessors=[AssessorFactory(organization=lead.organization) for _ in range(3)],
        contract=contract,
        system=IndicatorSystemFactory(),
        assessor_org=lead.organization,
    )
    evaluation = fill_and_submit(to_scoring(cast), [full_marks()] * 3)
    services.evaluation_consolidate(evaluation=evaluation, actor=lead)
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.CONSOLIDATED
    return world, evaluation


def _url(page: str, evaluation) -> str:
    if page in ("list", "system_list", "system_import", "analysis", "frame_download"):
        return reverse(f"evaluation:{page}")
    if page in ("system_detail", "system_export"):
        return reverse(f"evaluation:{page}", args=[evaluation.system_id])
    if page == "sheet_view":
        return reverse(f"evaluation:{page}", args=[evaluation.pk, evaluation.sheets.first().pk])
    if page == "commission":
        return reverse("evaluation:commission", args=[evaluation.project_id])
    return reverse(f"evaluation:{page}", args=[evaluation.pk])


@pytest.mark.parametrize("page", list(MATRIX))
def test_evaluation_pages(page, consolidated):
    world, evaluation = consolidated
    for role in ROLES:
        response = _client(world.users[role]).get(_url(page, evaluation))
        assert response.status_code == MATRIX[page][role], (page, role)


def test_ngo_sees_the_report_once_confirmed(consolidated):
    world, evaluation = consolidated
    services.evaluation_confirm(evaluation=evaluation, actor=world.users["bureau_staff"])
    client = _client(world.users["ngo"])
    assert client.get(_url("report", evaluation)).status_code == OK
    assert client.get(_url("comparison", evaluation)).status_code == DENIED


def test_admin_pages_are_read_only(consolidated):
    world, evaluation = consolidated
    client = _client(world.users["admin"])
    assert client.get(reverse("admin:evaluation_evaluation_changelist")).status_code == OK
    assert (
        client.get(reverse("admin:evaluation_evaluation_change", args=[evaluation.pk])).status_code
        == OK
    )
    assert client.get(reverse("admin:evaluation_indicatorsystem_changelist")).status_code == OK
    assert client.get(reverse("admin:evaluation_evaluation_add")).status_code == DENIED
