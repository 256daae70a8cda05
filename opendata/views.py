"""Public open-data endpoints: no login, nothing a published notice does not show.

Every answer is read from stored releases and records (opendata.services writes them when the
events happen) or from the prebuilt files beside them (opendata.files), so a request costs a
few indexed queries whatever the size of the database:

- the release feed (`release-package.json`) and the record feed (`record-package.json`) are
  paged by a cursor (`?after=`, keyset on the release id), oldest first, with `links.next`; a
  harvester keeps the last `links.next` and later asks only for what was published since;
- single releases and records by id, and bulk release packages per year, are the stored files'
  bytes (a release or record not yet written to storage is sent from its stored text);
- every JSON answer has an ETag and Cache-Control: public; files also Last-Modified
  (a conditional GET answers 304 without reading the data).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from documents.rendering import render_pdf
from documents.selectors import template_source
from evaluation.models import Evaluation, EvaluationState
from evaluation.report import KEY, report_context
from opendata.contract_releases import PUBLIC_EVALUATION_STATES
from opendata.files import bulk_name, record_name, record_package_text, release_name
from opendata.models import FileKind, PublishedFile, Record, Release
from opendata.ocds import EXTENSIONS, base_uri, dumps, iso, package_meta
from projects.models import ServiceCategory

logger = logging.getLogger(__name__)
EXTENSIONS_DIR = Path(__file__).resolve().parent / "extensions"
JSON = "application/json; charset=utf-8"


def _page_size(request: HttpRequest) -> int:
    limit = settings.SANSHE_OCDS_PAGE_SIZE
    raw = request.GET.get("limit", "")
    return max(1, min(int(raw), limit)) if raw.isdigit() else limit


def _cursor(request: HttpRequest) -> int:
    raw = request.GET.get("after", "0")
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    return int(raw)


def _tagged(request: HttpRequest, etag: str) -> HttpResponseBase | None:
    """304 when the client already has this ETag (quoted as HTTP wants it)."""
    response = get_conditional_response(request, etag=f'"{etag}"')
    if response is not None:
        response["ETag"] = f'"{etag}"'
    return response


def _finish(response: HttpResponseBase, etag: str, *, immutable: bool) -> HttpResponseBase:
    response["ETag"] = f'"{etag}"'
    # A full page, a release or a past year never changes; the newest page does.
    patch_cache_control(response, public=True, max_age=86400 if immutable else 60)
    return response


def _package(
    head: dict[str, object], key: str, items: list[str], next_url: str | None
) -> Iterator[str]:
    """The package as text: metadata, the stored items verbatim, then the links."""
    text = dumps(head)
    yield text[:-1] + f',"{key}":['
    for i, item in enumerate(items):
        yield ("," if i else "") + item
    yield "]"
    if next_url:
        yield "," + dumps({"links": {"next": next_url}})[1:-1]
    yield "}"


def _published(dates: list[datetime]) -> str:
    return iso(max(dates)) if dates else iso(timezone.now().replace(microsecond=0))


@require_safe
def release_feed(request: HttpRequest) -> HttpResponseBase:
    """Releases in publication order, `limit` per page, after the cursor `after` (a feed id)."""
    after, size = _cursor(request), _page_size(request)
    rows = list(
        Release.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "etag", "published_at")[: size + 1]
    )
    full = len(rows) > size
    rows = rows[:size]
    uri = f"{base_uri()}/opendata/release-package.json?after={after}&limit={size}"
    next_url = (
        f"{base_uri()}/opendata/release-package.json?after={rows[-1][0]}&limit={size}"
        if full
        else None
    )
    etag = _etag(uri, [e for _, e, _ in rows], bool(next_url))
    if (cached := _tagged(request, etag)) is not None:
        return cached
    data = dict(Release.objects.filter(pk__in=[pk for pk, _, _ in rows]).values_list("pk", "data"))
    head = package_meta(uri, published=_published([at for _, _, at in rows]))
    body = "".join(_package(head, "releases", [data[pk] for pk, _, _ in rows], next_url))
    return _finish(HttpResponse(body, content_type=JSON), etag, immutable=full)


@require_safe
def record_feed(request: HttpRequest) -> HttpResponseBase:
    """Records ordered by their newest release: `after` a release's feed id gives the records
    changed since then (a record that changes again moves to the end)."""
    after, size = _cursor(request), _page_size(request)
    rows = list(
        Record.objects.filter(last_release__gt=after)
        .order_by("last_release")
        .values_list("last_release", "etag", "updated_at", "pk")[: size + 1]
    )
    full = len(rows) > size
    rows = rows[:size]
    uri = f"{base_uri()}/opendata/record-package.json?after={after}&limit={size}"
    next_url = (
        f"{base_uri()}/opendata/record-package.json?after={rows[-1][0]}&limit={size}"
        if full
        else None
    )
    etag = _etag(uri, [e for _, e, _, _ in rows], bool(next_url))
    if (cached := _tagged(request, etag)) is not None:
        return cached
    data = dict(Record.objects.filter(pk__in=[pk for *_, pk in rows]).values_list("pk", "data"))
    head = package_meta(uri, published=_published([at for _, _, at, _ in rows]))
    body = "".join(_package(head, "records", [data[pk] for *_, pk in rows], next_url))
    return _finish(HttpResponse(body, content_type=JSON), etag, immutable=False)


def _etag(uri: str, item_tags: list[str], has_next: bool) -> str:
    meta = dumps(package_meta(uri, published=""))
    digest = hashlib.sha256(meta.encode("utf-8"))
    for tag in item_tags:
        digest.update(tag.encode("ascii"))
    digest.update(b"next" if has_next else b"last")
    return digest.hexdigest()


def _stored(
    request: HttpRequest, name: str, *, max_age: int, download: str = "", retry: bool = True
) -> HttpResponseBase | None:
    """The prebuilt file `name` from the storage, or None while it is not written yet.

    One query (its row) whatever the size of the database; a conditional GET (If-None-Match or
    If-Modified-Since) is answered 304 without opening the file.
    """
    row = (
        PublishedFile.objects.filter(name=name)
        .exclude(etag="")
        .values_list("etag", "modified", "path")
        .first()
    )
    if row is None:
        return None
    etag, modified, path = row
    stamp = int(modified.timestamp())
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=f'"{etag}"', last_modified=stamp
    )
    if response is None:
        try:
            f = default_storage.open(path, "rb")
        except FileNotFoundError:
            # Replaced by a rebuild since the row was read (read it again), or lost.
            if retry:
                return _stored(request, name, max_age=max_age, download=download, retry=False)
            logger.warning("open-data file %s is listed but missing from storage", path)
            return None
        if download:
            response = FileResponse(f, content_type=JSON, as_attachment=True, filename=download)
        else:
            with f:
                response = HttpResponse(f.read(), content_type=JSON)
    response["ETag"] = f'"{etag}"'
    response["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def release_view(request: HttpRequest, release_id: str) -> HttpResponseBase:
    """One release: its stored file (written once; the stored text until it is written)."""
    stored = _stored(request, release_name(release_id), max_age=86400)
    if stored is not None:
        return stored
    row = Release.objects.filter(release_id=release_id).values_list("etag", "data").first()
    if row is None:
        raise Http404
    etag, data = row
    if (cached := _tagged(request, etag)) is not None:
        return cached
    return _finish(HttpResponse(data, content_type=JSON), etag, immutable=True)


@require_safe
def record_view(request: HttpRequest, ocid: str) -> HttpResponseBase:
    """One record package: its stored file (rewritten after each release of the ocid)."""
    stored = _stored(request, record_name(ocid), max_age=60)
    if stored is not None:
        return stored
    row = Record.objects.filter(ocid=ocid).values_list("data", "updated_at").first()
    if row is None:
        raise Http404
    body = record_package_text(ocid, *row).encode("utf-8")
    etag = hashlib.sha256(body).hexdigest()  # the ETag its file will have
    if (cached := _tagged(request, etag)) is not None:
        return cached
    return _finish(HttpResponse(body, content_type=JSON), etag, immutable=False)


@require_safe
def bulk_year(request: HttpRequest, year: int) -> HttpResponseBase:
    """Every release dated in `year`: the package the worker built, streamed from storage."""
    if not 1900 <= year <= 2200:
        raise Http404
    past = year < timezone.localdate().year
    stored = _stored(
        request,
        bulk_name(year),
        max_age=86400 if past else 300,
        download=f"ocds-releases-{year}.json",
    )
    if stored is None:
        raise Http404
    return stored


@require_safe
def bulk_index(request: HttpRequest) -> HttpResponse:
    """The years whose package is built (one query over a row per year)."""
    years = list(
        PublishedFile.objects.filter(kind=FileKind.BULK)
        .exclude(etag="")
        .order_by("year")
        .values_list("year", flat=True)
    )
    return render(request, "opendata/bulk.html", {"years": years})


@require_safe
def extension_file(request: HttpRequest, name: str, path: str) -> HttpResponseBase:
    """An extension's extension.json, schema patch or codelist, as listed in its metadata."""
    if name not in EXTENSIONS:
        raise Http404
    allowed = {
        "extension.json",
        "release-schema.json",
        "release-package-schema.json",
        "record-package-schema.json",
    }
    folder = EXTENSIONS_DIR / name
    codelists = folder / "codelists"
    if codelists.is_dir():
        allowed |= {f"codelists/{p.name}" for p in codelists.iterdir()}
    if path not in allowed or not (folder / path).is_file():
        raise Http404
    content = (folder / path).read_bytes()
    etag = hashlib.sha256(content).hexdigest()
    if (cached := _tagged(request, etag)) is not None:
        return cached
    content_type = "text/csv; charset=utf-8" if path.endswith(".csv") else JSON
    return _finish(HttpResponse(content, content_type=content_type), etag, immutable=False)


