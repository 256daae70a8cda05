"""Every funds page against every role."""

import pytest
from django.test import Client
from django.urls import reverse

from procurement.models import ContractState
from tests.factories.accounts import PASSWORD, NgoUserFactory
from tests.factories.funds import MilestoneFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory
from tests.roles import ROLES, build_world

pytestmark = pytest.mark.django_db
OK, DENIED, NOT_FOUND, LOGIN = 200, 403, 404, 302


def _client(user):
    c = Client()
    if user is not None:
        assert c.login(username=user.username, password=PASSWORD)
    return c


def test_pages_by_role():
    world = build_world()
    supplier = world.users["ngo"].organization
    project = ServiceProjectFactory(bureau=world.county, state="in_service")
    contract = ContractFactory(project=project, supplier=supplier, state=ContractState.IN_SERVICE)
    milestone = MilestoneFactory(contract=contract)
    bureau_and_audit = {
        "bureau_staff": OK,
        "bureau_finance": OK,
        "parent_bureau_staff": OK,
        "auditor": OK,
        "admin": OK,
    }
    expectations = {
        reverse("funds:milestone", args=[milestone.pk]): dict.fromkeys(ROLES, NOT_FOUND)
        | {"anonymous": LOGIN, "ngo": OK}
        | bureau_and_audit,
        reverse("funds:service_records", args=[contract.pk]): dict.fromkeys(ROLES, NOT_FOUND)
        | {"anonymous": LOGIN, "ngo": OK}
        | bureau_and_audit,
        reverse("funds:ledger"): dict.fromkeys(ROLES, DENIED)
        | {"anonymous": LOGIN, "other_bureau_staff": OK}
        | bureau_and_audit,
        reverse("funds:overview"): dict.fromkeys(ROLES, DENIED)
        | {"anonymous": LOGIN, "other_bureau_staff": OK}
        | bureau_and_audit,
        reverse("funds:payments"): dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN},
    }
    for url, by_role in expectations.items():
        for role in ROLES:
            status = _client(world.users[role]).get(url).status_code
            assert status == by_role[role], (url, role, status)


def test_another_ngo_cannot_see_or_submit():
    world = build_world()
    project = ServiceProjectFactory(bureau=world.county, state="in_service")
    milestone = MilestoneFactory(contract=ContractFactory(project=project))
    stranger = NgoUserFactory()
    client = _client(stranger)
    assert client.get(reverse("funds:milestone", args=[milestone.pk])).status_code == 404
    assert (
        client.post(
            reverse("funds:deliverable_submit", args=[milestone.pk]), {"title": "x"}
        ).status_code
        == 404
    )
    milestone.refresh_from_db()
    assert milestone.state == "planned"
