from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """Read-only: for seeing what failed to deliver and why."""

    list_display = ["created_at", "recipient", "kind", "title", "delivered_at", "attempts"]
    list_filter = ["kind"]
    search_fields = ["title", "last_error"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
