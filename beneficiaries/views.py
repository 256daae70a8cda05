"""The NGO's register pages: list with search and counts, create, edit.

Responses carry personal data, so they are never cached (proxies, the browser's back button on a
shared computer in a village office) and error reports leave the identifiers out.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.http import AuthenticatedHttpRequest
from beneficiaries import selectors, services
from beneficiaries.forms import BeneficiaryForm, ImportForm, SearchForm
from beneficiaries.imports import HEADER_HINT, MAX_ROWS
from beneficiaries.models import Beneficiary
from beneficiaries.permissions import (
    can_change_beneficiary,
    can_create_beneficiary,
    can_view_beneficiary_register,
)
from core.fsm import ActionRefusedError

PAGE_SIZE = 50
SENSITIVE = ("name", "id_number", "guardian_name", "guardian_phone", "notes")


@never_cache
@login_required
def beneficiary_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_view_beneficiary_register(request.user).require()
    search = SearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    village = filters.get("village", "")
    category = filters.get("category", "")
    page = Paginator(
        selectors.beneficiary_list(user=request.user, village=village, category=category),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "beneficiaries/list.html",
        {
            "page": page,
            "search": search,
            "counts": selectors.category_counts(user=request.user, village=village),
        },
    )


def _save(
    request: AuthenticatedHttpRequest, form: BeneficiaryForm, beneficiary: Beneficiary | None
) -> Beneficiary | None:
    """Run the service on a valid form; its refusals and rule errors land on the form."""
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        if beneficiary is None:
            return services.beneficiary_create(actor=request.user, fields=fields)
        return services.beneficiary_update(
            beneficiary=beneficiary, actor=request.user, fields=fields
        )
    except ValidationError as exc:
        form.add_error(None, exc)
    except ActionRefusedError as exc:
        form.add_error(None, str(exc))
    return None


@never_cache
@sensitive_post_parameters(*SENSITIVE)
@login_required
def beneficiary_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_create_beneficiary(request.user).require()
    form = BeneficiaryForm(request.POST or None, organization_id=request.user.organization_id)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Case file %(name)s added.") % {"name": saved})
            return redirect("beneficiaries:list")
    return render(request, "beneficiaries/form.html", {"form": form, "beneficiary": None})


@never_cache
@sensitive_post_parameters(*SENSITIVE)
@login_required
def beneficiary_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    decision = can_change_beneficiary(request.user, beneficiary)
    decision.require()
    form = BeneficiaryForm(
        request.POST or None, instance=beneficiary, organization_id=request.user.organization_id
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, beneficiary)
        if saved is not None:
            messages.success(request, _("Case file %(name)s saved.") % {"name": saved})
            return redirect("beneficiaries:list")
    return render(request, "beneficiaries/form.html", {"form": form, "beneficiary": beneficiary})


@never_cache
@login_required
def beneficiary_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One step: a good file is saved at once, a file with any bad row saves nothing."""
    can_create_beneficiary(request.user).require()
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.beneficiary_import(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        except ActionRefusedError as exc:
            form.add_error(None, str(exc))
        else:
            if result.ok:
                messages.success(request, _("%(n)s case files imported.") % {"n": result.saved})
                return redirect("beneficiaries:list")
    return render(
        request,
        "beneficiaries/import.html",
        {"form": form, "result": result, "hint": HEADER_HINT, "max_rows": MAX_ROWS},
    )
