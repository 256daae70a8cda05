from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from projects.models import ServiceProject, TargetGroup
from projects.permissions import can_view_project, visible_projects_q


class TargetGroupInline(admin.TabularInline[TargetGroup, ServiceProject]):
    model = TargetGroup
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceProject)
class ServiceProjectAdmin(admin.ModelAdmin[ServiceProject]):
    """Read-only in admin: projects change only through their services, so history stays whole."""

    list_display = ("code", "title", "bureau", "category", "budget", "state")
    list_filter = ("state", "category", "fund_source")
    search_fields = ("code", "title", "bureau__name")
    list_select_related = ("bureau",)
    inlines = [TargetGroupInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceProject]:
        return super().get_queryset(request).filter(visible_projects_q(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(request.user.is_active and request.user.is_staff)
        return bool(can_view_project(request.user, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
