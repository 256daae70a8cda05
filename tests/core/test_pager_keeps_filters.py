"""The shared pager (core/_pager.html) keeps a list's filters in its links and moves only its own
page: following "next" on a filtered list shows the next page of the same filtered list.
Filter values are URL-encoded (Chinese text, `&` inside a value)."""

import datetime as dt
import html
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from funds.models import ServiceRecord
from notifications.models import Notification
from projects.models import ProjectState
from tests.factories.accounts import AuditorFactory, BureauFactory, NgoUserFactory
from tests.factories.beneficiaries import BeneficiaryFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def _link(body: str, label: str) -> str:
    """The href of the pager's link named `label` (下一页 / 上一页), as the browser follows it."""
    pager = re.search(r'<div class="pagination">(.*?)</div>', body, re.S)
    assert pager, "no pager on the page"
    found = re.search(rf'<a href="([^"]*)">{label}</a>', pager.group(1))
    assert found, f"no {label} link in {pager.group(1)!r}"
    return html.unescape(found.group(1))


def test_project_search_in_chinese_with_an_ampersand_stays_on_the_next_page(login):
    bureau = BureauFactory()
    for n in range(27):  # 25 a page: two pages of matches
        ServiceProjectFactory(bureau=bureau, title=f"青少年 & 家庭服务{n}")
    ServiceProjectFactory.create_batch(5, bureau=bureau)  # do not match the search
    client = login(AuditorFactory())
    url = reverse("projects:list")
    search = {"q": "青少年 & 家庭", "state": ProjectState.DRAFT}

    first = client.get(url, search).content.decode()
    href = _link(first, "下一页")
    # Encoded once, in the form's order, with the page last: `&` in the value is %26.
    assert href == "?" + urlencode({**search, "page": 2})
    assert "%26" in href and "%E9%9D%92" in href

    second = client.get(url + href)
    page = second.context["page"]
    assert page.number == 2
    assert page.paginator.count == 27  # still the search's matches, not all 32 projects
    assert all("青少年 & 家庭" in p.title for p in page.object_list)
    assert _link(second.content.decode(), "上一页") == "?" + urlencode({**search, "page": 1})


def test_case_files_of_a_village_keep_the_village_and_category(login, monkeypatch):
    monkeypatch.setattr("beneficiaries.views.PAGE_SIZE", 2)
    ngo = NgoUserFactory()
    BeneficiaryFactory.create_batch(5, organization=ngo.organization, village="熊口镇赵脑村")
    BeneficiaryFactory.create_batch(3, organization=ngo.organization)  # another village
    client = login(ngo)
    url = reverse("beneficiaries:list")
    search = {"village": "赵脑村", "category": "left_behind_child", "page": 2}

    href = _link(client.get(url, search).content.decode(), "下一页")
    assert href == "?" + urlencode({**search, "page": 3})

    last = client.get(url + href).context["page"]
    assert last.number == 3
    assert last.paginator.count == 5
    assert [b.village for b in last.object_list] == ["熊口镇赵脑村"]


def test_unread_notifications_stay_unread_only_on_the_next_page(login):
    user = NgoUserFactory()
    for n in range(55):  # 50 a page
        Notification.objects.create(recipient=user, kind="test", key=f"k{n}", title=f"通知{n}")
    Notification.objects.filter(recipient=user, key__in=["k0", "k1", "k2"]).update(
        read_at="2026-01-01T00:00:00Z"
    )
    client = login(user)
    url = reverse("notifications:inbox")

    href = _link(client.get(url, {"unread": "1"}).content.decode(), "下一页")
    assert href == "?unread=1&page=2"

    page = client.get(url + href).context["page"]
    assert page.number == 2
    assert page.paginator.count == 52  # the unread ones only


def test_service_records_of_one_social_worker_and_dates_keep_them_on_the_next_page(login):
    contract = ContractFactory()
    for n in range(60):  # 50 a page
        ServiceRecord.objects.create(
            contract=contract,
            date=dt.date(2026, 3, 1) + dt.timedelta(days=n % 20),
            place="园林街道三桥村",
            service_type="group",
            beneficiary_category="left_behind_child",
            beneficiary_count=3,
            hours=2,
            social_worker="李社工" if n < 55 else "王社工",
        )
    client = login(NgoUserFactory(organization=contract.supplier))
    url = reverse("funds:service_records", args=[contract.pk])
    search = {"start": "2026-03-01", "end": "2026-03-31", "social_worker": "李社工"}

    href = _link(client.get(url, search).content.decode(), "下一页")
    assert href == "?" + urlencode({**search, "page": 2})

    page = client.get(url + href).context["records"]
    assert page.number == 2
    assert page.paginator.count == 55
    assert {r.social_worker for r in page.object_list} == {"李社工"}
