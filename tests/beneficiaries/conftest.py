"""An NGO with a contract and a few case files, another NGO, and one user per other role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Organization, User
from beneficiaries.models import Beneficiary
from procurement.models import Contract
from tests.factories.accounts import NgoFactory, NgoUserFactory
from tests.factories.beneficiaries import BeneficiaryFactory
from tests.factories.procurement import ContractFactory
from tests.funds.conftest import money  # noqa: F401 - the contract in service, for acceptance
from tests.roles import build_world


@dataclass
class Register:
    ngo: Organization
    contract: Contract
    staff: User
    other_ngo_staff: User
    files: list[Beneficiary]
    users: dict[str, User | None]


@pytest.fixture
def register(db) -> Register:
    ngo = NgoFactory(name="武汉爱心天使社会工作服务中心")
    contract = ContractFactory(supplier=ngo, number="HT-QJ-TEST-001")
    files = [
        BeneficiaryFactory(organization=ngo, contract=contract, name="周子涵"),
        BeneficiaryFactory(
            organization=ngo, contract=contract, name="彭浩然", village="竹根滩镇新桥村"
        ),
        BeneficiaryFactory(
            organization=ngo,
            contract=contract,
            name="彭德茂",
            category="left_behind_elder",
            birth_date=None,
            birth_year=1948,
            id_number="",
            guardian_name="",
            village="竹根滩镇新桥村",
        ),
    ]
    world = build_world()
    return Register(
        ngo=ngo,
        contract=contract,
        staff=NgoUserFactory(organization=ngo),
        other_ngo_staff=NgoUserFactory(organization=NgoFactory()),
        files=files,
        users=world.users,
    )


@pytest.fixture(autouse=True)
def _risk_classes(request):
    """The risk classes a migration seeds. A transactional test elsewhere in the same worker
    flushes every table, seeded rows included, so tests here put them back the same way."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    import importlib

    from django.apps import apps

    request.getfixturevalue("db")
    importlib.import_module("beneficiaries.migrations.0003_seed_risk_classes").seed(apps, None)
