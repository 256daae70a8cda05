"""The demo's open data passes the official checks offline and carries the whole story."""

import json
import os

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from opendata import checks
from opendata.ocds import EXTENSIONS, MERGE_RULES
from projects.models import ProjectState, ServiceProject
from tests.opendata.conftest import harvest

pytestmark = pytest.mark.django_db


def test_the_checks_use_the_official_1_1_5_schemas(release_schema):
    base = "https://standard.open-contracting.org/schema/1__1__5/"
    assert release_schema["id"] == base + "release-schema.json"
    package = checks._load(checks.SCHEMA_DIR / "release-package-schema.json")
    assert package["id"] == base + "release-package-schema.json"
    assert checks.release_schema()["id"] == release_schema["id"]
    # 1.1.5's closed releaseTag codelist is enforced (1.1.4 had the same list).
    tags = release_schema["properties"]["tag"]["items"]["enum"]
    assert "tenderUpdate" in tags and "notATag" not in tags


def test_merge_rules_match_the_official_schema(release_schema):
    from ocdsmerge.rules import get_merge_rules

    assert get_merge_rules(checks.release_schema()) == MERGE_RULES
    assert set(get_merge_rules(release_schema).items()) < set(MERGE_RULES.items())


def test_demo_passes_the_official_checks_with_no_additional_fields(demo):
    client = Client()
    pages, releases = harvest(client, "/opendata/release-package.json")
    assert {r["tag"][0] for r in releases} >= {
        "planning",
        "tender",
        "tenderUpdate",
        "award",
        "contract",
        "implementation",
    }
    for page in pages:
        assert page["version"] == "1.1"
        assert checks.check_release_package(page) == []
    record_pages, records = harvest(client, "/opendata/record-package.json")
    assert records
    for page in record_pages:
        assert checks.check_record_package(page) == []
    # The fields the issue found undeclared are now declared by an extension or gone.
    text = json.dumps(releases, ensure_ascii=False)
    assert "localRole" not in text
    assert '"statusDetails"' in text  # declared by sanshe_details


def test_the_checks_catch_undeclared_fields_and_schema_errors(demo):
    release = json.loads(Client().get("/opendata/release-package.json").content)["releases"][0]
    release["tender"] = {"id": "x", "lotDetails": {}}
    release["parties"][0]["details"] = {"localRole": "第三方评估机构"}
    release["tag"] = ["notATag"]
    problems = checks.check_releases([release])
    assert any(p.endswith("/tender/lotDetails") for p in problems), problems
    assert any(p.endswith("/parties/0/details/localRole") for p in problems), problems
    assert any("notATag" in p for p in problems), problems


def test_only_projects_with_a_public_notice_appear(demo):
    _, releases = harvest(Client(), "/opendata/release-package.json")
    ocids = {r["ocid"] for r in releases}
    for project in ServiceProject.objects.all():
        published = project.tenders.exclude(state="draft").exists()
        assert (any(o.endswith(project.code) for o in ocids)) == published, project.title
    assert ServiceProject.objects.filter(state=ProjectState.TERMINATED).exists()


def test_the_lifecycle_is_complete_for_the_qianjiang_project(demo):
    project = ServiceProject.objects.get(title__contains="携手成长")
    client = Client()
    _, releases = harvest(client, "/opendata/release-package.json")
    mine = [r for r in releases if r["ocid"].endswith(project.code)]
    dates = [r["date"] for r in mine]
    assert dates == sorted(dates), "the feed is in publication order"
    planning = next(r for r in mine if r["tag"] == ["planning"])
    tender = next(r for r in mine if r["tag"] == ["tender"])
    opened = next(r for r in mine if r["id"].endswith("tender-1-opened"))
    assert planning["date"] <= tender["date"] < opened["date"]
    assert "tenderers" not in tender["tender"], "who bid is public only from the opening"
    assert opened["tender"]["numberOfTenderers"] == len(opened["tender"]["tenderers"]) >= 3
    record = json.loads(client.get(f"/opendata/records/{mine[0]['ocid']}.json").content)
    compiled = record["records"][0]["compiledRelease"]
    roles = {role for p in compiled["parties"] for role in p["roles"]}
    assert {"buyer", "procuringEntity", "tenderer", "supplier", "payer", "payee"} <= roles
    assert "evaluator" in roles
    assert compiled["tender"]["procurementMethod"] == "open"
    assert compiled["tender"]["procurementMethodDetails"] == "公开招标"
    assert compiled["tender"]["items"][0]["classification"]["scheme"] == "SANSHE-CATEGORY"
    assert compiled["tender"]["documents"][0]["documentType"] == "tenderNotice"
    assert compiled["awards"][0]["documents"][0]["documentType"] == "awardNotice"
    implementation = compiled["contracts"][0]["implementation"]
    assert implementation["transactions"][0]["value"] == {"amount": 143400, "currency": "CNY"}
    assert "uri" not in implementation["transactions"][0], "no link to a page behind a login"
    evaluation = implementation["performanceEvaluations"][0]
    assert (evaluation["score"], evaluation["grade"], evaluation["gradeDetails"]) == (
        84.5,
        "good",
        "良",
    )
    assert evaluation["milestoneID"].startswith(compiled["contracts"][0]["id"] + "-M")
    assert evaluation["indicatorSystem"]["version"] >= 1
    evaluator_ids = {p["id"] for p in compiled["parties"] if "evaluator" in p["roles"]}
    assert {o["id"] for o in evaluation["evaluators"]} <= evaluator_ids


