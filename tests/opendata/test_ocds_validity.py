"""Everything published validates against the official OCDS 1.1 release schema and merges."""

import json
import os

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from opendata.ocds import MERGE_RULES
from opendata.packages import build_packages
from projects.models import ProjectState, ServiceProject

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    with open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)


def test_merge_rules_match_the_official_schema(release_schema):
    from ocdsmerge.rules import get_merge_rules

    assert get_merge_rules(release_schema) == MERGE_RULES


def test_demo_releases_are_valid_ocds(demo, release_validator):
    releases, records = build_packages(base_uri="https://sanshe.example.gov.cn")
    assert releases["version"] == "1.1"
    assert releases["releases"], "the demo has published projects"
    for release in releases["releases"]:
        errors = sorted(release_validator.iter_errors(release), key=lambda e: list(e.path))
        assert not errors, (release["id"], [f"{list(e.path)}: {e.message}" for e in errors[:5]])
    for record in records["records"]:
        compiled = record["compiledRelease"]
        assert compiled["tag"] == ["compiled"]
        errors = list(release_validator.iter_errors(compiled))
        assert not errors, (record["ocid"], [e.message for e in errors[:5]])


def test_only_projects_with_a_public_notice_appear(demo):
    releases, _ = build_packages(base_uri="https://x")
    ocids = {r["ocid"] for r in releases["releases"]}
    for project in ServiceProject.objects.all():
        published = project.tenders.exclude(state="draft").exists()
        assert (any(o.endswith(project.code) for o in ocids)) == published, project.title
    assert ServiceProject.objects.filter(
        state=ProjectState.TERMINATED
    ).exists()  # and it is not published


def test_the_lifecycle_is_complete_for_the_qianjiang_project(demo):
    project = ServiceProject.objects.get(title__contains="携手成长")
    releases, records = build_packages(base_uri="https://x")
    mine = [r for r in releases["releases"] if r["ocid"].endswith(project.code)]
    tags = [t for r in mine for t in r["tag"]]
    assert {"planning", "tender", "award", "contract", "implementation"} <= set(tags)
    record = next(r for r in records["records"] if r["ocid"].endswith(project.code))
    compiled = record["compiledRelease"]
    roles = {role for p in compiled["parties"] for role in p["roles"]}
    assert {
        "buyer",
        "procuringEntity",
        "tenderer",
        "supplier",
        "payer",
        "payee",
        "reviewBody",
    } <= roles
    assert compiled["tender"]["procurementMethod"] == "open"
    assert compiled["tender"]["procurementMethodDetails"] == "公开招标"
    transactions = compiled["contracts"][0]["implementation"]["transactions"]
    assert transactions[0]["value"] == {"amount": 143400, "currency": "CNY"}


def test_no_personal_data_in_public_output(demo):
    import json as _json

    from accounts.models import User
    from funds.models import ServiceRecord

    releases, records = build_packages(base_uri="https://x")
    text = _json.dumps([releases, records], ensure_ascii=False)
    for user in User.objects.all():
        assert user.display_name not in text, user.display_name
    for worker in set(ServiceRecord.objects.values_list("social_worker", flat=True)):
        assert worker not in text
    # The NGO's case files (names and ID numbers of children) never reach open data.
    from beneficiaries.models import Beneficiary

    files = Beneficiary.objects.exclude(id_number="")
    assert files.exists(), "the demo seeds case files"
    for name, id_number, phone in files.values_list("name", "id_number", "guardian_phone"):
        assert name not in text and id_number not in text and phone not in text, name


def test_budget_is_fen_exact_and_in_yuan(demo):
    project = ServiceProject.objects.filter(tenders__state="contracted").first()
    releases, _ = build_packages(base_uri="https://x")
    planning = next(r for r in releases["releases"] if r["id"].endswith(f"{project.code}-planning"))
    assert str(planning["planning"]["budget"]["amount"]["amount"]) in (
        str(project.budget),
        str(int(project.budget)),
    )
    assert planning["planning"]["budget"]["amount"]["currency"] == "CNY"


def test_public_urls_serve_the_packages_without_login(demo):
    client = Client()
    response = client.get("/opendata/release-package.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["releases"]
    record = client.get("/opendata/record-package.json")
    assert json.loads(record.content)["records"]


def test_export_command_writes_both_files(demo, tmp_path):
    with open(os.devnull, "w") as sink:
        call_command("export_ocds", output=str(tmp_path), stdout=sink)
    releases = json.loads((tmp_path / "release-package.json").read_text(encoding="utf-8"))
    records = json.loads((tmp_path / "record-package.json").read_text(encoding="utf-8"))
    assert {r["ocid"] for r in releases["releases"]} == {r["ocid"] for r in records["records"]}


def test_public_results_page_without_login(demo):
    from evaluation.models import Evaluation

    # The demo result is confirmed but still in its appeal window: not public yet.
    assert "84.50" not in Client().get("/opendata/results/").content.decode()
    # Published (as the bureau would after the window) it appears.
    Evaluation.objects.filter(total_score="84.50").update(
        state="published", published_at=timezone.now()
    )
    body = Client().get("/opendata/results/").content.decode()
    assert "84.50" in body and "良" in body
    assert "赵静" not in body  # assessors are organisations here, never persons
    assert (
        Client().get("/opendata/results/", {"region": "广西"}).content.decode().count("84.50") == 0
    )
