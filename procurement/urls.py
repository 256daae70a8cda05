from django.urls import path

from procurement import views, views_audit

app_name = "procurement"
urlpatterns = [
    path("", views.tender_list, name="tender_list"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/tender.pdf", views.tender_notice_pdf, name="tender_notice_pdf"),
    path("notices/<int:pk>/award.pdf", views.award_notice_pdf, name="award_notice_pdf"),
    path("projects/<int:project_pk>/tender/new/", views.tender_create, name="tender_create"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender_detail"),
    path("tenders/<int:pk>/edit/", views.tender_edit, name="tender_edit"),
    path("tenders/<int:pk>/publish/", views.tender_publish, name="tender_publish"),
    path("tenders/<int:pk>/cancel/", views.tender_cancel, name="tender_cancel"),
    path("tenders/<int:pk>/open/", views.tender_open, name="tender_open"),
    path(
        "tenders/<int:pk>/evaluate/", views.tender_start_evaluation, name="tender_start_evaluation"
    ),
    path("tenders/<int:pk>/award/", views.tender_award, name="tender_award"),
    path("tenders/<int:pk>/publish-award/", views.award_publish, name="award_publish"),
    path("tenders/<int:pk>/bid/", views.bid_submit, name="bid_submit"),
    path("tenders/<int:pk>/panel/add/", views.panel_add, name="panel_add"),
    path("tenders/<int:pk>/panel/declare/", views.panel_declare, name="panel_declare"),
    path("tenders/<int:pk>/scores/", views.score_sheet, name="score_sheet"),
    path("tenders/<int:pk>/report.pdf", views.panel_report_pdf, name="panel_report_pdf"),
    path("tenders/<int:pk>/ask/", views.clarification_ask, name="clarification_ask"),
    path("tenders/<int:pk>/object/", views_audit.objection_file, name="objection_file"),
    path("tenders/<int:pk>/panel/draw/", views_audit.panel_draw, name="panel_draw"),
    path("panel/<int:pk>/decline/", views_audit.panel_decline, name="panel_decline"),
    path("panel/<int:pk>/chair/", views_audit.panel_chair, name="panel_chair"),
    path("tenders/<int:pk>/documents/", views_audit.documents_upload, name="documents_upload"),
    path(
        "notices/<int:pk>/documents.pdf",
        views_audit.documents_download,
        name="documents_download",
    ),
    path("objections/<int:pk>/remedy/", views_audit.objection_remedy, name="objection_remedy"),
    path("objections/<int:pk>/complain/", views_audit.complaint_file, name="complaint_file"),
    path("complaints/<int:pk>/decide/", views_audit.complaint_decide, name="complaint_decide"),
    path(
        "contracts/<int:pk>/publish-notice/",
        views_audit.contract_publish_notice,
        name="contract_publish_notice",
    ),
    path("contracts/<int:pk>/filing/", views_audit.contract_filing, name="contract_filing"),
    path("notices/contracts/<int:pk>/", views_audit.contract_notice, name="contract_notice"),
    path(
        "notices/contracts/<int:pk>/contract.pdf",
        views.contract_notice_pdf,
        name="contract_notice_pdf",
    ),
    path("intents/", views_audit.intents, name="intents"),
    path("tenders/<int:pk>/rounds/", views_audit.round_open, name="round_open"),
    path("rounds/<int:pk>/offer/", views_audit.round_offer, name="round_offer"),
    path("rounds/<int:pk>/close/", views_audit.round_close, name="round_close"),
    path("projects/<int:project_pk>/intent/", views_audit.intent_publish, name="intent_publish"),
    path("tenders/<int:pk>/contract/", views.contract_draft, name="contract_draft"),
    path(
        "clarifications/<int:pk>/answer/", views.clarification_answer, name="clarification_answer"
    ),
    path("objections/<int:pk>/answer/", views_audit.objection_answer, name="objection_answer"),
    path("bids/<int:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("bids/<int:pk>/review/", views.bid_review, name="bid_review"),
    path("bids/<int:pk>/verify/", views.bid_verify, name="bid_verify"),
    path("bids/<int:pk>/file/", views.bid_file, name="bid_file"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path(
        "contracts/<int:pk>/sign-supplier/",
        views.contract_sign_supplier,
        name="contract_sign_supplier",
    ),
    path(
        "contracts/<int:pk>/sign-bureau/", views.contract_sign_bureau, name="contract_sign_bureau"
    ),
    path("contracts/<int:pk>/start/", views.contract_start_service, name="contract_start_service"),
    path("contracts/<int:pk>/amend/", views.contract_amend, name="contract_amend"),
    path("contracts/<int:pk>/contract.pdf", views.contract_pdf, name="contract_pdf"),
]
