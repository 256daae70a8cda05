"""Publishing: each public event is written once as a stored release; records follow from them.

`project_releases_sync` is the single writer of releases. It builds the project's public events
(opendata.releases), writes a release for each event not yet published (dated by the event),
and for an event whose content differs from what was published a correction: a new release of
the same event with the tag `…Update`, dated now. Published releases are never changed. After
the commit, each new release's file, its record's file and a rebuild of its year's bulk package
follow (opendata.files). It runs after every commit that touched a project's public events
(opendata.receivers), from `manage.py sync_ocds` for data that existed before releases were
stored, and is idempotent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from opendata.files import project_files_write
from opendata.models import Record, Release
from opendata.ocds import compile_record, dumps, iso, ocid_for
from opendata.releases import project_events
from projects.models import ServiceProject

# The tag a correction of an event carries (OCDS releaseTag codelist).
UPDATE_TAG = {
    "planning": "planningUpdate",
    "tender": "tenderUpdate",
    "tenderUpdate": "tenderUpdate",
    "tenderCancellation": "tenderUpdate",
    "award": "awardUpdate",
    "contract": "contractUpdate",
    "contractUpdate": "contractUpdate",
    "contractAmendment": "contractUpdate",
    "contractTermination": "contractUpdate",
    "implementation": "implementationUpdate",
}


def content_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def project_releases_sync(*, project: ServiceProject, now: datetime | None = None) -> list[Release]:
    """Publish the project's events not yet published and corrections of those that changed."""
    # One writer per project at a time: the row lock orders concurrent syncs.
    project = ServiceProject.objects.select_for_update().select_related("bureau").get(pk=project.pk)
    with translation.override("zh-hans"):
        events = project_events(project)
    if not events:
        return []
    latest: dict[str, tuple[int, str]] = {}
    for key, revision, digest in (
        Release.objects.filter(project=project)
        .order_by("revision")
        .values_list("event", "revision", "content_hash")
    ):
        latest[key] = (revision, digest)
    ocid = ocid_for(project)
    written = []
    for event in events:
        digest = content_hash(event.body)
        prior = latest.get(event.key)
        if prior is not None and prior[1] == digest:
            continue
        if prior is None:
            revision, date, tag = 1, event.date, event.tag
            release_id = f"{ocid}-{event.key}"
        else:
            revision, date, tag = prior[0] + 1, now or timezone.now(), UPDATE_TAG[event.tag]
            release_id = f"{ocid}-{event.key}-{revision}"
        release = {
            "ocid": ocid,
            "id": release_id,
            "date": iso(date),
            "tag": [tag],
            "initiationType": "tender",
            "language": "zh",
            **event.body,
        }
        written.append(
            Release.objects.create(
                project=project,
                ocid=ocid,
                release_id=release_id,
                event=event.key,
                revision=revision,
                date=date,
                tag=tag,
                content_hash=digest,
                data=dumps(release),
            )
        )
        latest[event.key] = (revision, digest)
    if written:
        record_compile(project=project)
        # The files are written once the releases are committed (a rolled-back sync writes
        # none); a failure is logged, and sync_ocds or the next release writes them.
        pks = [r.pk for r in written]
        transaction.on_commit(lambda: project_files_write(release_pks=pks), robust=True)
    return written


def record_compile(*, project: ServiceProject) -> Record:
    """Recompile the project's record from its stored releases (publication order)."""
    rows = list(
        Release.objects.filter(project=project).order_by("date", "id").values_list("pk", "data")
    )
    record = compile_record([json.loads(data) for _, data in rows])
    text = dumps(record)
    saved, _ = Record.objects.update_or_create(
        project=project,
        defaults={
            "ocid": record["ocid"],
            "data": text,
            "etag": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "last_release": max(pk for pk, _ in rows),
        },
    )
    return saved
