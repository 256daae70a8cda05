"""An assessor fills in the sheet through the page: scores computed from inputs, bad input refused."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import TransitionLog
from evaluation.models import EvaluationState, Indicator, ScoreSheet, SheetState
from tests.evaluation.conftest import to_scoring

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _form(leaves, **overrides):
    data = {}
    for name, leaf in leaves.items():
        key = f"leaf-{leaf.pk}"
        if name == "个案数":
            data |= {f"{key}-actual": "38", f"{key}-target": "40"}
        elif name == "社区活动场次":
            data |= {f"{key}-actual": "24"}
        elif name == "财务合规":
            data |= {f"{key}-count": "1"}
        elif name == "满意度调查":
            data |= {f"{key}-level": "基本满意"}
        else:
            data |= {f"{key}-met": "yes"}
        data[f"{key}-comment"] = f"{name}：查阅台账"
    return data | overrides


def test_fill_save_and_submit(cast, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evaluation = to_scoring(cast)
    sheet = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id").first()
    leaves = {
        leaf.name: leaf for leaf in Indicator.objects.filter(system=evaluation.system, level=3)
    }
    client = login(sheet.assessor)
    url = reverse("evaluation:sheet", args=[evaluation.pk])
    assert client.get(url).status_code == 200

    data = _form(leaves) | {
        f"leaf-{leaves['个案数'].pk}-evidence": SimpleUploadedFile("个案.png", PNG)
    }
    response = client.post(url, data | {"save": "1"})
    assert response.status_code == 302
    scores = dict(sheet.entries.values_list("indicator__name", "score"))
    assert scores == {
        "个案数": Decimal("19.00"),
        "社区活动场次": Decimal("20.00"),
        "财务合规": Decimal("18.00"),
        "满意度调查": Decimal("20.00"),
        "回访记录": Decimal("10.00"),
    }
    assert sheet.entries.get(indicator__name="个案数").evidence_file.name.endswith(".png")

    client.post(url, _form(leaves) | {"submit": "1"})
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED
    assert TransitionLog.for_object(sheet).filter(transition="submit").exists()
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.SCORING  # two sheets still out


def test_out_of_range_and_bad_inputs_are_refused_and_nothing_saved(cast, login):
    evaluation = to_scoring(cast)
    sheet = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id").first()
    leaves = {
        leaf.name: leaf for leaf in Indicator.objects.filter(system=evaluation.system, level=3)
    }
    client = login(sheet.assessor)
    url = reverse("evaluation:sheet", args=[evaluation.pk])
    data = _form(leaves) | {
        f"leaf-{leaves['满意度调查'].pk}-score": "31",
        f"leaf-{leaves['个案数'].pk}-target": "0",
    }
    response = client.post(url, data | {"save": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "满意度调查" in text and "个案数" in text
    assert not sheet.entries.filter(score__isnull=False).exists()


def test_an_incomplete_sheet_cannot_be_submitted(cast, login):
    evaluation = to_scoring(cast)
    sheet = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id").first()
    client = login(sheet.assessor)
    client.post(reverse("evaluation:sheet", args=[evaluation.pk]), {"submit": "1"})
    sheet.refresh_from_db()
    assert sheet.state == SheetState.DRAFT


def test_evidence_must_be_a_document_or_image(cast, login):
    evaluation = to_scoring(cast)
    sheet = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id").first()
    leaves = {
        leaf.name: leaf for leaf in Indicator.objects.filter(system=evaluation.system, level=3)
    }
    data = _form(leaves) | {
        f"leaf-{leaves['个案数'].pk}-evidence": SimpleUploadedFile(
            "x.exe", b"MZ\x90\x00" + b"\x00" * 60
        )
    }
    response = login(sheet.assessor).post(
        reverse("evaluation:sheet", args=[evaluation.pk]), data | {"save": "1"}
    )
    assert response.status_code == 200
    assert not sheet.entries.filter(score__isnull=False).exists()
