"""The project's target groups (e.g. 3,123 left-behind children) shown against what the NGO
recorded, beside the acceptance form and on the service-record page: counts only, never who."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from beneficiaries.services import beneficiary_erase
from funds.models import ServiceRecord
from projects.models import TargetGroup
from tests.factories.accounts import AdminFactory, BureauStaffFactory
from tests.factories.beneficiaries import BeneficiaryFactory
from tests.factories.procurement import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(money):
    """Targets 3,123 children and 4 guardians; 3 children and 1 guardian on file, 20 contacts."""
    contract = money["contract"]
    TargetGroup.objects.filter(project=contract.project).delete()
    TargetGroup.objects.create(project=contract.project, category="left_behind_child", count=3123)
    TargetGroup.objects.create(project=contract.project, category="guardian", count=4)
    ngo = contract.supplier
    children = [BeneficiaryFactory(organization=ngo, contract=contract) for _ in range(3)]
    BeneficiaryFactory(organization=ngo, contract=contract, category="guardian")
    # Another contract's child is not this contract's reach.
    BeneficiaryFactory(organization=ngo, contract=ContractFactory(supplier=ngo))
    day = contract.start_date + dt.timedelta(days=5)
    for count, category in [(12, "left_behind_child"), (6, "left_behind_child"), (2, "guardian")]:
        ServiceRecord.objects.create(
            contract=contract,
            date=day,
            place="园林街道三桥村",
            service_type="group",
            beneficiary_category=category,
            beneficiary_count=count,
            hours=2,
            social_worker="李社工",
        )
    return children


def _rows(html: str) -> dict[str, list[str]]:
    table = html.split("目标与实际完成对照", 1)[1].split("</table>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr><td>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</td>\s*<td[^>]*>", tr)]
        rows[cells[0]] = [c.removesuffix("</td>").strip() for c in cells[1:]]
    return rows


def test_bureau_sees_targets_beside_the_final_acceptance_form(money, recorded, login):
    page = login(money["staff"]).get(reverse("funds:milestone", args=[money["final"].pk]))
    rows = _rows(page.content.decode())
    assert rows["留守儿童"] == ["3,123", "3", "0.1% 未达目标", "18"]
    assert rows["监护人及家庭"] == ["4", "1", "25.0% 未达目标", "2"]


def test_a_mid_term_shows_progress_without_a_verdict(money, recorded, login):
    # The targets are the whole contract's: half-way, 0.1% is progress, not a failure.
    page = login(money["staff"]).get(reverse("funds:milestone", args=[money["midterm"].pk]))
    html = page.content.decode()
    assert _rows(html)["留守儿童"] == ["3,123", "3", "0.1%", "18"]
    assert "是否达标在终期验收时判定" in html


def test_ngo_sees_the_same_counts_on_its_service_records(money, recorded, login):
    page = login(money["ngo"]).get(reverse("funds:service_records", args=[money["contract"].pk]))
    rows = _rows(page.content.decode())
    assert rows["留守儿童"][:2] == ["3,123", "3"]


def test_a_met_target_is_not_flagged(money, recorded, login):
    TargetGroup.objects.filter(category="guardian").update(count=1)
    page = login(money["staff"]).get(reverse("funds:milestone", args=[money["final"].pk]))
    assert _rows(page.content.decode())["监护人及家庭"] == ["1", "1", "100.0% 已达目标", "2"]


def test_enough_contacts_but_too_few_files_is_to_be_verified(money, recorded, login):
    # 2 person-times could be 2 guardians, but only 1 has a file: neither met nor surely short.
    TargetGroup.objects.filter(category="guardian").update(count=2)
    page = login(money["staff"]).get(reverse("funds:milestone", args=[money["final"].pk]))
    assert _rows(page.content.decode())["监护人及家庭"] == ["2", "1", "50.0% 待核实", "2"]


def test_an_erased_file_still_counts_and_no_name_is_shown(money, recorded, login):
    child = recorded[0]
    name = child.name
    beneficiary_erase(beneficiary=child, actor=AdminFactory(), reason="监护人申请删除")
    page = login(money["staff"]).get(reverse("funds:milestone", args=[money["midterm"].pk]))
    html = page.content.decode()
    assert _rows(html)["留守儿童"][1] == "3"
    assert name not in html and recorded[1].name not in html


def test_the_api_gives_the_same_counts(money, recorded):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(money["staff"])
    answer = client.get(f"/api/v1/milestones/{money['midterm'].pk}/targets/")
    assert answer.status_code == 200
    assert answer.json()[0] == {
        "category": "left_behind_child",
        "category_label": "留守儿童",
        "target": 3123,
        "registered": 3,
        "person_times": 18,
        "reached_percent": "0.1",
        "verdict": "short",
    }
    stranger = APIClient()
    stranger.force_authenticate(BureauStaffFactory())
    assert stranger.get(f"/api/v1/milestones/{money['midterm'].pk}/targets/").status_code == 404
