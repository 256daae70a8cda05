"""Public open-data endpoints: no login, JSON only, nothing a published notice does not show."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_page

from opendata.packages import build_packages


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _json(data: object) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1}, safe=False)


@cache_page(60)
def release_package_view(request: HttpRequest) -> JsonResponse:
    releases, _ = build_packages(base_uri=_base(request))
    return _json(releases)


@cache_page(60)
def record_package_view(request: HttpRequest) -> JsonResponse:
    _, records = build_packages(base_uri=_base(request))
    return _json(records)


def release_view(request: HttpRequest, release_id: str) -> JsonResponse:
    releases, _ = build_packages(base_uri=_base(request))
    for release in releases["releases"]:
        if release["id"] == release_id:
            return _json(release)
    raise Http404


def record_view(request: HttpRequest, ocid: str) -> JsonResponse:
    _, records = build_packages(base_uri=_base(request))
    for record in records["records"]:
        if record["ocid"] == ocid:
            return _json(record)
    raise Http404


def results(request: HttpRequest) -> HttpResponse:
    """绩效评价结果公示: published scores and grades only; no personal data.

    A confirmed result stays off this page through the appeal window (and while an appeal is
    answered): the bureau publishes it once it is final (evaluation.Evaluation.publish)."""
    from django.core.paginator import Paginator
    from django.db.models import Q
    from django.shortcuts import render

    from evaluation.models import Evaluation
    from projects.models import ServiceCategory

    qs = (
        Evaluation.objects.filter(state="published")
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