def test_document_links_are_public_downloads(demo):
    client = Client()
    _, releases = harvest(client, "/opendata/release-package.json")
    documents: dict[str, dict] = {}

    def collect(node):
        if isinstance(node, dict):
            if "documentType" in node and "url" in node:
                documents[node["url"]] = node
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(releases)
    types = {d["documentType"] for d in documents.values()}
    # Notices at each stage, the contract's text and the evaluation reports.
    assert {
        "tenderNotice",
        "awardNotice",
        "contractNotice",
        "contractSigned",
        "evaluationReports",
    } <= types, types
    for url, document in sorted(documents.items()):
        path = url.replace("https://sanshe.example.gov.cn", "")
        response = client.get(path)  # anonymous
        assert response.status_code == 200, url
        assert response["Content-Type"].split(";")[0] == document["format"], url


def test_public_evaluation_report_names_no_person(demo):
    from io import BytesIO

    from pypdf import PdfReader

    from accounts.models import User
    from evaluation.models import Evaluation

    evaluation = Evaluation.objects.get(state="confirmed", total_score="84.50")
    response = Client().get(f"/opendata/evaluations/{evaluation.pk}/report.pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "84.50" in text and evaluation.assessor_org.name in text
    for user in User.objects.exclude(display_name=""):
        assert user.display_name not in text, user.display_name
    draft = Evaluation.objects.exclude(state__in=["confirmed", "published"]).first()
    assert Client().get(f"/opendata/evaluations/{draft.pk}/report.pdf").status_code == 404


def test_no_personal_data_in_public_output(demo):
    from accounts.models import User
    from beneficiaries.models import Beneficiary
    from funds.models import ServiceRecord

    client = Client()
    text = json.dumps(
        [
            harvest(client, "/opendata/release-package.json")[1],
            harvest(client, "/opendata/record-package.json")[1],
        ],
        ensure_ascii=False,
    )
    for user in User.objects.all():
        assert user.display_name not in text, user.display_name
    for worker in set(ServiceRecord.objects.values_list("social_worker", flat=True)):
        assert worker not in text
    files = Beneficiary.objects.exclude(id_number="")
    assert files.exists(), "the demo seeds case files"
    for name, id_number, phone in files.values_list("name", "id_number", "guardian_phone"):
        assert name not in text and id_number not in text and phone not in text, name


def test_publisher_and_identifiers_come_from_settings(demo, settings):
    settings.SANSHE_OCDS_PUBLISHER_NAME = "荆州市民政局政府购买服务平台"
    settings.SANSHE_OCDS_PUBLISHER_UID = "11421000ME6818KDNF"
    settings.SANSHE_OCDS_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
    package = json.loads(Client().get("/opendata/release-package.json").content)
    assert package["publisher"] == {
        "name": "荆州市民政局政府购买服务平台",
        "scheme": "CN-USCI",
        "uid": "11421000ME6818KDNF",
        "uri": "https://sanshe.example.gov.cn",
    }
    assert package["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert package["publicationPolicy"] == "https://sanshe.example.gov.cn/opendata/policy/"
    assert all(p["identifier"]["scheme"] == "CN-USCI" for p in package["releases"][0]["parties"])
    assert "example.gov.cn/opendata/policy" not in json.dumps(package["releases"])
    assert package["extensions"] == [
        f"https://sanshe.example.gov.cn/opendata/extensions/{name}/extension.json"
        for name in EXTENSIONS
    ]


def test_policy_page_and_extensions_are_served(demo):
    client = Client()
    policy = client.get("/opendata/policy/")
    assert policy.status_code == 200
    assert "release-package.json" in policy.content.decode()
    for name in EXTENSIONS:
        metadata = json.loads(client.get(f"/opendata/extensions/{name}/extension.json").content)
        for schema in metadata["schemas"]:
            assert client.get(f"/opendata/extensions/{name}/{schema}").status_code == 200
        for codelist in metadata["codelists"]:
            response = client.get(f"/opendata/extensions/{name}/codelists/{codelist}")
            assert response.status_code == 200
            assert response.content.decode("utf-8").startswith("Code,")
    assert client.get("/opendata/extensions/nope/extension.json").status_code == 404
    assert client.get("/opendata/extensions/enquiries/../../settings.py").status_code == 404


def test_export_command_writes_yearly_bulk_files_that_pass_the_checks(demo, tmp_path):
    with open(os.devnull, "w") as sink:
        call_command("export_ocds", output=str(tmp_path), stdout=sink)
    yearly = sorted(tmp_path.glob("releases-*.json"))
    assert yearly
    releases = []
    for path in yearly:
        package = json.loads(path.read_text(encoding="utf-8"))
        assert checks.check_release_package(package) == []
        year = path.stem.split("-")[1]
        assert all(r["date"].startswith(year) for r in package["releases"])
        releases += package["releases"]
    records = json.loads((tmp_path / "record-package.json").read_text(encoding="utf-8"))
    assert checks.check_record_package(records) == []
    assert {r["ocid"] for r in releases} == {r["ocid"] for r in records["records"]}
    _, fed = harvest(Client(), "/opendata/release-package.json")
    assert sorted(r["id"] for r in releases) == sorted(r["id"] for r in fed)


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
