"""Read-only admin: evaluations change only through their services, so history stays whole."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from evaluation.models import Evaluation, IndicatorSystem
from evaluation.permissions import (
    can_view_evaluation,
    can_view_system,
    visible_evaluations_q,
    visible_systems_q,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorSystem)
class IndicatorSystemAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "version", "owner", "state", "published_at")
    list_filter = ("state",)
    search_fields = ("name", "code")
    list_select_related = ("owner",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorSystem]:
        return super().get_queryset(request).filter(visible_systems_q(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(request.user.is_active and request.user.is_staff)
        return bool(can_view_system(request.user, obj))


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "assessor_org", "state", "total_score", "grade")
    list_filter = ("state", "kind", "grade")
    search_fields = ("project__title", "project__code", "contract__number")
    list_select_related = ("project", "assessor_org")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evaluation]:
        return super().get_queryset(request).filter(visible_evaluations_q(request.user)).distinct()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(request.user.is_active and request.user.is_staff)
        return bool(can_view_evaluation(request.user, obj))
