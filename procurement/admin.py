"""Read-only admin for procurement. Bid contents stay sealed here too until the opening time."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from procurement.models import Bid, Contract, Tender
from procurement.permissions import can_view_bid_content


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tender)
class TenderAdmin(ReadOnly, admin.ModelAdmin[Tender]):
    list_display = ("title", "project", "method", "state", "bid_deadline")
    list_filter = ("state", "method")
    list_select_related = ("project",)


@admin.register(Bid)
class BidAdmin(ReadOnly, admin.ModelAdmin[Bid]):
    list_display = ("tender", "supplier", "state", "submitted_at", "receipt")
    list_select_related = ("tender", "supplier")
    SEALED = ("price", "technical_proposal", "proposal_file", "file_sha256")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [
            "tender",
            "supplier",
            "state",
            "submitted_at",
            "revision",
            "receipt",
            "invalid_reason",
            *self.SEALED,
        ]
        if obj is not None and not can_view_bid_content(request.user, obj):
            return [f for f in fields if f not in self.SEALED]
        return fields


@admin.register(Contract)
class ContractAdmin(ReadOnly, admin.ModelAdmin[Contract]):
    list_display = ("number", "project", "supplier", "amount", "state")
    list_select_related = ("project", "supplier")
