"""四卡一袋, risk classes, guardianship, 强制报告 and follow-up visits through the NGO's pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from beneficiaries.figures import four_cards
from beneficiaries.models import (
    Beneficiary,
    CaseDocument,
    FollowUpVisit,
    GuardianshipConfirmation,
    HomeSchoolCard,
    MandatoryReport,
    RiskClass,
)
from core.models import TransitionLog
from core.todos import todos_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png(name: str = "照片.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _post(client, child, part, data, files=None):
    body = {"part": part, **data, **(files or {})}
    return client.post(reverse("beneficiaries:case_file", args=[child.pk]), body)


def _fill_every_card(client, child):
    today = timezone.localdate().isoformat()
    steps = [
        (
            "home_school",
            {
                "h-school": "园林小学",
                "h-grade_class": "四年级二班",
                "h-head_teacher": "王老师",
                "h-head_teacher_phone": "0728-6231234",
                "h-parents_whereabouts": "广东东莞",
                "h-parent_phone": "+86 139 0000 0201",
                "h-contact_plan": "每月一次电话家访",
            },
        ),
        (
            "pairing",
            {
                "p-helper_name": "李敏",
                "p-helper_unit": "园林街道社工站",
                "p-helper_phone": "13800000301",
                "p-paired_on": today,
                "p-help_plan": "每周一次课业辅导",
            },
        ),
        ("growth", {"g-recorded_on": today, "g-aspect": "study", "g-content": "数学进步明显"}),
        ("document", {"d-title": "家访照片", "d-kind": "photo", "d-file": _png()}),
    ]
    for part, data in steps:
        response = _post(client, child, part, data)
        assert response.status_code == 302, (part, response.content.decode()[:3000])


def test_the_ngo_fills_every_card_and_the_file_becomes_complete(register, login):
    client = login(register.staff)
    child = register.files[0]
    page = client.get(reverse("beneficiaries:case_file", args=[child.pk]))
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert not four_cards(child).complete
    _fill_every_card(client, child)
    card = HomeSchoolCard.objects.get(beneficiary=child)
    # Typed with +86, spaces or hyphens: stored as the digits only.
    assert (card.parent_phone, card.head_teacher_phone) == ("13900000201", "07286231234")
    assert four_cards(Beneficiary.objects.get(pk=child.pk)).complete
    body = client.get(reverse("beneficiaries:case_file", args=[child.pk])).content.decode()
    assert "档案齐全" in body or "The file is complete." in body
    events = [e.transition for e in TransitionLog.for_object(child)]
    assert {"home_school_card", "pairing_card", "growth_record", "document"} <= set(events)
    # The log names fields, never what was typed.
    assert not TransitionLog.objects.filter(note__contains="园林小学").exists()
    document = CaseDocument.objects.get(beneficiary=child)
    assert "照片" not in document.file.name  # stored under a random name
    download = client.get(reverse("beneficiaries:file", args=["document", document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_an_elder_needs_no_home_school_card(register, login):
    elder = register.files[2]
    assert four_cards(elder).parts["home_school"] is None
    response = _post(login(register.staff), elder, "home_school", {"h-school": "园林小学"})
    assert response.status_code == 200
    assert "只为儿童" in response.content.decode() or "children only" in response.content.decode()
    assert not HomeSchoolCard.objects.filter(beneficiary=elder).exists()


def test_uploads_are_checked_by_content(register, login):
    client = login(register.staff)
    child = register.files[0]
    fake = SimpleUploadedFile("确认书.pdf", b"MZ\x90\x00 not a pdf at all")
    response = _post(
        client,
        child,
        "guardianship",
        {
            "c-entrusted_guardian": "周德全",
            "c-relation": "祖父",
            "c-signed_on": "2026-03-01",
            "c-scan": fake,
        },
    )
    assert response.status_code == 200
    assert "确认书.pdf" in response.content.decode()  # the message names the file
    assert not GuardianshipConfirmation.objects.exists()
    response = _post(
        client,
        child,
        "guardianship",
        {
            "c-entrusted_guardian": "周德全",
            "c-relation": "祖父",
            "c-signed_on": "2026-03-01",
            # A real PDF under a misleading name: kept as what its content is.
            "c-scan": SimpleUploadedFile("周子涵确认书.html", PDF),
        },
    )
    assert response.status_code == 302
    confirmation = GuardianshipConfirmation.objects.get(beneficiary=child)
    assert confirmation.signed_on == dt.date(2026, 3, 1)
    assert confirmation.scan.name.endswith(".pdf") and "周子涵" not in confirmation.scan.name


def test_a_phone_that_is_no_phone_names_the_field(register, login):
    response = _post(
        login(register.staff),
        register.files[0],
        "pairing",
        {"p-helper_name": "李敏", "p-helper_phone": "12345"},
    )
    assert response.status_code == 200
    assert "0716-8123456" in response.content.decode()


def test_mandatory_report_is_recorded_reported_and_closed(register, login):
    client = login(register.staff)
    child = register.files[0]
    today = timezone.localdate()
    response = _post(
        client,
        child,
        "report",
        {
            "m-discovered_on": today.isoformat(),
            "m-harm": "unattended",
            "m-description": "连续三天独自在家，无人做饭",
        },
    )
    assert response.status_code == 302
    report = MandatoryReport.objects.get(beneficiary=child)
    assert report.state == "recorded"
    close_url = reverse("beneficiaries:report_close", args=[report.pk])
    # Closing before reporting is refused by the state machine.
    client.post(close_url, {"x-outcome": "已处置", "x-closed_on": today.isoformat()})
    report.refresh_from_db()
    assert report.state == "recorded"
    now = timezone.localtime().replace(second=0, microsecond=0)
    client.post(
        reverse("beneficiaries:report_send", args=[report.pk]),
        {
            "s-reported_to": "police",
            "s-office": "园林派出所",
            "s-reported_at": now.strftime("%Y-%m-%dT%H:%M"),
            "s-reference": "JJ-2026-0117",
        },
    )
    report.refresh_from_db()
    assert (report.state, report.reported_to, report.reported_to_office) == (
        "reported",
        "police",
        "园林派出所",
    )
    client.post(
        close_url, {"x-outcome": "派出所已联系其父亲返乡照料", "x-closed_on": today.isoformat()}
    )
    report.refresh_from_db()
    assert (report.state, report.closed_on) == ("closed", today)
    log = [(e.transition, e.source_state, e.target_state) for e in TransitionLog.for_object(report)]
    assert log == [
        ("record", "", "recorded"),
        ("report", "recorded", "reported"),
        ("close", "reported", "closed"),
    ]
    assert not TransitionLog.objects.filter(note__contains="无人做饭").exists()


def test_another_ngo_cannot_touch_a_report(register, login):
    child = register.files[0]
    report = MandatoryReport.objects.create(
        beneficiary=child,
        discovered_on=timezone.localdate(),
        harm="bullying",
        description="x",
        recorded_by=register.staff,
    )
    other = login(register.other_ngo_staff)
    response = other.post(
        reverse("beneficiaries:report_send", args=[report.pk]),
        {"s-reported_to": "police", "s-office": "某所", "s-reported_at": "2026-01-01T10:00"},
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.state == "recorded"


def _age(child: Beneficiary, days: int) -> None:
    Beneficiary.objects.filter(pk=child.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


def test_follow_up_cadence_comes_from_the_risk_class_and_feeds_the_todo_list(register, login):
    client = login(register.staff)
    child = register.files[0]
    lacking = RiskClass.objects.get(code="guardianship_lacking")
    hardship = RiskClass.objects.get(code="hardship")
    assert (lacking.visit_every_days, hardship.visit_every_days) == (30, 90)
    _post(client, child, "risks", {"r-risk_classes": [lacking.pk, hardship.pk]})
    assert set(child.risk_classes.all()) == {lacking, hardship}
    _age(child, 40)
    listing = client.get(reverse("beneficiaries:follow_ups")).content.decode()
    assert "10 天" in listing or "10 days overdue" in listing
    assert child.name not in listing and child.name[0] in listing  # masked
    todos = [t for t in todos_for(register.staff) if "follow_ups" in t.url or "follow-ups" in t.url]
    assert len(todos) == 1 and "1" in str(todos[0].detail)
    assert child.name not in str(todos[0].detail) + str(todos[0].title)
    # Nobody but the owning NGO gets the line.
    assert not [t for t in todos_for(register.other_ngo_staff) if "follow-ups" in t.url]
    # The cadence is data: a quarterly 监护缺失 makes the same file not yet due.
    RiskClass.objects.filter(pk=lacking.pk).update(visit_every_days=90)
    assert not [t for t in todos_for(register.staff) if "follow-ups" in t.url]
    RiskClass.objects.filter(pk=lacking.pk).update(visit_every_days=30)
    _post(
        client,
        child,
        "visit",
        {
            "v-visited_on": timezone.localdate().isoformat(),
            "v-method": "home",
            "v-visitor": "李敏",
            "v-findings": "祖父身体尚可",
        },
    )
    assert FollowUpVisit.objects.filter(beneficiary=child).count() == 1
    assert not [t for t in todos_for(register.staff) if "follow-ups" in t.url]


def test_a_future_visit_is_refused_naming_the_field(register, login):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _post(
        login(register.staff),
        register.files[0],
        "visit",
        {"v-visited_on": tomorrow.isoformat(), "v-method": "home", "v-visitor": "李敏"},
    )
    assert response.status_code == 200
    assert not FollowUpVisit.objects.exists()


@pytest.mark.parametrize("role", ["ngo", "bureau_staff", "assessor", "auditor", "admin"])
def test_nobody_else_opens_a_case_file_or_its_papers(register, login, role):
    child = register.files[0]
    document = CaseDocument.objects.create(
        beneficiary=child,
        title="家访照片",
        kind="photo",
        file=_png(),
        uploaded_by=register.staff,
    )
    user = register.other_ngo_staff if role == "ngo" else register.users[role]
    client = login(user)
    for url in (
        reverse("beneficiaries:case_file", args=[child.pk]),
        reverse("beneficiaries:file", args=["document", document.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), (role, url)
        assert child.name not in response.content.decode()
    posted = _post(
        client,
        child,
        "growth",
        {"g-recorded_on": "2026-01-05", "g-aspect": "study", "g-content": "x"},
    )
    assert posted.status_code in (403, 404)


def test_an_erased_file_takes_no_more_case_work(register, login):
    from beneficiaries import services

    child = register.files[0]
    services.beneficiary_erase(
        beneficiary=child, actor=register.users["admin"], reason="DSR-2026-031"
    )
    client = login(register.staff)
    page = client.get(reverse("beneficiaries:case_file", args=[child.pk]))
    assert page.status_code == 200 and 'name="part"' not in page.content.decode()
    response = _post(
        client,
        child,
        "growth",
        {"g-recorded_on": "2026-01-05", "g-aspect": "study", "g-content": "x"},
    )
    assert response.status_code == 403
