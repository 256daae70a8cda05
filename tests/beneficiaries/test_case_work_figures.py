"""What the case work tells other apps: counts only. 四卡一袋 at acceptance is computed from the
cards (through funds.reach), the evaluation's completeness measure too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from beneficiaries import casework
from beneficiaries.evaluation_sources import case_work_section
from beneficiaries.models import RiskClass
from evaluation import sources
from evaluation.signals import evaluation_confirmed
from funds import reach
from funds.models import Acceptance
from tests.factories.beneficiaries import BeneficiaryFactory
from tests.funds.conftest import confirm

pytestmark = pytest.mark.django_db

CHECKS = {
    "deliverables_complete": "on",
    "records_match_targets": "on",
    "files_complete": "on",  # ignored once the register has files on the contract
    "finance_compliant": "on",
}


@pytest.fixture
def files(money, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ngo = money["contract"].supplier
    return [
        BeneficiaryFactory(organization=ngo, contract=money["contract"], name=name)
        for name in ("周子涵", "彭浩然")
    ]


def _complete(beneficiary, staff):
    day = timezone.localdate() - dt.timedelta(days=1)
    casework.home_school_card_save(
        beneficiary=beneficiary,
        actor=staff,
        fields={
            "school": "园林小学",
            "head_teacher": "王老师",
            "head_teacher_phone": "13800000111",
            "parent_phone": "13900000222",
        },
    )
    casework.pairing_card_save(
        beneficiary=beneficiary,
        actor=staff,
        fields={
            "helper_name": "李敏",
            "helper_phone": "13800000301",
            "paired_on": day,
            "help_plan": "课业辅导",
        },
    )
    casework.growth_record_add(
        beneficiary=beneficiary, actor=staff, recorded_on=day, aspect="study", content="进步"
    )
    casework.document_add(
        beneficiary=beneficiary,
        actor=staff,
        title="承诺书",
        kind="agreement",
        file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
    )


def _evaluated(money, login):
    m = money["midterm"]
    login(money["ngo"]).post(
        reverse("funds:deliverable_submit", args=[m.pk]), {"title": "中期服务报告"}
    )
    evaluation = confirm(m, "92.00")
    evaluation_confirmed.send(sender=type(evaluation), evaluation=evaluation)
    m.refresh_from_db()
    assert m.state == "evaluated"
    return m


def test_acceptance_reads_the_cards_not_the_tick(money, files, login):
    m = _evaluated(money, login)
    assert reach.files_complete(money["contract"]) == reach.FilesComplete(0, 2)
    staff = login(money["staff"])
    page = staff.get(reverse("funds:milestone", args=[m.pk])).content.decode()
    assert 'id="files-complete"' in page and 'name="files_complete"' not in page
    refused = staff.post(
        reverse("funds:acceptance", args=[m.pk]), {"passed": "1", **CHECKS}, follow=True
    )
    m.refresh_from_db()
    assert m.state == "evaluated" and not Acceptance.objects.exists()
    assert "0" in refused.content.decode() and "2" in refused.content.decode()
    for f in files:
        _complete(f, money["ngo"])
    assert reach.files_complete(money["contract"]) == reach.FilesComplete(2, 2)
    # No tick sent for the item at all: the figure decides.
    ticks = {k: v for k, v in CHECKS.items() if k != "files_complete"}
    staff.post(reverse("funds:acceptance", args=[m.pk]), {"passed": "1", **ticks})
    m.refresh_from_db()
    assert m.state == "accepted"
    assert Acceptance.objects.get().checklist["files_complete"] is True


def test_without_files_on_the_contract_the_tick_still_counts(money, login):
    assert reach.files_complete(money["contract"]) is None
    m = _evaluated(money, login)
    login(money["staff"]).post(reverse("funds:acceptance", args=[m.pk]), {"passed": "1", **CHECKS})
    m.refresh_from_db()
    assert m.state == "accepted"


def test_the_evaluation_gets_a_percentage_and_counts_never_a_name(money, files):
    contract, today = money["contract"], timezone.localdate()
    _complete(files[0], money["ngo"])
    casework.risk_classes_set(
        beneficiary=files[1],
        actor=money["ngo"],
        risk_classes=RiskClass.objects.filter(code="guardianship_lacking"),
    )
    type(files[1]).objects.filter(pk=files[1].pk).update(
        created_at=timezone.now() - dt.timedelta(days=45)
    )
    measure = sources.measure("file_completeness", contract, today)
    assert measure is not None and str(measure.value) == "50.00"
    assert "1" in measure.how and "2" in measure.how
    evaluation = type("E", (), {"contract": contract, "contract_id": contract.pk})()
    # Registered with evaluation.sources; called directly (a whole evaluation is not needed).
    section = case_work_section(evaluation, today)
    assert section is not None and case_work_section in sources._evidence
    assert section.rows[0][1:] == [2, 1]
    assert ["监护缺失" in str(r[0]) and r[1:] == [1, 1] for r in section.rows[1:]] == [True]
    text = str(section.rows) + section.note
    assert all(f.name not in text for f in files)
