"""The workforce register over the API: the NGO lists and adds its social workers and records
volunteer hours; auditors read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import acting_user
from procurement.models import Contract
from workforce import services
from workforce.models import SocialWorker, VolunteerService
from workforce.permissions import visible_workforce_q


class SocialWorkerSerializer(serializers.ModelSerializer[SocialWorker]):
    class Meta:
        model = SocialWorker
        fields = [
            "id",
            "organization",
            "name",
            "certificate_level",
            "certificate_number",
            "employment",
            "joined_on",
            "left_on",
        ]
        read_only_fields = ["id", "organization"]
        # The service checks uniqueness and the certificate rule with a clear message.
        validators: list[Any] = []


class SocialWorkerViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet[SocialWorker]
):
    """Social workers on the caller's register (持证 level and number, employment)."""

    serializer_class = SocialWorkerSerializer
    filterset_fields = ["certificate_level", "employment"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[SocialWorker]:
        return SocialWorker.objects.filter(visible_workforce_q(self.request.user)).order_by("id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SocialWorkerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        worker = services.social_worker_save(
            user=user,
            organization=user.organization,
            **{
                "certificate_level": "none",
                "certificate_number": "",
                "employment": "full_time",
                "left_on": None,
                **body.validated_data,
            },
        )
        return Response(SocialWorkerSerializer(worker).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        worker = self.get_object()
        body = SocialWorkerSerializer(worker, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        current = {
            f: getattr(worker, f)
            for f in (
                "name",
                "certificate_level",
                "certificate_number",
                "employment",
                "joined_on",
                "left_on",
            )
        }
        saved = services.social_worker_save(
            user=acting_user(request),
            organization=worker.organization,
            worker=worker,
            **{**current, **body.validated_data},
        )
        return Response(SocialWorkerSerializer(saved).data)


class VolunteerServiceSerializer(serializers.ModelSerializer[VolunteerService]):
    volunteer_name = serializers.CharField(source="volunteer.name", max_length=50)
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all())

    class Meta:
        model = VolunteerService
        fields = ["id", "contract", "volunteer_name", "date", "activity", "hours"]
        read_only_fields = ["id"]
        validators: list[Any] = []


class VolunteerServiceViewSet(
    mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[VolunteerService]
):
    """Volunteer hours per activity (志愿服务时长): one row is one person-time."""

    serializer_class = VolunteerServiceSerializer
    filterset_fields = ["contract"]

    def get_queryset(self) -> QuerySet[VolunteerService]:
        return (
            VolunteerService.objects.filter(visible_workforce_q(self.request.user, "volunteer__"))
            .select_related("volunteer")
            .order_by("id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = VolunteerServiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = services.volunteer_service_record(
            user=acting_user(request),
            contract=data["contract"],
            volunteer_name=data["volunteer"]["name"],
            date=data["date"],
            activity=data["activity"],
            hours=data["hours"],
        )
        return Response(VolunteerServiceSerializer(row).data, status=status.HTTP_201_CREATED)
