"""The inbox and the preferences page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from notifications.forms import PreferenceForm
from notifications.models import Notification
from notifications.services import notifications_mark_read, preference_for


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        mine = mine.filter(read_at__isnull=True)
    page = Paginator(mine.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    form = PreferenceForm(instance=preference_for(request.user))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "form": form},
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    notifications_mark_read(user=request.user, ids=ids or None)
    return redirect("notifications:inbox")


@login_required
@require_POST
def open_notification(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if note is None:
        return redirect("notifications:inbox")
    notifications_mark_read(user=request.user, ids=[pk])
    # Only a path inside the site: a stored URL never sends anyone elsewhere.
    return redirect(
        note.url
        if note.url.startswith("/") and not note.url.startswith("//")
        else "notifications:inbox"
    )


@login_required
@require_POST
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST, instance=preference_for(request.user))
    if form.is_valid():
        form.save()
        messages.success(request, _("Notification preferences saved."))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("notifications:inbox")
