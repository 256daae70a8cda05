"""Open-data fixtures: the demo published through the hooks, and the feeds read as a harvester."""

from __future__ import annotations

import json
import os

import pytest
from django.core.management import call_command
from django.test import Client

from opendata import checks


@pytest.fixture(scope="session")
def release_schema() -> dict:
    """The vendored official release schema (before the project's extensions are applied)."""
    return checks._load(checks.SCHEMA_DIR / "release-schema.json")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The prebuilt open-data files go to this test's own storage, never the checkout's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks):
    settings.SANSHE_OCDS_BASE_URI = "https://sanshe.example.gov.cn"
    with open(os.devnull, "w") as sink, django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=sink)


def harvest(client: Client, url: str) -> tuple[list[dict], list[dict]]:
    """Follow links.next from `url` to the end: (every page, every item) as a harvester would."""
    pages: list[dict] = []
    items: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = json.loads(response.content)
        pages.append(page)
        items += page.get("releases", page.get("records", []))
        url = page.get("links", {}).get("next", "")
        url = url.replace("https://sanshe.example.gov.cn", "")
    return pages, items
