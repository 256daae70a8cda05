"""Every procurement page against every role."""

import pytest
from django.test import Client
from django.urls import reverse

from procurement import services
from projects.models import ProjectState
from tests.factories.accounts import PASSWORD
from tests.factories.projects import ServiceProjectFactory
from tests.procurement.conftest import make_tender
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
    staff = world.users["bureau_staff"]
    project = ServiceProjectFactory(bureau=world.county, state=ProjectState.APPROVED)
    draft = make_tender(project, staff, publish=False)
    other = ServiceProjectFactory(bureau=world.county, state=ProjectState.APPROVED)
    published = services.tender_publish(
        tender=make_tender(other, staff, publish=False), actor=staff
    )
    expectations = {
        reverse("procurement:tender_list"): dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN},
        reverse("procurement:notices"): dict.fromkeys(ROLES, OK),
        reverse("procurement:notice_detail", args=[published.pk]): dict.fromkeys(ROLES, OK),
        reverse("procurement:notice_detail", args=[draft.pk]): dict.fromkeys(ROLES, NOT_FOUND),
        reverse("procurement:tender_detail", args=[draft.pk]): dict.fromkeys(ROLES, NOT_FOUND)
        | {
            "anonymous": LOGIN,
            "bureau_staff": OK,
            "bureau_finance": OK,
            "parent_bureau_staff": OK,
            "auditor": OK,
            "admin": OK,
        },
        reverse("procurement:tender_detail", args=[published.pk]): dict.fromkeys(ROLES, OK)
        | {"anonymous": LOGIN},
        reverse("procurement:bid_submit", args=[published.pk]): dict.fromkeys(ROLES, DENIED)
        | {"anonymous": LOGIN, "ngo": OK},
        reverse(
            "procurement:tender_create",
            args=[ServiceProjectFactory(bureau=world.county, state=ProjectState.APPROVED).pk],
        ): dict.fromkeys(ROLES, NOT_FOUND)
        | {
            "anonymous": LOGIN,
            "bureau_staff": OK,
            "bureau_finance": DENIED,
            "parent_bureau_staff": DENIED,
            "auditor": DENIED,
            "admin": DENIED,
        },
        reverse("procurement:score_sheet", args=[published.pk]): dict.fromkeys(ROLES, DENIED)
        | {"anonymous": LOGIN},
        reverse("procurement:contract_list"): dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN},
    }
    for url, by_role in expectations.items():
        for role in ROLES:
            status = _client(world.users[role]).get(url).status_code
            assert status == by_role[role], (url, role, status)


def test_state_changes_refuse_other_roles():
    world = build_world()
    staff = world.users["bureau_staff"]
    project = ServiceProjectFactory(bureau=world.county, state=ProjectState.APPROVED)
    draft = make_tender(project, staff, publish=False)
    for role in ("bureau_finance", "parent_bureau_staff", "ngo", "expert", "auditor"):
        _client(world.users[role]).post(reverse("procurement:tender_publish", args=[draft.pk]))
        draft.refresh_from_db()
        assert draft.state == "draft", role


def test_only_experts_and_the_bureau_sit_on_the_panel():
    from core.fsm import ActionRefusedError

    world = build_world()
    staff = world.users["bureau_staff"]
    project = ServiceProjectFactory(bureau=world.county, state=ProjectState.APPROVED)
    tender = make_tender(project, staff)
    for role in ("ngo", "assessor", "auditor", "other_bureau_staff"):
        with pytest.raises(ActionRefusedError, match="采购人"):
            services.panel_member_add(tender=tender, actor=staff, user=world.users[role])
    # Experts are never chosen by hand: they are drawn from the pool (实施条例第39条).
    with pytest.raises(ActionRefusedError, match="实施条例第39条"):
        services.panel_member_add(tender=tender, actor=staff, user=world.users["expert"])
    assert not services.panel_member_add(
        tender=tender, actor=staff, user=staff, is_expert=True
    ).is_expert
