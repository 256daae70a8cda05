"""The REST API's URL map: every app contributes its viewsets to one versioned router."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from beneficiaries.api import BeneficiaryViewSet
from core.api import ExportJobViewSet, IdempotentRouter
from core.token_login import obtain_auth_token
from documents.api import DocumentTemplatePreviewViewSet, DocumentTemplateViewSet
from evaluation.api import (
    EvaluationEvidenceViewSet,
    EvaluationViewSet,
    IndicatorSystemViewSet,
    OrganizationTieViewSet,
)
from funds.api import (
    BondViewSet,
    DisbursementViewSet,
    LedgerViewSet,
    MilestoneViewSet,
    ServiceRecordViewSet,
)
from planning.api import (
    AnnualPlanViewSet,
    BudgetLineViewSet,
    CatalogueItemViewSet,
    StatsReportViewSet,
)
from procurement.api import (
    BidViewSet,
    ClarificationViewSet,
    ContractViewSet,
    ObjectionViewSet,
    ProcurementIntentViewSet,
    TenderViewSet,
)
from projects.api import ProjectViewSet
from workforce.api import SocialWorkerViewSet, VolunteerServiceViewSet

# Every viewset registered here honours an Idempotency-Key header on its state-changing requests.
router = IdempotentRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("tenders", TenderViewSet, basename="tender")
router.register("bids", BidViewSet, basename="bid")
router.register("clarifications", ClarificationViewSet, basename="clarification")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("contracts", ContractViewSet, basename="contract")
router.register("bonds", BondViewSet, basename="bond")
router.register("procurement-intents", ProcurementIntentViewSet, basename="procurement-intent")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("evaluations", EvaluationEvidenceViewSet, basename="evaluation-evidence")
router.register("assessor-ties", OrganizationTieViewSet, basename="assessor-tie")
router.register("indicator-systems", IndicatorSystemViewSet, basename="indicator-system")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
router.register("service-records", ServiceRecordViewSet, basename="service-record")
router.register("ledger", LedgerViewSet, basename="ledger")
router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")
router.register("exports", ExportJobViewSet, basename="export-job")
router.register("social-workers", SocialWorkerViewSet, basename="social-worker")
router.register("volunteer-services", VolunteerServiceViewSet, basename="volunteer-service")
router.register("planning/plans", AnnualPlanViewSet, basename="planning-plan")
router.register("planning/budget-lines", BudgetLineViewSet, basename="planning-budget-line")
router.register("planning/catalogue", CatalogueItemViewSet, basename="planning-catalogue-item")
router.register("planning/reports", StatsReportViewSet, basename="planning-report")

urlpatterns = [
    # POST on a template's own URL saves its next version, which the router's routes do not offer.
    path(
        "v1/document-templates/",
        DocumentTemplateViewSet.as_view({"get": "list"}),
        name="document-template-list",
    ),
    path(
        "v1/document-templates/<slug:key>/",
        DocumentTemplateViewSet.as_view({"get": "retrieve", "post": "save"}),
        name="document-template-detail",
    ),
    path(
        "v1/document-templates/<slug:key>/preview/",
        DocumentTemplatePreviewViewSet.as_view({"post": "preview"}),
        name="document-template-preview",
    ),
    path("v1/", include(router.urls)),
    path("v1/auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
