from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import selectors, services
from core.models import ExportJob
from core.permissions import can_download_export

# Query parameters of a list page that shape the page, not the rows an export should hold.
_PAGE_ONLY = {"format", "page", "verify", "after", "before"}


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """我的导出: the user's background exports, newest first, with their state and file."""
    jobs = selectors.export_job_list(user=request.user)
    pending = any(not job.finished_at for job in jobs)
    return render(request, "core/exports.html", {"jobs": jobs, "pending": pending})


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    """Queue an export of the rows the page's filters select (the filters come as its query)."""
    query = QueryDict(request.POST.get("query", ""))
    params = {key: value for key, value in query.items() if key not in _PAGE_ONLY and value}
    try:
        services.export_job_request(
            user=request.user, kind=request.POST.get("kind", ""), params=params
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exports")
    messages.success(request, _("The export is queued; this page shows it when the file is ready."))
    return redirect("exports")


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ExportJob, pk=pk)
    can_download_export(request.user, job).require()
    if not job.is_ready:
        raise Http404(_("This export has no file yet."))
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