def policy(request: HttpRequest) -> HttpResponse:
    """公开政策: what is published, when, under which licence, and how to harvest it."""
    return render(
        request,
        "opendata/policy.html",
        {
            "publisher": settings.SANSHE_OCDS_PUBLISHER_NAME,
            "license": settings.SANSHE_OCDS_LICENSE,
            "base": base_uri(),
            "extensions": EXTENSIONS,
            "page_size": settings.SANSHE_OCDS_PAGE_SIZE,
            "ocid_prefix": settings.SANSHE_OCID_PREFIX,
            "scheme": settings.SANSHE_OCDS_ORG_SCHEME,
        },
    )


@require_safe
def evaluation_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of a published evaluation, public as its result is (no personal data)."""
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("project__bureau"),
        pk=pk,
        state__in=PUBLIC_EVALUATION_STATES,
    )
    result = evaluation.results.get(is_current=True)
    context = report_context(evaluation, result)
    # The public copy names organisations only: no assessor by name, and no free-text
    # comments, which may mention the people served.
    context.update(lead="", comments=[])
    source = template_source(key=KEY, bureau=evaluation.project.bureau)
    response = HttpResponse(render_pdf(source, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evaluation-{pk}.pdf"'
    return response


def results(request: HttpRequest) -> HttpResponse:
    """绩效评价结果公示: published scores and grades only; no personal data.

    A confirmed result stays off this page through the appeal window (and while an appeal is
    answered): the bureau publishes it once it is final (evaluation.Evaluation.publish)."""
    qs = (
        Evaluation.objects.filter(state=EvaluationState.PUBLISHED)
        .select_related("project__bureau", "contract__supplier", "assessor_org", "milestone")
        .order_by("-published_at", "-id")
    )
    region = request.GET.get("region", "").strip()
    if region:
        qs = qs.filter(
            Q(project__region__icontains=region) | Q(project__bureau__region__icontains=region)
        )
    category = request.GET.get("category", "")
    if category:
        qs = qs.filter(project__category=category)
    year = request.GET.get("year", "")
    if year.isdigit() and 1900 <= int(year) <= 2200:
        qs = qs.filter(published_at__year=int(year))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request, "opendata/results.html", {"page": page, "categories": ServiceCategory.choices}
    )
