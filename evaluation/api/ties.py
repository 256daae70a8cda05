"""/assessor-ties/: ties an assessor organisation declares (checked at commission and assignment)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from accounts.models import Organization, OrgKind
from core.api import require
from evaluation import ties
from evaluation.permissions import (
    can_record_ties,
    visible_ties_q,
)
from evaluation.records import (
    OrganizationTie,
    TieKind,
)


class TieSerializer(serializers.ModelSerializer[OrganizationTie]):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrgKind.ASSESSOR)
    )
    other = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrgKind.NGO)
    )
    kind = serializers.ChoiceField(choices=TieKind.choices)

    class Meta:
        model = OrganizationTie
        fields = ["id", "organization", "other", "kind", "detail", "last_date", "recorded_at"]
        read_only_fields = ["recorded_at"]


class OrganizationTieViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[OrganizationTie]
):
    """Ties an assessor organisation declares in its profile (checked at commission and
    assignment). Listed to the organisation itself, bureaus and auditors."""

    serializer_class = TieSerializer
    filterset_fields = ["organization", "other"]

    def get_queryset(self) -> QuerySet[OrganizationTie]:
        return (
            OrganizationTie.objects.filter(visible_ties_q(self.request.user))
            .select_related("organization", "other")
            .order_by("id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = TieSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        require(can_record_ties(request.user, data["organization"]))
        tie = ties.tie_record(actor=acting_user(request), **data)
        return Response(TieSerializer(tie).data, status=status.HTTP_201_CREATED)
