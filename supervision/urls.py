from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item_evidence"),
    path("items/<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("files/<str:kind>/<int:pk>/", views.download, name="download"),
]
