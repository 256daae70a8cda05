"""Read-only API of the register for the owning NGO, with ID and phone numbers masked.

Everyone else gets an empty list and 404 for a file, as for every other resource. There are no
write endpoints and no ordering or search on the identifiers (an ordering on a hidden field would
reveal it one comparison at a time); notes are left out because free text cannot be masked.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from beneficiaries.models import Beneficiary
from beneficiaries.permissions import visible_beneficiaries_q
from core.masking import mask_id_number, mask_phone


class BeneficiarySerializer(serializers.ModelSerializer[Beneficiary]):
    id_number_masked = serializers.SerializerMethodField()
    guardian_phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Beneficiary
        fields = [
            "id",
            "contract",
            "category",
            "name",
            "gender",
            "birth_year",
            "village",
            "id_number_masked",
            "guardian_name",
            "guardian_phone_masked",
            "created_at",
            "updated_at",
            "erased_at",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, obj: Beneficiary) -> str:
        return mask_id_number(obj.id_number)

    def get_guardian_phone_masked(self, obj: Beneficiary) -> str:
        return mask_phone(obj.guardian_phone)


class BeneficiaryViewSet(viewsets.ReadOnlyModelViewSet[Beneficiary]):
    """The caller's own NGO's case files (服务对象档案), masked."""

    serializer_class = BeneficiarySerializer
    filterset_fields = ["category", "contract"]
    search_fields = ["village"]
    ordering_fields = ["id", "village", "category"]

    def get_queryset(self) -> QuerySet[Beneficiary]:
        return Beneficiary.objects.filter(visible_beneficiaries_q(self.request.user)).order_by(
            "village", "id"
        )
