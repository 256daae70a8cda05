"""Indicator systems through the API: a bureau imports a workbook (multipart) as a draft, replaces
and publishes it; anyone who sees a system downloads it as the workbook the import reads."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import TransitionLog
from evaluation.indicators import load_template
from evaluation.models import IndicatorSystem
from evaluation.resources import COLUMNS, export_rows
from tests.api.procurement_setup import api, session
from tests.factories.accounts import (
    AssessorFactory,
    AuditorFactory,
    BureauStaffFactory,
    ExpertFactory,
    NgoUserFactory,
)
from tests.factories.evaluation import IndicatorSystemFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows, name="指标体系.xlsx"):
    return SimpleUploadedFile(name, export_rows(rows), content_type=XLSX)


def body(rows, code="qianjiang-2026"):
    return {"name": "潜江市留守儿童项目绩效评价指标体系", "code": code, "workbook": workbook(rows)}


def sheet_rows(content):
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_a_bureau_imports_replaces_and_publishes_a_system():
    staff = BureauStaffFactory()
    rows = load_template("social_work")["rows"]
    for outsider in (NgoUserFactory(), ExpertFactory(), AssessorFactory(), AuditorFactory()):
        refused = api(outsider).post("/api/v1/indicator-systems/", body(rows), format="multipart")
        assert refused.status_code == 403 and refused.data["detail"], outsider.role
    created = session(staff).post("/api/v1/indicator-systems/", body(rows), format="multipart")
    assert created.status_code == 201, created.data
    assert (created.data["state"], created.data["version"], created.data["leaf_count"]) == (
        "draft",
        1,
        32,
    )
    system = IndicatorSystem.objects.get(pk=created.data["id"])
    assert system.owner == staff.organization
    assert TransitionLog.for_object(system).filter(transition="create", actor=staff).exists()
    # A draft is the bureau's own: another bureau, an NGO do not see it.
    assert (
        api(BureauStaffFactory()).get(f"/api/v1/indicator-systems/{system.pk}/").status_code == 404
    )
    assert (
        api(NgoUserFactory()).get(f"/api/v1/indicator-systems/{system.pk}/export/").status_code
        == 404
    )

    replace = f"/api/v1/indicator-systems/{system.pk}/replace/"
    other = api(BureauStaffFactory()).post(
        replace, {"workbook": workbook(rows)}, format="multipart"
    )
    assert other.status_code == 404  # another bureau's draft does not exist for it
    replaced = api(staff).post(replace, {"workbook": workbook(rows)}, format="multipart")
    assert replaced.status_code == 200 and replaced.data["leaf_count"] == 32
    assert TransitionLog.for_object(system).filter(transition="replace_tree").exists()

    publish = f"/api/v1/indicator-systems/{system.pk}/publish/"
    assert api(NgoUserFactory()).post(publish).status_code == 404
    published = api(staff).post(publish)
    assert published.status_code == 200 and published.data["state"] == "published"
    assert TransitionLog.for_object(system).filter(transition="publish", actor=staff).exists()
    # Published is frozen: replacing its tree is refused by the state.
    frozen = api(staff).post(replace, {"workbook": workbook(rows)}, format="multipart")
    assert frozen.status_code == 409 and frozen.data["detail"]
    # Published, it is visible to every bureau, but only its owner may change it.
    foreign = api(BureauStaffFactory()).post(
        replace, {"workbook": workbook(rows)}, format="multipart"
    )
    assert foreign.status_code == 403 and foreign.data["detail"]
    # Importing again with the same code makes the next version.
    again = api(staff).post("/api/v1/indicator-systems/", body(rows), format="multipart")
    assert again.status_code == 201 and again.data["version"] == 2


def test_a_bad_workbook_lists_every_problem_and_saves_nothing():
    staff = BureauStaffFactory()
    rows = [dict(r) for r in load_template("social_work")["rows"]]
    rows[2]["points"] = "十"
    bad = api(staff).post("/api/v1/indicator-systems/", body(rows), format="multipart")
    assert bad.status_code == 400
    # Every problem at once, rows numbered as in Excel (the header is row 1): the bad cell and
    # the parent whose children no longer add up.
    assert len(bad.data["detail"]) >= 2
    assert "第4行" in bad.data["detail"][0] and "第3行" in " ".join(bad.data["detail"])
    not_xlsx = {
        "name": "x",
        "code": "x",
        "workbook": SimpleUploadedFile("a.xlsx", "日期,村\n".encode(), content_type=XLSX),
    }
    refused = api(staff).post("/api/v1/indicator-systems/", not_xlsx, format="multipart")
    assert refused.status_code == 400
    missing = api(staff).post(
        "/api/v1/indicator-systems/", {"name": "x", "code": "x"}, format="multipart"
    )
    assert missing.status_code == 400 and "workbook" in missing.data
    assert not IndicatorSystem.objects.filter(owner=staff.organization).exists()


def test_export_round_trips_through_the_import():
    system = IndicatorSystemFactory(rows="social_work")
    for user in (NgoUserFactory(), AssessorFactory(), AuditorFactory()):
        listing = api(user).get("/api/v1/indicator-systems/?state=published")
        assert system.pk in [s["id"] for s in listing.data["results"]]
    exported = api(NgoUserFactory()).get(f"/api/v1/indicator-systems/{system.pk}/export/")
    assert exported.status_code == 200 and exported["Content-Type"] == XLSX
    assert f"{system.code}-v1.xlsx" in exported["Content-Disposition"]
    header, *data = sheet_rows(exported.content)
    assert list(header)[: len(COLUMNS)] == list(COLUMNS.values())
    assert len(data) == system.indicators.count()
    staff = BureauStaffFactory()
    reimported = api(staff).post(
        "/api/v1/indicator-systems/",
        {
            "name": "复制",
            "code": "copy-of-template",
            "workbook": SimpleUploadedFile("x.xlsx", exported.content, content_type=XLSX),
        },
        format="multipart",
    )
    assert reimported.status_code == 201, reimported.data
    assert reimported.data["leaf_count"] == system.indicators.filter(level=3).count()
    frame = api(staff).get("/api/v1/indicator-systems/frame/")
    assert frame.status_code == 200 and sheet_rows(frame.content)[0][0] == COLUMNS["path"]
