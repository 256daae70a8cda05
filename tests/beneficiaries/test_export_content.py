"""导出个人数据: everything held about one person, as JSON, logged, for the administrator only."""

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from beneficiaries import services
from beneficiaries.models import Beneficiary
from core.fsm import ActionRefusedError
from core.models import TransitionLog

pytestmark = pytest.mark.django_db


def test_the_export_holds_every_field_the_contract_and_the_history(register):
    child = register.files[0]
    services.beneficiary_update(
        beneficiary=child, actor=register.staff, fields={"notes": "每周视频一次。"}
    )
    data = services.beneficiary_export(beneficiary=child, actor=register.users["admin"])
    record = data["record"]
    concrete = {f.name for f in Beneficiary._meta.concrete_fields} - {"organization", "contract"}
    assert set(record) == concrete
    assert record["name"] == "周子涵" and record["id_number"] == child.id_number
    assert record["guardian_phone"] == child.guardian_phone
    assert record["notes"] == "每周视频一次。"
    assert record["birth_date"] == child.birth_date.isoformat()
    assert data["labels"]["id_number"] == "身份证号"
    assert data["choices"]["category"] == "留守儿童"
    assert data["controller"] == register.ngo.name
    assert data["contract"]["number"] == "HT-QJ-TEST-001"
    assert data["contract"]["project"] == register.contract.project.title
    events = [h["event"] for h in data["history"]]
    assert events == ["update", "export"]  # the export itself is part of what is held
    assert data["history"][0]["note"] == "备注"  # which field changed, never its value
    json.dumps(data, ensure_ascii=False)  # serialisable as it is


def test_exporting_is_logged(register):
    child = register.files[0]
    services.beneficiary_export(beneficiary=child, actor=register.users["admin"])
    entry = TransitionLog.for_object(child).get()
    assert (entry.transition, entry.actor) == ("export", register.users["admin"])


def test_an_erased_file_exports_only_what_remains(register):
    child = register.files[0]
    services.beneficiary_erase(
        beneficiary=child, actor=register.users["admin"], reason="DSR-1 已核"
    )
    data = services.beneficiary_export(beneficiary=child, actor=register.users["admin"])
    assert data["record"]["name"] == "（已删除）" and data["record"]["id_number"] == ""
    assert data["record"]["village"] == "园林街道三桥村"
    assert [h["event"] for h in data["history"]] == ["erase", "export"]


@pytest.mark.parametrize("who", ["owner", "bureau_staff", "auditor"])
def test_nobody_but_the_platform_admin_exports(register, who):
    actor = register.staff if who == "owner" else register.users[who]
    with pytest.raises(ActionRefusedError):
        services.beneficiary_export(beneficiary=register.files[0], actor=actor)
    assert not TransitionLog.objects.exists()


def test_the_admin_action_downloads_json_for_one_person(register, login):
    client = login(register.users["admin"])
    child = register.files[0]
    response = client.post(
        reverse("admin:beneficiaries_beneficiary_changelist"),
        {"action": "export_personal_data", ACTION_CHECKBOX_NAME: [child.pk], "index": 0},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="beneficiary-{child.pk}-'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["record"]["name"] == "周子涵"
    assert data["exported_by"] == str(register.users["admin"])


def test_the_admin_action_refuses_several_people_at_once(register, login):
    client = login(register.users["admin"])
    response = client.post(
        reverse("admin:beneficiaries_beneficiary_changelist"),
        {
            "action": "export_personal_data",
            ACTION_CHECKBOX_NAME: [f.pk for f in register.files],
            "index": 0,
        },
        follow=True,
    )
    assert "application/json" not in response["Content-Type"]
    assert "请只选择一位服务对象" in response.content.decode()
    assert not TransitionLog.objects.exists()


def test_the_admin_offers_exactly_the_two_actions_in_chinese(register, login):
    body = (
        login(register.users["admin"])
        .get(reverse("admin:beneficiaries_beneficiary_changelist"), {"q": "周子涵"})
        .content.decode()
    )
    assert "导出个人数据" in body and "删除个人数据" in body
    assert 'value="delete_selected"' not in body
