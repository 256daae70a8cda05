"""Bureau staff view, preview and save their bureau's document templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from core.fsm import ActionRefusedError
from documents import registry, selectors, services
from documents.forms import TemplateForm
from documents.permissions import can_edit_document_template
from documents.rendering import render_pdf


@login_required
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_edit_document_template(request.user, request.user.organization).require()
    bureau = request.user.organization
    if bureau is None:  # pragma: no cover - the rule above already refused
        raise PermissionDenied
    rows = [
        {"kind": kind, "versions": selectors.template_versions(key=kind.key, bureau=bureau).count()}
        for kind in registry.all_kinds()
    ]
    return render(request, "documents/template_list.html", {"rows": rows, "bureau": bureau})


@login_required
def template_edit(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    can_edit_document_template(request.user, request.user.organization).require()
    try:
        kind = registry.get(key)
    except KeyError as exc:
        raise Http404 from exc
    bureau = request.user.organization
    if bureau is None:  # pragma: no cover - the rule above already refused
        raise PermissionDenied
    form = TemplateForm(
        request.POST or None,
        initial={"source": selectors.template_source(key=key, bureau=bureau)},
    )
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            if "preview" in request.POST:
                pdf = render_pdf(source, kind.sample_context())
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'inline; filename="{key}-preview.pdf"'
                return response
            saved = services.document_template_save(
                key=key, bureau=bureau, source=source, actor=request.user
            )
            messages.success(request, _("Saved as version %(v)s.") % {"v": saved.version})
            return redirect("documents:edit", key=key)
        except ValidationError as exc:
            form.add_error("source", exc)
        except ActionRefusedError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "documents/template_edit.html",
        {
            "kind": kind,
            "form": form,
            "versions": selectors.template_versions(key=key, bureau=bureau),
        },
    )
