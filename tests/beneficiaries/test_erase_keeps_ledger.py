"""删除个人数据 anonymises a file in place: counts, contract, ledger and service records stay whole."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from beneficiaries import selectors, services
from beneficiaries.models import Beneficiary
from core.fsm import ActionRefusedError
from core.masking import ERASED_NAME
from core.models import TransitionLog
from funds.ledger import ledger_post, ledger_verify
from funds.models import LedgerEntry, ServiceRecord
from tests.factories.beneficiaries import BeneficiaryFactory

pytestmark = pytest.mark.django_db

REASON = "DSR-2026-017 监护人书面申请，已核：无未结审计"


@pytest.fixture
def books(register):
    """Ledger entries and a service record on the same contract as the files."""
    contract = register.contract
    for kind, amount in [
        ("budget_appropriated", "500000.00"),
        ("disbursement_requested", "143400.00"),
        ("disbursement_approved", "143400.00"),
        ("disbursement_paid", "143400.00"),
    ]:
        ledger_post(kind=kind, amount=Decimal(amount), project=contract.project, contract=contract)
    ServiceRecord.objects.create(
        contract=contract,
        date=contract.start_date + dt.timedelta(days=1),
        place="园林街道三桥村",
        service_type="case",
        beneficiary_category="left_behind_child",
        beneficiary_count=1,
        hours=Decimal("1.5"),
        social_worker="李敏",
    )
    return register


def _ledger():
    return list(LedgerEntry.objects.order_by("seq").values_list("seq", "hash", "memo"))


def test_erasure_clears_personal_fields_and_keeps_what_counts_need(books):
    child = books.files[0]
    counts = selectors.category_counts(user=books.staff)
    ledger, records = _ledger(), list(ServiceRecord.objects.values())
    services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    child.refresh_from_db()
    assert child.name == ERASED_NAME
    assert (child.id_number, child.guardian_name, child.guardian_phone, child.notes) == ("",) * 4
    assert (child.gender, child.birth_year, child.birth_date) == ("", None, None)
    assert child.erased_at is not None
    assert (child.organization, child.contract, child.category, child.village) == (
        books.ngo,
        books.contract,
        "left_behind_child",
        "园林街道三桥村",
    )
    assert selectors.category_counts(user=books.staff) == counts
    assert Beneficiary.objects.filter(contract=books.contract).count() == 3
    # Nothing that holds money or service counts was touched, and the chain still verifies.
    assert _ledger() == ledger
    assert list(ServiceRecord.objects.values()) == records
    result = ledger_verify()
    assert result.ok and result.checked == 4
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    # verify_ledger now reports the chain and the invariants on separate lines.
    assert "chain OK: 4 entries" in out.getvalue()
    assert "ledger OK: chain and invariants hold" in out.getvalue()


def test_erasure_is_logged_without_personal_data(books):
    child = books.files[0]
    name, id_number = child.name, child.id_number
    services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    log = list(TransitionLog.for_object(child))
    assert [(e.transition, e.source_state, e.target_state) for e in log] == [
        ("erase", "active", "erased")
    ]
    assert log[0].actor == books.users["admin"] and log[0].note == REASON
    for entry in TransitionLog.objects.all():
        assert name not in entry.note and id_number not in entry.note


@pytest.mark.parametrize(
    "reason",
    ["", "   ", "周子涵的监护人申请", "证件号 {id_number}", "电话 {phone}", "电话 {dashed}"],
)
def test_a_reason_is_required_and_must_not_carry_the_data_being_erased(books, reason):
    child = books.files[0]
    phone = child.guardian_phone
    reason = reason.format(
        id_number=child.id_number, phone=phone, dashed=f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    )
    with pytest.raises(ActionRefusedError):
        services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=reason)
    child.refresh_from_db()
    assert child.erased_at is None and child.name == "周子涵"


@pytest.mark.parametrize("role", ["ngo_owner", "bureau_staff", "auditor"])
def test_only_a_platform_admin_erases(books, role):
    actor = books.staff if role == "ngo_owner" else books.users[role]
    with pytest.raises(ActionRefusedError):
        services.beneficiary_erase(beneficiary=books.files[0], actor=actor, reason=REASON)


def test_erasing_twice_is_refused_and_the_ngo_can_no_longer_edit(books, login):
    child = books.files[0]
    services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    with pytest.raises(ActionRefusedError):
        services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    client = login(books.staff)
    assert client.get(reverse("beneficiaries:edit", args=[child.pk])).status_code == 403
    body = client.get(reverse("beneficiaries:list")).content.decode()
    assert ERASED_NAME in body and "周子涵" not in body


def test_the_same_person_can_be_filed_again_after_erasure(books):
    child = books.files[0]
    id_number = child.id_number
    services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    again = BeneficiaryFactory(organization=books.ngo, id_number=id_number, name="周子涵")
    assert again.pk != child.pk


def test_the_admin_action_confirms_then_erases(books, login):
    client = login(books.users["admin"])
    child = books.files[0]
    url = reverse("admin:beneficiaries_beneficiary_changelist")
    ask = client.post(
        url, {"action": "erase_personal_data", ACTION_CHECKBOX_NAME: [child.pk], "index": 0}
    )
    page = ask.content.decode()
    assert ask.status_code == 200 and "周**" in page and "周子涵" not in page
    assert child.id_number not in page
    child.refresh_from_db()
    assert child.erased_at is None  # asking is not doing
    done = client.post(
        url,
        {
            "action": "erase_personal_data",
            ACTION_CHECKBOX_NAME: [child.pk],
            "confirm": "yes",
            "reason": REASON,
        },
        follow=True,
    )
    assert done.status_code == 200
    child.refresh_from_db()
    assert child.name == ERASED_NAME and child.erased_at is not None
    assert "个人数据已删除" in done.content.decode()
    assert ledger_verify().ok


def test_the_admin_action_refuses_a_reason_naming_the_person_and_keeps_the_data(books, login):
    client = login(books.users["admin"])
    child = books.files[0]
    response = client.post(
        reverse("admin:beneficiaries_beneficiary_changelist"),
        {
            "action": "erase_personal_data",
            ACTION_CHECKBOX_NAME: [child.pk],
            "confirm": "yes",
            "reason": "周子涵本人申请",
        },
    )
    assert "删除依据中不得包含本人姓名" in response.content.decode()
    child.refresh_from_db()
    assert child.erased_at is None


def test_the_admin_action_takes_one_person_at_a_time(books, login):
    client = login(books.users["admin"])
    response = client.post(
        reverse("admin:beneficiaries_beneficiary_changelist"),
        {
            "action": "erase_personal_data",
            ACTION_CHECKBOX_NAME: [f.pk for f in books.files[:2]],
            "confirm": "yes",
            "reason": REASON,
        },
        follow=True,
    )
    assert "请只选择一位服务对象" in response.content.decode()
    assert not Beneficiary.objects.filter(erased_at__isnull=False).exists()


def test_erasure_removes_the_case_work_and_its_stored_papers(
    books, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Cards, growth records, the 档案袋 and the guardian's scan go (files deleted from storage
    once committed); 强制报告 and visits stay as dated events with their text cleared."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from beneficiaries import casework
    from beneficiaries.models import (
        CaseDocument,
        FollowUpVisit,
        GrowthRecord,
        GuardianshipConfirmation,
        HomeSchoolCard,
        MandatoryReport,
        PairingCard,
        RiskClass,
    )

    settings.MEDIA_ROOT = tmp_path
    child, staff = books.files[0], books.staff
    day = dt.date(2026, 3, 2)
    pdf = b"%PDF-1.4\n%%EOF\n"
    casework.risk_classes_set(
        beneficiary=child, actor=staff, risk_classes=RiskClass.objects.filter(code="hardship")
    )
    casework.home_school_card_save(
        beneficiary=child, actor=staff, fields={"school": "园林小学", "parent_phone": "13900000201"}
    )
    casework.pairing_card_save(beneficiary=child, actor=staff, fields={"helper_name": "李敏"})
    casework.growth_record_add(
        beneficiary=child, actor=staff, recorded_on=day, aspect="health", content="感冒已愈"
    )
    document = casework.document_add(
        beneficiary=child,
        actor=staff,
        title="低保证明",
        kind="certificate",
        file=SimpleUploadedFile("周子涵低保证明.pdf", pdf),
    )
    confirmation = casework.guardianship_confirm(
        beneficiary=child,
        actor=staff,
        entrusted_guardian="周德全",
        relation="祖父",
        signed_on=day,
        scan=SimpleUploadedFile("scan.pdf", pdf),
    )
    open_report = casework.mandatory_report_record(
        beneficiary=child, actor=staff, discovered_on=day, harm="injury", description="手臂淤青"
    )
    casework.follow_up_record(
        beneficiary=child,
        actor=staff,
        visited_on=day,
        method="home",
        visitor="李敏",
        findings="祖父腿脚不便",
    )
    paths = [tmp_path / document.file.name, tmp_path / confirmation.scan.name]
    assert all(p.exists() for p in paths)
    # The entrusted guardian's name is personal data too: not in the reason either.
    with pytest.raises(ActionRefusedError):
        services.beneficiary_erase(
            beneficiary=child, actor=books.users["admin"], reason="周德全书面申请"
        )
    # An open 强制报告 keeps the file: the duty to report outlives the request to erase.
    with pytest.raises(ActionRefusedError, match="强制报告"):
        services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    assert all(p.exists() for p in paths)
    reported = casework.mandatory_report_send(
        report=open_report,
        actor=staff,
        reported_to="police",
        office="潜江市公安局园林派出所",
        reported_at=timezone.now(),
    )
    casework.mandatory_report_close(
        report=reported,
        actor=staff,
        outcome="已立案调查，儿童由祖父照料",
        closed_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.beneficiary_erase(beneficiary=child, actor=books.users["admin"], reason=REASON)
    for model in (
        HomeSchoolCard,
        PairingCard,
        GrowthRecord,
        CaseDocument,
        GuardianshipConfirmation,
    ):
        assert not model.objects.filter(beneficiary=child).exists(), model
    assert not child.risk_classes.exists()
    assert not any(p.exists() for p in paths)
    report = MandatoryReport.objects.get(beneficiary=child)
    visit = FollowUpVisit.objects.get(beneficiary=child)
    assert (report.description, report.harm, report.discovered_on) == ("", "injury", day)
    assert (visit.findings, visit.visited_on) == ("", day)
    assert ledger_verify().ok
