from django.urls import path

from planning import views

app_name = "planning"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("projects/<int:pk>/funding/", views.project_funding, name="funding"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("tenders/<int:pk>/requirements/", views.tender_requirements, name="requirements"),
    path("credit/", views.credit_list, name="credit_list"),
    path("credit/<int:pk>/", views.credit_detail, name="credit"),
    path("listings/<int:pk>/remove/", views.listing_remove, name="listing_remove"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/<str:action>/", views.report_act, name="report_act"),
]
