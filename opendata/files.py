"""The prebuilt open-data files: one per release, one record package per ocid, one release
package per year, kept in the default storage (so S3 in production) and listed in
`PublishedFile` with their ETag, size and time written.

- a release's file is its stored text, written once after the commit that stored it;
- a record's file is the record package around the stored record, rewritten after the commit
  that added a release to it (under a row lock, reading the record as it is then, so that two
  commits in a row never leave the older one on disk);
- a year's bulk package is every release dated in the year, rebuilt by a background job
  (opendata.tasks.build_bulk_year) queued by the same commit, and by `tick` for any year whose
  releases changed since its file was built. It is written to a temporary file first, so
  memory stays flat whatever the size of the year.

Every writer is idempotent: a file whose source has not changed is not written again.
`manage.py sync_ocds` writes any file missing (e.g. after upgrading, or if a process died
between the commit and the write).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from opendata.models import FileKind, PublishedFile, Record, Release
from opendata.ocds import base_uri, dumps, iso, package_meta

logger = logging.getLogger(__name__)

PREFIX = "opendata"


def release_name(release_id: str) -> str:
    return f"{PREFIX}/releases/{release_id}.json"


def record_name(ocid: str) -> str:
    return f"{PREFIX}/records/{ocid}.json"


def bulk_name(year: int) -> str:
    return f"{PREFIX}/bulk/{year}.json"


def package_chunks(head: dict[str, object], key: str, items: Iterable[str]) -> Iterator[str]:
    """A release or record package as text: the metadata, then the stored items verbatim."""
    text = dumps(head)
    yield text[:-1] + f',"{key}":['
    for i, item in enumerate(items):
        yield ("," if i else "") + item
    yield "]}"


def record_package_text(ocid: str, data: str, updated: object) -> str:
    """The package served at /opendata/records/<ocid>.json around the stored record."""
    uri = f"{base_uri()}/opendata/records/{ocid}.json"
    return "".join(package_chunks(package_meta(uri, published=iso(updated)), "records", [data]))


def _store(
    name: str, content: IO[bytes], *, kind: str, source: str, etag: str, size: int, **extra: object
) -> PublishedFile:
    """Store the bytes under a path named by their hash and point the row at it; the caller
    holds the row's lock. The file being served is never overwritten: the previous path is
    deleted after the commit (requests that read the row before then fall back, see views)."""
    path = f"{name.removesuffix('.json')}.{etag[:16]}.json"
    if not default_storage.exists(path):  # the same path holds the same bytes
        saved = default_storage.save(path, File(content, name=path.rsplit("/", 1)[-1]))
        if saved != path:  # another process stored the same bytes meanwhile: keep one copy
            default_storage.delete(saved)
    old = PublishedFile.objects.filter(name=name).values_list("path", flat=True).first()
    row, _ = PublishedFile.objects.update_or_create(
        name=name,
        defaults={
            "path": path,
            "kind": kind,
            "source": source,
            "etag": etag,
            "size": size,
            "modified": timezone.now().replace(microsecond=0),
            **extra,
        },
    )
    if old and old != path:
        transaction.on_commit(lambda: default_storage.delete(old), robust=True)
    return row


def _locked(name: str, kind: str) -> PublishedFile:
    """The file's row, locked until the transaction ends (created empty the first time)."""
    row, _ = PublishedFile.objects.select_for_update().get_or_create(
        name=name, defaults={"kind": kind, "modified": timezone.now(), "etag": ""}
    )
    return row


def _write_text(name: str, text: str, *, kind: str, source: str) -> bool:
    data = text.encode("utf-8")
    with transaction.atomic():
        row = _locked(name, kind)
        if row.source == source and row.etag:
            return False
        _store(
            name,
            ContentFile(data),
            kind=kind,
            source=source,
            etag=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )
    return True


def release_file_write(release: Release) -> bool:
    """Store the release's file (its published text) unless it is stored already."""
    return _write_text(
        release_name(release.release_id), release.data, kind=FileKind.RELEASE, source=release.etag
    )


