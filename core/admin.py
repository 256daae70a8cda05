from __future__ import annotations

from django.contrib import admin

from core.models import HolidayYear


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin[HolidayYear]):
    """Administrators record each year's 国务院办公厅 holiday notice here (see core.workdays)."""

    list_display = ["year", "notice", "recorded_at"]
    search_fields = ["notice"]
