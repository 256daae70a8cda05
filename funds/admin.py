"""Read-only admin: money records change only through their services, so the ledger stays whole."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from funds.models import Disbursement, LedgerEntry, Milestone


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Milestone)
class MilestoneAdmin(ReadOnly, admin.ModelAdmin[Milestone]):
    list_display = ("contract", "sequence", "name", "amount", "state")
    list_select_related = ("contract",)


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnly, admin.ModelAdmin[Disbursement]):
    list_display = ("milestone", "amount", "withheld", "state", "voucher_number")
    list_select_related = ("milestone__contract",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly, admin.ModelAdmin[LedgerEntry]):
    list_display = ("seq", "occurred_at", "kind", "debit", "credit", "amount", "project")
    list_select_related = ("project",)
