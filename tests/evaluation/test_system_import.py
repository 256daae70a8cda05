"""Excel import and export of an indicator system; a bad workbook lists every problem and saves nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import TransitionLog
from evaluation.indicators import load_template
from evaluation.models import IndicatorSystem, SystemState
from evaluation.resources import COLUMNS, export_rows
from tests.factories.accounts import BureauStaffFactory
from tests.factories.evaluation import IndicatorSystemFactory

pytestmark = pytest.mark.django_db


def _workbook(rows):
    return SimpleUploadedFile("指标体系.xlsx", export_rows(rows))


def _post(client, rows, code="qianjiang-2026", name="潜江市留守儿童项目绩效评价指标体系"):
    return client.post(
        reverse("evaluation:system_import"),
        {"name": name, "code": code, "workbook": _workbook(rows)},
    )


def test_a_good_workbook_becomes_a_draft_that_can_be_published(login):
    staff = BureauStaffFactory()
    client = login(staff)
    response = _post(client, load_template("social_work")["rows"])
    system = IndicatorSystem.objects.get(code="qianjiang-2026")
    assert response.status_code == 302 and response.url == system.get_absolute_url()
    assert system.state == SystemState.DRAFT and system.owner == staff.organization
    assert system.indicators.filter(level=3).count() == 32
    leaf = system.indicators.get(name="个案数")
    assert (leaf.method, leaf.params, leaf.parent.name, leaf.parent.parent.name) == (
        "ratio",
        {"target": "40", "measure": "case_count"},
        "数量",
        "产出",
    )
    client.post(reverse("evaluation:system_publish", args=[system.pk]))
    system.refresh_from_db()
    assert system.state == SystemState.PUBLISHED
    assert TransitionLog.for_object(system).filter(transition="publish").exists()
    # Frozen: the replace upload is refused; a new version is a new draft.
    response = client.post(
        reverse("evaluation:system_replace", args=[system.pk]),
        {"workbook": _workbook(load_template("social_work")["rows"])},
    )
    assert response.status_code == 403
    response = client.post(reverse("evaluation:system_new_version", args=[system.pk]))
    new = IndicatorSystem.objects.get(code="qianjiang-2026", version=2)
    assert new.state == SystemState.DRAFT
    assert new.indicators.count() == system.indicators.count()
    # Importing again with the same code makes version 3.
    _post(client, load_template("social_work")["rows"])
    assert IndicatorSystem.objects.filter(code="qianjiang-2026").count() == 3


def test_a_bad_workbook_lists_every_problem_and_saves_nothing(login):
    rows = [dict(r) for r in load_template("social_work")["rows"]]
    for row in rows:
        if row["path"] == "产出/数量/个案数":
            row["points"] = 5  # 数量 now adds up to 16, not 15
        if row["path"] == "产出/质量/“八个一”落实率":
            row["method"] = "guesswork"
    rows.append({"path": "管理/制度/台账制度", "points": 1, "method": "boolean"})
    response = _post(login(BureauStaffFactory()), rows)
    assert response.status_code == 200
    problems = response.context["problems"]
    text = "\n".join(problems)
    assert "产出 / 数量" in text and "16" in text
    assert "guesswork" in text
    assert "孤" in text or "orphan" in text
    assert f"{len(rows) + 1}" in text  # the orphan's Excel row number (header is row 1)
    assert len(problems) >= 3
    assert not IndicatorSystem.objects.exists()


def test_unreadable_cells_are_reported_with_row_numbers(login):
    rows = [dict(r) for r in load_template("social_work")["rows"]]
    rows[3]["points"] = "五分"
    rows[5]["params"] = "没有等号"
    response = _post(login(BureauStaffFactory()), rows)
    text = "\n".join(response.context["problems"])
    assert "5" in text and "7" in text
    assert not IndicatorSystem.objects.exists()


def test_not_a_workbook(login):
    client = login(BureauStaffFactory())
    response = client.post(
        reverse("evaluation:system_import"),
        {"name": "x", "code": "x", "workbook": SimpleUploadedFile("a.xlsx", b"not excel")},
    )
    assert response.status_code == 200
    assert not IndicatorSystem.objects.exists()


def test_export_round_trips(login):
    system = IndicatorSystemFactory(rows="social_work")
    staff = BureauStaffFactory()
    client = login(staff)
    content = client.get(reverse("evaluation:system_export", args=[system.pk])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headers = [c.value for c in sheet[1]]
    assert headers[: len(COLUMNS)] == list(COLUMNS.values())
    assert sheet.max_row == system.indicators.count() + 1
    response = client.post(
        reverse("evaluation:system_import"),
        {"name": "复制", "code": "copy", "workbook": SimpleUploadedFile("x.xlsx", content)},
    )
    assert response.status_code == 302
    copy = IndicatorSystem.objects.get(code="copy")
    assert sorted(copy.indicators.values_list("name", "points", "method")) == sorted(
        system.indicators.values_list("name", "points", "method")
    )


def test_an_evaluation_keeps_the_version_it_was_commissioned_with(cast, login):
    from evaluation import services
    from evaluation.indicators import NodeSpec, save_specs
    from tests.evaluation.conftest import commission

    cast.system = IndicatorSystemFactory(owner=cast.staff.organization)
    evaluation = commission(cast)
    leaves_before = list(evaluation.system.indicators.values_list("name", "points"))
    new = services.system_new_version(system=cast.system, actor=cast.staff)
    assert (new.code, new.version, new.state) == (cast.system.code, 2, SystemState.DRAFT)
    with pytest.raises(Exception, match="已发布"):
        save_specs(cast.system, [NodeSpec(path=("决策",), points=100)])
    services.system_replace(
        system=new, actor=cast.staff, content=export_rows(load_template("social_work")["rows"])
    )
    evaluation.refresh_from_db()
    assert evaluation.system_id == cast.system.pk
    assert list(evaluation.system.indicators.values_list("name", "points")) == leaves_before
    assert new.indicators.filter(level=3).count() == 32
