"""Planning over the API, read-only: annual plans, budget lines (allocations among them), the
purchase catalogue and statistics reports. Changes go through the pages, whose services lock
lines, refuse overdraws and post to the ledger; the API reads what the same permission
functions (planning.permissions) let the caller see, paginated like every list."""

from __future__ import annotations

from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from planning.models import AnnualPlan, BudgetLine, CatalogueItem, ProjectDraw, StatsReport
from planning.permissions import (
    visible_bureaus_q,
    visible_catalogue_q,
    visible_reports_q,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_per_line(queryset: QuerySet[Any], key: str) -> Any:
    """Sum of `amount` per line as a correlated subquery (one statement for the whole page)."""
    total = queryset.order_by().values(key).annotate(t=Sum("amount")).values("t")[:1]
    return Coalesce(Subquery(total), Value(0), output_field=MONEY)


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    bureau = serializers.IntegerField(source="plan.bureau_id", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    allocated_down = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    drawn = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    room = serializers.SerializerMethodField(
        help_text="What is left: amount, less allocated down, less drawn."
    )

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "plan",
            "bureau",
            "year",
            "fund_source",
            "name",
            "amount",
            "source",
            "allocated_down",
            "drawn",
            "room",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_room(self, line: Any) -> str:
        return f"{line.amount - line.allocated_down - line.drawn:.2f}"


class AnnualPlanSerializer(serializers.ModelSerializer[AnnualPlan]):
    bureau_name = serializers.CharField(source="bureau.name", read_only=True)

    class Meta:
        model = AnnualPlan
        fields = ["id", "bureau", "bureau_name", "year"]
        read_only_fields = fields


class CatalogueItemSerializer(serializers.ModelSerializer[CatalogueItem]):
    class Meta:
        model = CatalogueItem
        fields = ["id", "code", "name", "owner", "parent", "is_active"]
        read_only_fields = fields


class StatsReportSerializer(serializers.ModelSerializer[StatsReport]):
    class Meta:
        model = StatsReport
        fields = [
            "id",
            "bureau",
            "year",
            "quarter",
            "version",
            "state",
            "data",
            "generated_at",
            "submitted_at",
        ]
        read_only_fields = fields


class AnnualPlanViewSet(viewsets.ReadOnlyModelViewSet[AnnualPlan]):
    """Annual plans (年度计划) of the caller's bureau and the bureaus below it."""

    serializer_class = AnnualPlanSerializer
    filterset_fields = ["year", "bureau"]

    def get_queryset(self) -> QuerySet[AnnualPlan]:
        return (
            AnnualPlan.objects.filter(visible_bureaus_q(self.request.user, "bureau__"))
            .select_related("bureau")
            .order_by("-year", "bureau__path")
        )


class BudgetLineViewSet(viewsets.ReadOnlyModelViewSet[BudgetLine]):
    """Budget lines (预算指标) with what is allocated down, drawn by projects and left.

    A line received from the bureau above names the line it came from (`source`); `allocated`
    filters those (下达)."""

    serializer_class = BudgetLineSerializer
    filterset_fields = {"plan": ["exact"], "fund_source": ["exact"], "source": ["isnull"]}

    def get_queryset(self) -> QuerySet[BudgetLine]:
        allocated = BudgetLine.objects.filter(source_id=OuterRef("pk"))
        drawn = ProjectDraw.objects.filter(line_id=OuterRef("pk"))
        return (
            BudgetLine.objects.filter(visible_bureaus_q(self.request.user, "plan__bureau__"))
            .select_related("plan")
            .annotate(
                allocated_down=_sum_per_line(allocated, "source_id"),
                drawn=_sum_per_line(drawn, "line_id"),
            )
            .order_by("plan__year", "plan__bureau__path", "pk")
        )


class CatalogueItemViewSet(viewsets.ReadOnlyModelViewSet[CatalogueItem]):
    """The purchase catalogue (政府购买服务指导性目录): codes kept by each bureau."""

    serializer_class = CatalogueItemSerializer
    filterset_fields = ["owner", "is_active"]
    search_fields = ["code", "name"]

    def get_queryset(self) -> QuerySet[CatalogueItem]:
        return CatalogueItem.objects.filter(visible_catalogue_q(self.request.user)).order_by(
            "code", "pk"
        )


class StatsReportViewSet(viewsets.ReadOnlyModelViewSet[StatsReport]):
    """Statistics reports (统计报表): a bureau's own versions; submitted ones of the bureaus below."""

    serializer_class = StatsReportSerializer
    filterset_fields = ["bureau", "year", "quarter", "state"]

    def get_queryset(self) -> QuerySet[StatsReport]:
        return StatsReport.objects.filter(visible_reports_q(self.request.user)).order_by(
            "-year", "-quarter", "bureau_id", "-version"
        )
