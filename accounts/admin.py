from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from accounts.models import Organization, User
from accounts.permissions import can_manage_organization
from accounts.resources import OrganizationResource


class PlatformAdminOnly:
    """Admin pages for organisations and users follow accounts.permissions, not Django's perms."""

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(can_manage_organization(request.user, obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)


@admin.register(Organization)
class OrganizationAdmin(PlatformAdminOnly, ImportExportModelAdmin):  # type: ignore[misc]
    resource_classes = [OrganizationResource]
    list_display = ("name", "kind", "level", "parent", "region", "credit_code", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name", "credit_code", "region")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(User)
class UserAdmin(PlatformAdminOnly, BaseUserAdmin[User]):
    list_display = ("username", "display_name", "role", "organization", "is_active", "last_login")
    list_filter = ("role", "is_active", "organization__kind")
    search_fields = ("username", "display_name", "organization__name")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Sanshe"), {"fields": ("display_name", "organization", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Sanshe"), {"fields": ("display_name", "organization", "role")}),
    )
