from django.urls import path

from evaluation import evidence_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("analysis/", views.analysis, name="analysis"),
    path("systems/", views.system_list, name="system_list"),
    path("systems/import/", views.system_import, name="system_import"),
    path("systems/frame.xlsx", views.frame_download, name="frame_download"),
    path("systems/<int:pk>/", views.system_detail, name="system_detail"),
    path("systems/<int:pk>/export/", views.system_export, name="system_export"),
    path("systems/<int:pk>/replace/", views.system_replace, name="system_replace"),
    path("systems/<int:pk>/publish/", views.system_publish, name="system_publish"),
    path("systems/<int:pk>/new-version/", views.system_new_version, name="system_new_version"),
    path("commission/<int:project_pk>/", views.evaluation_commission, name="commission"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/assign/", views.evaluation_assign, name="assign"),
    path("<int:pk>/declare/", views.evaluation_declare, name="declare"),
    path("<int:pk>/start/", views.evaluation_start, name="start"),
    path("<int:pk>/sheet/", views.sheet_edit, name="sheet"),
    path("<int:pk>/sheets/<int:sheet_pk>/", views.sheet_view, name="sheet_view"),
    path("<int:pk>/evidence/<int:entry_pk>/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/comparison/", views.comparison, name="comparison"),
    path("<int:pk>/confirm/", views.evaluation_confirm, name="confirm"),
    path("<int:pk>/return/", views.evaluation_return, name="return"),
    path("<int:pk>/appeal/", views.evaluation_appeal, name="appeal"),
    path("<int:pk>/publish/", views.evaluation_publish, name="publish"),
    path("<int:pk>/report.pdf", views.evaluation_report, name="report"),
    path("<int:pk>/evidence/", evidence_views.evidence, name="evidence"),
    path("<int:pk>/self-evaluation/", evidence_views.self_evaluation, name="self_evaluation"),
    path("<int:pk>/survey/", evidence_views.survey, name="survey"),
    path("<int:pk>/changes/", evidence_views.changes, name="changes"),
    path("ties/<int:org_pk>/", evidence_views.organization_ties, name="ties"),
    path(
        "acceptance/<int:milestone_pk>/",
        evidence_views.acceptance_opinion,
        name="acceptance_opinion",
    ),
    path("acceptance/public/", evidence_views.acceptance_public, name="acceptance_public"),
]