def record_file_write(ocid: str) -> bool:
    """Store the record package of `ocid` as the record is now (after its newest release)."""
    if not Record.objects.filter(ocid=ocid).exists():
        return False
    with transaction.atomic():
        name = record_name(ocid)
        _locked(name, FileKind.RECORD)  # order the writers of this record before reading it
        data, etag, updated = Record.objects.values_list("data", "etag", "updated_at").get(
            ocid=ocid
        )
        return _write_text(
            name, record_package_text(ocid, data, updated), kind=FileKind.RECORD, source=etag
        )


def _bulk_source(year: int) -> tuple[str, int]:
    """What the year's bulk package is built from: its release count and newest release."""
    agg = Release.objects.filter(date__year=year).aggregate(n=Count("pk"), last=Max("pk"))
    return f"{agg['n']}-{agg['last'] or 0}", int(agg["n"])


def bulk_file_build(*, year: int) -> bool:
    """Rebuild the release package of `year` unless its releases are unchanged since the last
    build. Streams the stored release text through a temporary file (flat memory)."""
    name = bulk_name(year)
    if not Release.objects.filter(date__year=year).exists():
        return False
    with transaction.atomic():
        row = _locked(name, FileKind.BULK)
        source, _count = _bulk_source(year)
        if row.source == source and row.etag:
            return False
        releases = Release.objects.filter(date__year=year)
        newest = releases.order_by("-published_at").values_list("published_at", flat=True)[0]
        uri = f"{base_uri()}/opendata/bulk/{year}.json"
        head = package_meta(uri, published=iso(newest))
        texts = releases.order_by("pk").values_list("data", flat=True).iterator(chunk_size=500)
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile() as spool:
            for chunk in package_chunks(head, "releases", texts):
                data = chunk.encode("utf-8")
                digest.update(data)
                size += len(data)
                spool.write(data)
            spool.seek(0)
            _store(
                name,
                spool,
                kind=FileKind.BULK,
                source=source,
                etag=digest.hexdigest(),
                size=size,
                year=year,
            )
    return True


def stale_bulk_years() -> list[int]:
    """Years whose releases changed since their bulk package was built (or never built)."""
    first = Release.objects.order_by("date").values_list("date", flat=True).first()
    last = Release.objects.order_by("-date").values_list("date", flat=True).first()
    if first is None or last is None:
        return []
    built = dict(PublishedFile.objects.filter(kind=FileKind.BULK).values_list("year", "source"))
    years = range(timezone.localtime(first).year, timezone.localtime(last).year + 1)
    stale = []
    for year in years:
        source, count = _bulk_source(year)
        if count and built.get(year) != source:
            stale.append(year)
    return stale


def project_files_write(*, release_pks: list[int]) -> None:
    """After the commit that stored these releases: their files, their records' files, and a
    rebuild of each year they are dated in queued for the worker."""
    from opendata.tasks import build_bulk_year  # late: the task module imports this one

    releases = list(Release.objects.filter(pk__in=release_pks).order_by("pk"))
    for release in releases:
        release_file_write(release)
    for ocid in sorted({r.ocid for r in releases}):
        record_file_write(ocid)
    for year in sorted({timezone.localtime(r.date).year for r in releases}):
        build_bulk_year.enqueue(year)


def missing_files_write() -> int:
    """Write every release and record file not stored yet, and rebuild the stale years' bulk
    packages (sync_ocds; a one-off after upgrading, or to repair). Returns the files written."""
    stored = set(
        PublishedFile.objects.exclude(etag="")
        .filter(kind__in=[FileKind.RELEASE, FileKind.RECORD])
        .values_list("name", "source")
    )
    written = 0
    for release in Release.objects.order_by("pk").iterator(chunk_size=500):
        if (release_name(release.release_id), release.etag) not in stored:
            written += release_file_write(release)
    for ocid, etag in Record.objects.order_by("pk").values_list("ocid", "etag").iterator():
        if (record_name(ocid), etag) not in stored:
            written += record_file_write(ocid)
    for year in stale_bulk_years():
        written += bulk_file_build(year=year)
    return written
