"""Releases, records and each year's bulk package are served from prebuilt files in storage:
the bytes sent are the stored file's, with caching headers, and a conditional GET is 304."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from opendata import checks
from opendata.files import bulk_name, record_name, release_name
from opendata.models import PublishedFile, Record, Release
from procurement.models import Contract
from projects.models import ServiceProject
from tests.jobs import work

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored(name: str) -> bytes:
    with default_storage.open(PublishedFile.objects.get(name=name).path, "rb") as f:
        return f.read()


def _cached_ok(client: Client, url: str, response) -> None:
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    control = response["Cache-Control"]
    assert "public" in control and "max-age=" in control
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and not _body(again)
    since = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(url, headers={"if-none-match": '"stale"'}).status_code == 200


def test_release_record_and_bulk_are_the_stored_bytes_with_caching_headers(demo):
    client = Client()
    release = Release.objects.order_by("pk").first()
    url = f"/opendata/releases/{release.release_id}.json"
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response) == _stored(release_name(release.release_id))
    assert _body(response).decode() == release.data
    assert "max-age=86400" in response["Cache-Control"]  # a release never changes
    _cached_ok(client, url, response)

    record = Record.objects.order_by("pk").first()
    url = f"/opendata/records/{record.ocid}.json"
    response = client.get(url)
    assert _body(response) == _stored(record_name(record.ocid))
    assert checks.check_record_package(json.loads(_body(response))) == []
    _cached_ok(client, url, response)

    year = timezone.localtime(release.date).year
    url = f"/opendata/bulk/{year}.json"
    assert f"{year}.json" in client.get("/opendata/bulk/").content.decode()
    response = client.get(url)
    assert response.streaming
    assert f"ocds-releases-{year}.json" in response["Content-Disposition"]
    body = _body(response)
    assert body == _stored(bulk_name(year))
    package = json.loads(body)
    assert checks.check_release_package(package) == []
    assert [r["id"] for r in package["releases"]] == list(
        Release.objects.filter(date__year=year).order_by("pk").values_list("release_id", flat=True)
    )
    _cached_ok(client, url, response)
    assert client.get("/opendata/bulk/1999.json").status_code == 404
    assert client.get("/opendata/releases/ocds-nothing.json").status_code == 404


# Committed for real: the worker reads its queue from its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_new_release_gets_its_file_and_the_job_rebuilds_its_year(
    demo, django_capture_on_commit_callbacks
):
    from opendata.services import project_releases_sync

    client = Client()
    project = ServiceProject.objects.get(title__contains="携手成长")
    supplier = Contract.objects.get(project=project).supplier
    supplier.name = "武汉市爱心天使社会工作服务中心"
    supplier.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        written = project_releases_sync(project=project)
    assert written, "the renamed supplier is a correction"
    new = written[-1]
    year = timezone.localtime(new.date).year
    url = f"/opendata/bulk/{year}.json"

    # The release's and the record's files are written by the commit itself.
    response = client.get(f"/opendata/releases/{new.release_id}.json")
    assert _body(response) == _stored(release_name(new.release_id))
    record = client.get(f"/opendata/records/{new.ocid}.json")
    assert new.release_id in _body(record).decode()
    assert _body(record) == _stored(record_name(new.ocid))

    # The year's package is the job's: still the old one until the worker has run it.
    before = client.get(url)
    before_path = PublishedFile.objects.get(name=bulk_name(year)).path
    old_ids = [r["id"] for r in json.loads(_body(before))["releases"]]
    assert old_ids
    assert new.release_id not in old_ids
    work()
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert client.get(url, headers={"if-none-match": before["ETag"]}).status_code == 200
    body = _body(after)
    assert body == _stored(bulk_name(year))
    package = json.loads(body)
    added = [r.release_id for r in written if timezone.localtime(r.date).year == year]
    assert [r["id"] for r in package["releases"]] == [*old_ids, *added]
    # The superseded package is removed from storage once the new one is committed.
    assert not default_storage.exists(before_path)
    assert (
        len(default_storage.listdir("opendata/bulk")[1])
        == PublishedFile.objects.filter(kind="bulk").count()
    )
    assert checks.check_release_package(package) == []
