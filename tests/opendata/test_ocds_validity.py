"""Everything published validates against the official OCDS 1.1 release schema and merges."""

import json
import os

import pytest
from django.core.management import call_command
from django.test import Client

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


def test_only_published_projects_appear(demo):
    releases, _ = build_packages(base_uri="https://x")
    ocids = {r["ocid"] for r in releases["releases"]}
    for project in ServiceProject.objects.all():
        published = project.state not in (ProjectState.DRAFT, ProjectState.APPROVED)
        assert (any(o.endswith(project.code) for o in ocids)) == published, project.title


def test_budget_is_fen_exact_and_in_yuan(demo):
    project = ServiceProject.objects.exclude(state__in=["draft", "approved"]).first()
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
