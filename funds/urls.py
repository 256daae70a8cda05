from django.urls import path

from funds import views

app_name = "funds"
urlpatterns = [
    path("payments/", views.payments, name="payments"),
    path("ledger/", views.ledger, name="ledger"),
    path("overview/", views.overview, name="overview"),
    path("trial-balance/", views.trial_balance, name="trial_balance"),
    path("bonds/", views.bonds, name="bonds"),
    path("bonds/<int:pk>/return/", views.bond_return_view, name="bond_return"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone"),
    path("milestones/<int:pk>/deliverables/", views.deliverable_submit, name="deliverable_submit"),
    path("deliverables/<int:pk>/file/", views.deliverable_file, name="deliverable_file"),
    path("milestones/<int:pk>/acceptance/", views.acceptance_record, name="acceptance"),
    path("milestones/<int:pk>/request/", views.disbursement_request, name="request"),
    path("milestones/<int:pk>/release/", views.withheld_release, name="release"),
    path("milestones/<int:pk>/forfeit/", views.milestone_forfeit, name="forfeit"),
    path("disbursements/<int:pk>/approve/", views.disbursement_approve, name="approve"),
    path("disbursements/<int:pk>/pay/", views.disbursement_pay, name="pay"),
    path("disbursements/<int:pk>/reject/", views.disbursement_reject, name="reject"),
    path("disbursements/<int:pk>/voucher.pdf", views.voucher_pdf, name="voucher"),
    path("contracts/<int:pk>/records/", views.service_records, name="service_records"),
    path("records/<int:pk>/", views.service_record_edit, name="service_record_edit"),
]
