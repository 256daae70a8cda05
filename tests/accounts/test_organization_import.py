"""Admins import organisations from a spreadsheet through the admin, with a dry run first."""

import io

import pytest
from django.urls import reverse

from accounts.demo import make_credit_code
from accounts.models import Organization
from tests.factories.accounts import AdminFactory, BureauFactory, NgoUserFactory

pytestmark = pytest.mark.django_db

HEADER = "name,kind,parent,level,region,credit_code,legal_representative,contact_person,phone,address,is_sme\n"


def _csv(rows: list[str]) -> io.BytesIO:
    data = io.BytesIO((HEADER + "\n".join(rows) + "\n").encode("utf-8"))
    data.name = "orgs.csv"
    return data


def _import(client, rows):
    url = reverse("admin:accounts_organization_import")
    return client.post(url, {"import_file": _csv(rows), "format": "0", "resource": "0"})


def test_good_file_previews_then_imports(login):
    BureauFactory(name="荆州市民政局")
    admin = login(AdminFactory())
    rows = [
        f"江陵县民政局,民政部门,荆州市民政局,县级,湖北省荆州市江陵县,{make_credit_code('11', '421024', 'a')},,,,,0",
        f"武汉博雅社会工作服务中心,ngo,,,湖北省武汉市,{make_credit_code('52', '420100', 'b')},黄蕾,,,,1",
    ]
    response = _import(admin, rows)
    assert response.status_code == 200
    assert Organization.objects.filter(name="江陵县民政局").count() == 0  # dry run wrote nothing
    assert "confirm" in response.content.decode()
    form = response.context["confirm_form"]
    confirm = admin.post(reverse("admin:accounts_organization_process_import"), form.initial)
    assert confirm.status_code == 302
    jiangling = Organization.objects.get(name="江陵县民政局")
    assert jiangling.parent.name == "荆州市民政局"
    assert jiangling.path.startswith(jiangling.parent.path)
    assert Organization.objects.get(name="武汉博雅社会工作服务中心").is_sme


def test_bad_rows_are_all_listed_and_nothing_is_written(login):
    admin = login(AdminFactory())
    before = Organization.objects.count()
    rows = [
        f"好机构,ngo,,,武汉,{make_credit_code('52', '420100', 'ok')},,,,,1",
        "坏代码机构,ngo,,,武汉,91110000600037341M,,,,,1",
        f"无上级机构,bureau,不存在的民政局,county,某县,{make_credit_code('11', '420000', 'c')},,,,,0",
        f"未知类型,foundation,,,武汉,{make_credit_code('52', '420100', 'd')},,,,,0",
    ]
    response = _import(admin, rows)
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验位" in body  # row 2: wrong check digit
    assert "不存在的民政局" in body  # row 3: unknown parent
    assert "foundation" in body  # row 4: unknown kind
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Organization.objects.count() == before


def test_non_admin_cannot_reach_the_import(login):
    response = login(NgoUserFactory()).get(reverse("admin:accounts_organization_import"))
    assert response.status_code in (302, 403)
