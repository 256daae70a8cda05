"""/ledger/: the entries, their verification, the trial balance and the reconciliation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import require
from funds.books import reconcile, trial_balance
from funds.forms import TrialBalanceForm
from funds.ledger import ledger_verify
from funds.models import (
    LedgerEntry,
)
from funds.permissions import (
    can_view_ledger,
)
from funds.selectors import book_scope, ledger_entries


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


class LedgerViewSet(viewsets.ReadOnlyModelViewSet[LedgerEntry]):
    """The hash-chained ledger, in chain order."""

    serializer_class = LedgerEntrySerializer
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
            OpenApiParameter("bureau", int, description="Scope: a bureau and its subordinates."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Up to the end of this day."),
        ],
        responses=TrialBalanceSerializer,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="trial-balance",
        pagination_class=None,
        filter_backends=[],
    )
    def trial_balance(self, request: Request) -> Response:
        """试算平衡表: per account debit, credit and balance of a contract, project, bureau or
        the whole book up to the end of `as_of`, with the invariants and whether they hold."""
        require(can_view_ledger(request.user))
        form = TrialBalanceForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(e) for e in v] for k, v in form.errors.items()}
            )
        data = form.cleaned_data
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
        """Recompute the chain; names the first broken entry."""
        require(can_view_ledger(request.user))
        result = ledger_verify()
        return Response(
            {
                "ok": result.ok,
                "checked": result.checked,
                "head": result.head,
                "broken_seq": result.broken_seq,
                "problem": result.problem,
            }
        )
