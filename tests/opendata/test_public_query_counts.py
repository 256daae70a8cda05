"""Every public open-data request costs the same number of queries with 3 projects as with 30:
nothing a harvester asks for is built from the whole database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opendata.files import bulk_file_build, project_files_write
from opendata.models import Record, Release
from opendata.ocds import dumps, iso, ocid_for
from opendata.services import content_hash, record_compile
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


def _publish(count: int) -> None:
    """`count` more projects, each with a planning and a tender release, their files written."""
    for _ in range(count):
        project = ServiceProjectFactory()
        ocid = ocid_for(project)
        pks = []
        for month, tag in ((3, "planning"), (4, "tender")):
            date = dt.datetime(YEAR, month, project.pk % 28 + 1, 9, tzinfo=dt.UTC)
            body = {"buyer": {"id": f"SANSHE-{project.bureau_id}", "name": project.bureau.name}}
            data = {"ocid": ocid, "id": f"{ocid}-{tag}", "date": iso(date), "tag": [tag], **body}
            release = Release.objects.create(
                project=project,
                ocid=ocid,
                release_id=data["id"],
                event=tag,
                revision=1,
                date=date,
                tag=tag,
                content_hash=content_hash(body),
                data=dumps(data),
            )
            pks.append(release.pk)
        record_compile(project=project)
        project_files_write(release_pks=pks)
    bulk_file_build(year=YEAR)


def _costs(client: Client) -> dict[str, tuple[int, int]]:
    """(status, queries) of each public request, as an anonymous harvester makes them."""
    release = Release.objects.order_by("pk")[1]
    ocid = Record.objects.order_by("pk").values_list("ocid", flat=True)[1]
    urls = [
        "/opendata/release-package.json",
        f"/opendata/release-package.json?after={release.pk}&limit=2",
        "/opendata/record-package.json",
        f"/opendata/record-package.json?after={release.pk}",
        f"/opendata/releases/{release.release_id}.json",
        f"/opendata/records/{ocid}.json",
        "/opendata/bulk/",
        f"/opendata/bulk/{YEAR}.json",
    ]
    costs = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        costs[url] = (response.status_code, len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            again = client.get(url, headers={"if-none-match": response.get("ETag", "")})
        costs[f"{url} (If-None-Match)"] = (again.status_code, len(ctx.captured_queries))
    return costs


def test_public_requests_cost_the_same_queries_with_3_and_30_projects(settings):
    settings.SANSHE_OCDS_PAGE_SIZE = 10
    client = Client()
    _publish(3)
    small = _costs(client)
    _publish(27)
    assert Record.objects.count() == 30 and Release.objects.count() == 60
    large = _costs(client)
    assert large == small
    statuses = {url: status for url, (status, _) in large.items()}
    assert all(s == 200 for url, s in statuses.items() if "If-None-Match" not in url), statuses
    # The bulk index is a page, without an ETag; every JSON answer has one and answers 304.
    assert all(s == 304 for url, s in statuses.items() if "json (If-None-Match)" in url), statuses
    assert max(queries for _, queries in large.values()) <= 2
