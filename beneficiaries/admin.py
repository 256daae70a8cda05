"""Admin for data-subject requests only: find one file, export it or erase it. Never browse it.

The list shows masked values and stays empty until the administrator searches for the exact ID
number, name or phone number given in the request, so the admin is not a second way to read the
register. Nothing can be added, changed or deleted here: deleting the row would change the counts
of people served; erasure anonymises it in place instead.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from beneficiaries import services
from beneficiaries.models import Beneficiary, RiskClass
from beneficiaries.permissions import can_administer_beneficiary_data
from core.fsm import ActionRefusedError
from core.masking import mask_id_number, mask_name, mask_phone


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Request answered"),
        max_length=300,
        help_text=gettext_lazy(
            "E.g. the request's reference and date and the legal basis checked. Kept for good in "
            "the audit log: do not write the person's name, ID or phone number here."
        ),
    )


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin[Beneficiary]):
    list_display = (
        "id",
        "masked_name",
        "organization",
        "category",
        "village",
        "masked_id_number",
        "masked_guardian_phone",
        "erased_at",
    )
    list_select_related = ("organization",)
    list_filter = ("category",)
    # Exact matches only: the administrator already holds the value from the request.
    search_fields = ("=id_number", "=name", "=guardian_phone")
    search_help_text = gettext_lazy(
        "Enter the exact ID number, name or guardian's mobile given in the request."
    )
    fields = (
        "masked_name",
        "organization",
        "category",
        "village",
        "contract",
        "masked_id_number",
        "masked_guardian_phone",
        "created_at",
        "updated_at",
        "erased_at",
    )
    readonly_fields = fields
    actions = ["export_personal_data", "erase_personal_data"]

    @admin.display(description=pgettext_lazy("person", "name"))
    def masked_name(self, obj: Beneficiary) -> str:
        return mask_name(obj.name)

    @admin.display(description=gettext_lazy("resident ID number"))
    def masked_id_number(self, obj: Beneficiary) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=gettext_lazy("guardian's mobile"))
    def masked_guardian_phone(self, obj: Beneficiary) -> str:
        return mask_phone(obj.guardian_phone)

    # --- who may use this page ------------------------------------------------------------

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(can_administer_beneficiary_data(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_data_request_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Beneficiary], search_term: str
    ) -> tuple[QuerySet[Beneficiary], bool]:
        # Listing waits for a search; an action's POST selects by id and needs the full set.
        if not search_term.strip() and request.method == "GET":
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term.strip())

    # --- actions ----------------------------------------------------------------------------

    def _one(self, request: HttpRequest, queryset: QuerySet[Beneficiary]) -> Beneficiary | None:
        # A request concerns one person; bulk exports would be a way round the masking.
        if queryset.count() != 1:
            self.message_user(
                request, _("Select exactly one person for a data-subject request."), messages.ERROR
            )
            return None
        return queryset.get()

    @admin.action(description=gettext_lazy("Export personal data"), permissions=["data_request"])
    def export_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Beneficiary]
    ) -> HttpResponse | None:
        beneficiary = self._one(request, queryset)
        if beneficiary is None:
            return None
        try:
            data = services.beneficiary_export(beneficiary=beneficiary, actor=request.user)  # type: ignore[arg-type]
        except ActionRefusedError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="beneficiary-{beneficiary.pk}-{stamp}.json"'
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Erase personal data"), permissions=["data_request"])
    def erase_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Beneficiary]
    ) -> HttpResponse | None:
        beneficiary = self._one(request, queryset)
        if beneficiary is None:
            return None
        form = EraseForm(request.POST if request.POST.get("confirm") else None)
        if form.is_valid():
            try:
                services.beneficiary_erase(
                    beneficiary=beneficiary,
                    actor=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                )
            except ActionRefusedError as exc:
                form.add_error("reason", str(exc))
            else:
                self.message_user(
                    request,
                    _("Personal data of file #%(pk)s erased; its counts are kept.")
                    % {"pk": beneficiary.pk},
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "admin/beneficiaries/beneficiary/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase personal data"),
                "opts": self.model._meta,
                "beneficiary": beneficiary,
                "masked_name": mask_name(beneficiary.name),
                "masked_id_number": mask_id_number(beneficiary.id_number),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(RiskClass)
class RiskClassAdmin(admin.ModelAdmin[RiskClass]):
    """Risk classes and their follow-up cadence: data the administrator keeps, not code.

    No personal data here; deleting a class in use is refused by the database (it would silently
    drop people's cadence), so a class is renamed or its cadence changed instead."""

    list_display = ("order", "name", "code", "visit_every_days", "description")
    list_display_links = ("name",)
    list_editable = ("visit_every_days",)
    ordering = ("order", "id")

    def has_delete_permission(self, request: HttpRequest, obj: RiskClass | None = None) -> bool:
        return False
