"""/ledger/: the entries, their verification, the trial balance and the reconciliation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api import require
from funds.book_jobs import is_large
from funds.books import reconcile, trial_balance
from funds.forms import TrialBalanceForm
from funds.ledger import ledger_verify
from funds.models import (
    LedgerEntry,
)
from funds.permissions import (
    can_view_ledger,
)
from funds.selectors import book_scope, ledger_entries, ledger_keyset_page


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    memo_text = serializers.CharField(
        read_only=True, help_text="The memo in the request's language (not hashed)."
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "seq",
            "occurred_at",
            "kind",
            "debit",
            "credit",
            "amount",
            "project",
            "contract",
            "milestone",
            "actor",
            "memo",
            "recipe",
            "disbursement",
            "bond",
            "reverses",
            "memo_key",
            "memo_args",
            "memo_text",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AccountLineSerializer(serializers.Serializer[Any]):
    account = serializers.CharField(help_text="The account as stored and hashed (Chinese name).")
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The account's name in the request's language."
    )
    debit = serializers.DecimalField(max_digits=16, decimal_places=2)
    credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Debit minus credit."
    )


class CheckSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    ok = serializers.BooleanField()
    findings = serializers.ListField(child=serializers.CharField())


class TrialBalanceSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    accounts = AccountLineSerializer(many=True)
    total_debit = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    balanced = serializers.BooleanField()
    invariants_hold = serializers.BooleanField()
    invariants = CheckSerializer(many=True)


class LedgerKeysetPagination(BasePagination):
    """Pages of the ledger by sequence number: `?after=<seq>` (and `?before=<seq>` going back),
    `next`/`previous` links, no COUNT and no OFFSET, so a deep page costs what the first does."""

    page_size = 50

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:

        def seq(name: str) -> int | None:
            value = request.query_params.get(name, "")
            return int(value) if value.isdigit() and len(value) < 19 else None

        self.request = request
        self.page = ledger_keyset_page(
            queryset, after=seq("after"), before=seq("before"), size=self.page_size
        )
        return self.page.entries

    def _link(self, **position: int) -> str:
        url = self.request.build_absolute_uri()
        url = remove_query_param(remove_query_param(url, "after"), "before")
        for key, value in position.items():
            url = replace_query_param(url, key, value)
        return url

    def get_paginated_response(self, data: Any) -> Response:
        page = self.page
        return Response(
            {
                "next": self._link(after=page.next_after) if page.next_after else None,
                "previous": (
                    self._link(before=page.previous_before) if page.previous_before else None
                ),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": text,
                "schema": {"type": "integer"},
            }
            for name, text in (
                ("after", "Entries after this sequence number (the next page)."),
                ("before", "Entries before this sequence number (the previous page)."),
            )
        ]


class LedgerViewSet(viewsets.ReadOnlyModelViewSet[LedgerEntry]):
    """The hash-chained ledger, in chain order, paged by sequence number (`?after=`)."""

    serializer_class = LedgerEntrySerializer
    pagination_class = LedgerKeysetPagination
    lookup_field = "seq"
    filterset_fields = ["kind", "project", "contract"]

    queryset = LedgerEntry.objects.none()  # the schema generator's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        require(can_view_ledger(self.request.user))
        return ledger_entries(user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("contract", int, description="Scope: one contract."),
            OpenApiParameter("project", int, description="Scope: one project."),
            OpenApiParameter("bureau", int, description="Scope: a bureau and those below."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Up to the end of this day."),
        ],
        responses={200: TrialBalanceSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="trial-balance",
        pagination_class=None,
        filter_backends=[],
    )
    def trial_balance(self, request: Request) -> Response:
        """试算平衡表: per account debit, credit and balance of a contract or project up to the
        end of `as_of`, with the invariants and whether they hold. A bureau or the whole book
        takes seconds at provincial scale and is refused here (400): it runs as a background
        job, `POST /api/v1/exports/` kind `trial_balance` with these params."""
        require(can_view_ledger(request.user))
        form = TrialBalanceForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(e) for e in v] for k, v in form.errors.items()}
            )
        data = form.cleaned_data
        if is_large(data):
            raise serializers.ValidationError(
                {
                    "scope": [
                        _(
                            "A bureau or the whole book is computed as a background job: "
                            "POST /api/v1/exports/ with kind trial_balance."
                        )
                    ]
                }
            )
        scope = book_scope(
            user=request.user,
            contract=data.get("contract"),
            project=data.get("project"),
            bureau=data.get("bureau"),
        )
        book = trial_balance(scope.entries, as_of=data.get("as_of"))
        checks = reconcile(scope.entries, scope.contracts)
        return Response(
            TrialBalanceSerializer(
                {
                    "scope": scope.label,
                    "as_of": book.as_of,
                    "accounts": book.lines,
                    "total_debit": book.total_debit,
                    "total_credit": book.total_credit,
                    "balanced": book.balanced,
                    "invariants_hold": checks.ok,
                    "invariants": checks.checks,
                }
            ).data
        )

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["get"])
    def verify(self, request: Request) -> Response:
        """Recompute the chain after the latest checkpoint (a full verification runs as a
        background job: `/api/v1/exports/` kind `ledger_verify`, params `full=1`); names the
        first broken entry."""
        require(can_view_ledger(request.user))
        result = ledger_verify(full=False)
        return Response(
            {
                "ok": result.ok,
                "checked": result.checked,
                "head": result.head,
                "broken_seq": result.broken_seq,
                "problem": result.problem,
                "start_seq": result.start_seq,
            }
        )
