"""Read-mostly admin for planning: plans, lines, allocations, draws, the catalogue and the
statistics reports are kept through their services (locks, overdraw checks, ledger postings,
the transition log), so the admin reads them and asks the same permission functions as the
pages; it changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from planning.models import (
    AnnualPlan,
    BudgetLine,
    CatalogueItem,
    ProjectDraw,
    StatsReport,
    SupplierRequirement,
)
from planning.permissions import (
    can_view_bureau,
    can_view_catalogue_item,
    can_view_report,
    visible_bureaus_q,
    visible_catalogue_q,
    visible_reports_q,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BureauScopedAdmin(ReadOnlyAdmin):
    """Rows that belong to a bureau's plan: visible where the plan's bureau is."""

    bureau_prefix = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(visible_bureaus_q(request.user, self.bureau_prefix))
        )

    def bureau_of(self, obj: Any) -> Any:
        raise NotImplementedError

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(request.user.is_active and request.user.is_staff)
        return bool(can_view_bureau(request.user, self.bureau_of(obj)))


class BudgetLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BudgetLine
    fk_name = "plan"
    fields = ("fund_source", "name", "amount", "source", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AnnualPlan)
class AnnualPlanAdmin(BureauScopedAdmin):
    list_display = ("bureau", "year")
    list_filter = ("year",)
    search_fields = ("bureau__name",)
    list_select_related = ("bureau",)
    inlines = [BudgetLineInline]
    bureau_prefix = "bureau__"

    def bureau_of(self, obj: AnnualPlan) -> Any:
        return obj.bureau


class AllocationFilter(admin.SimpleListFilter):
    title = pgettext_lazy("admin filter", "allocation")
    parameter_name = "allocation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Received from the bureau above")), ("no", _("The bureau's own"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(source__isnull=False)
        if self.value() == "no":
            return queryset.filter(source__isnull=True)
        return queryset


@admin.register(BudgetLine)
class BudgetLineAdmin(BureauScopedAdmin):
    """Budget lines, allocations included (filter 下达: the lines received from above, each with
    the parent line it came from and its ledger entry)."""

    list_display = ("name", "plan", "fund_source", "amount", "source", "ledger_entry")
    list_filter = (AllocationFilter, "fund_source", "plan__year")
    search_fields = ("name", "plan__bureau__name")
    list_select_related = ("plan__bureau", "source__plan__bureau", "ledger_entry")
    bureau_prefix = "plan__bureau__"

    def bureau_of(self, obj: BudgetLine) -> Any:
        return obj.plan.bureau


@admin.register(ProjectDraw)
class ProjectDrawAdmin(BureauScopedAdmin):
    list_display = ("project", "line", "amount", "ledger_entry")
    search_fields = ("project__code", "project__title", "line__name")
    list_select_related = ("project", "line__plan__bureau", "ledger_entry")
    bureau_prefix = "line__plan__bureau__"

    def bureau_of(self, obj: ProjectDraw) -> Any:
        return obj.line.plan.bureau


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "owner", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "owner__name")
    list_select_related = ("owner", "parent")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CatalogueItem]:
        return super().get_queryset(request).filter(visible_catalogue_q(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(request.user.is_active and request.user.is_staff)
        return bool(can_view_catalogue_item(request.user, obj))


@admin.register(SupplierRequirement)
class SupplierRequirementAdmin(BureauScopedAdmin):
    list_display = ("tender", "min_rating", "no_current_listing", "valid_certificate")
    list_select_related = ("tender__project__bureau",)
    bureau_prefix = "tender__project__bureau__"

    def bureau_of(self, obj: SupplierRequirement) -> Any:
        return obj.tender.project.bureau


@admin.register(StatsReport)
class StatsReportAdmin(ReadOnlyAdmin):
    list_display = ("bureau", "year", "quarter", "version", "state", "submitted_at")
    list_filter = ("state", "year", "quarter")
    search_fields = ("bureau__name",)
    list_select_related = ("bureau",)
    readonly_fields = ("data",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatsReport]:
        return super().get_queryset(request).filter(visible_reports_q(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(request.user.is_active and request.user.is_staff)
        return bool(can_view_report(request.user, obj))
