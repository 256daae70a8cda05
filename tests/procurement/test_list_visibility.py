"""Who sees which tenders and contracts in lists: every role against tenders and contracts in
every state, in the user's bureau tree and outside it. Drafts of tenders only within the bureau
tree (and for auditors); contracts once signed for all, before that for the supplier and the
bureau tree."""

import pytest

from accounts.models import Role
from procurement.models import Contract, ContractState, Tender, TenderState
from procurement.permissions import visible_contracts_q, visible_tenders_q
from projects.models import ProjectState
from tests.factories.accounts import BureauStaffFactory, NgoFactory, NgoUserFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory
from tests.procurement.conftest import make_tender
from tests.roles import ROLES, build_world

pytestmark = pytest.mark.django_db

# The part of the world each bureau role's tree holds; auditors and admins see every part.
TREE_OF = {
    "bureau_staff": "tree",
    "bureau_finance": "tree",
    "parent_bureau_staff": "tree",
    "other_bureau_staff": "other",
}
EVERYTHING = {"auditor", "admin", "superuser_staff"}


def _users(world):
    """Each logged-in user of the world by role, and two superusers: they keep their role's
    lists, one with a bureau role seeing every bureau's (as its projects), one with an NGO's
    role only what an NGO sees (`createsuperuser` makes an NGO)."""
    world.users["superuser_staff"] = BureauStaffFactory(
        organization=world.county, is_superuser=True
    )
    world.users["superuser_ngo"] = NgoUserFactory(is_superuser=True)
    for role in [*ROLES, "superuser_staff", "superuser_ngo"]:
        if world.users[role] is not None:
            yield role, world.users[role]


def _tenders(world) -> dict[tuple[str, str], Tender]:
    staff = world.users["bureau_staff"]
    other_staff = world.users["other_bureau_staff"]
    made = {}
    for where, bureau, author in (
        ("tree", world.county, staff),
        ("other", world.other, other_staff),
    ):
        for state in TenderState.values:
            project = ServiceProjectFactory(bureau=bureau, state=ProjectState.APPROVED)
            tender = make_tender(project, author, publish=False)
            Tender.objects.filter(pk=tender.pk).update(state=state)
            made[(where, state)] = tender
    return made


def test_tender_lists_by_role():
    world = build_world()
    tenders = _tenders(world)
    for role, user in _users(world):
        seen = set(Tender.objects.filter(visible_tenders_q(user)).values_list("pk", flat=True))
        expected = {
            t.pk
            for (where, state), t in tenders.items()
            if state != TenderState.DRAFT or role in EVERYTHING or TREE_OF.get(role) == where
        }
        assert seen == expected, role


def test_contract_lists_by_role():
    world = build_world()
    ngo = world.users["ngo"]
    stranger = NgoFactory()
    contracts = {}
    for where, bureau in (("tree", world.county), ("other", world.other)):
        for supplier_name, supplier in (("mine", ngo.organization), ("theirs", stranger)):
            for state in ContractState.values:
                project = ServiceProjectFactory(bureau=bureau, state=ProjectState.CONTRACTED)
                contract = ContractFactory(project=project, supplier=supplier)
                Contract.objects.filter(pk=contract.pk).update(state=state)
                contracts[(where, supplier_name, state)] = contract
    signed = {ContractState.SIGNED, ContractState.IN_SERVICE, ContractState.COMPLETED}
    for role, user in _users(world):
        seen = set(Contract.objects.filter(visible_contracts_q(user)).values_list("pk", flat=True))
        expected = {
            c.pk
            for (where, supplier, state), c in contracts.items()
            if state in signed
            or (user.role == Role.NGO and c.supplier_id == user.organization_id)
            or role in EVERYTHING
            or TREE_OF.get(role) == where
        }
        assert seen == expected, role
