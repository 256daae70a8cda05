"""The NGO's workforce pages: its social workers and its volunteers' hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from workforce import selectors, services
from workforce.forms import SocialWorkerForm, VolunteerServiceForm
from workforce.models import SocialWorker
from workforce.permissions import can_manage_workforce

PAGE_SIZE = 50


def _apply(form: SocialWorkerForm | VolunteerServiceForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def workforce_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = request.user.organization
    can_manage_workforce(request.user, organization).require()
    contracts = selectors.supplier_contracts(organization=organization)
    worker_form = SocialWorkerForm(prefix="w")
    service_form = VolunteerServiceForm(prefix="v", contracts=contracts)
    if request.method == "POST" and "worker" in request.POST:
        worker_form = SocialWorkerForm(request.POST, prefix="w")
        if worker_form.is_valid():
            try:
                services.social_worker_save(
                    user=request.user, organization=organization, **worker_form.cleaned_data
                )
            except ValidationError as exc:
                _apply(worker_form, exc)
            else:
                messages.success(request, _("Social worker added to the register."))
                return redirect("workforce:home")
    elif request.method == "POST" and "volunteer" in request.POST:
        service_form = VolunteerServiceForm(request.POST, prefix="v", contracts=contracts)
        if service_form.is_valid():
            try:
                services.volunteer_service_record(user=request.user, **service_form.cleaned_data)
            except ValidationError as exc:
                _apply(service_form, exc)
            else:
                messages.success(request, _("Volunteer hours recorded."))
                return redirect("workforce:home")
    # A page of contracts at a time: an NGO of a provincial system holds hundreds of them. Two
    # pagers on one page (contracts_page, page): the shared pager's links keep the other's page.
    contract_page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("contracts_page"))
    return render(
        request,
        "workforce/home.html",
        {
            "contract_page": contract_page,
            "workers": selectors.social_worker_list(organization=organization),
            "services": Paginator(
                selectors.volunteer_service_list(organization=organization), PAGE_SIZE
            ).get_page(request.GET.get("page")),
            "figures": selectors.contract_figures(
                organization=organization, contracts=list(contract_page.object_list)
            ),
            "worker_form": worker_form,
            "service_form": service_form,
        },
    )


@login_required
def worker_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = request.user.organization
    can_manage_workforce(request.user, organization).require()
    worker = get_object_or_404(SocialWorker, pk=pk, organization=organization)
    form = SocialWorkerForm(request.POST or None, instance=worker)
    if request.method == "POST" and form.is_valid():
        try:
            services.social_worker_save(
                user=request.user, organization=organization, worker=worker, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Social worker updated."))
            return redirect("workforce:home")
    return render(request, "workforce/worker_form.html", {"form": form, "worker": worker})
