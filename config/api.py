"""The REST API's URL map: every app contributes its viewsets to one versioned router."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from evaluation.api import EvaluationViewSet
from funds.api import DisbursementViewSet, LedgerViewSet, MilestoneViewSet, ServiceRecordViewSet
from procurement.api import BidViewSet, ContractViewSet, TenderViewSet
from projects.api import ProjectViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("tenders", TenderViewSet, basename="tender")
router.register("bids", BidViewSet, basename="bid")
router.register("contracts", ContractViewSet, basename="contract")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
router.register("service-records", ServiceRecordViewSet, basename="service-record")
router.register("ledger", LedgerViewSet, basename="ledger")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
