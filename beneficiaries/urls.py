from django.urls import path

from beneficiaries import views, views_casework

app_name = "beneficiaries"
urlpatterns = [
    path("", views.beneficiary_list, name="list"),
    path("new/", views.beneficiary_create, name="create"),
    path("import/", views.beneficiary_import, name="import"),
    path("follow-ups/", views_casework.follow_ups, name="follow_ups"),
    path("<int:pk>/", views_casework.case_file, name="case_file"),
    path("<int:pk>/edit/", views.beneficiary_edit, name="edit"),
    path("reports/<int:pk>/send/", views_casework.report_send, name="report_send"),
    path("reports/<int:pk>/close/", views_casework.report_close, name="report_close"),
    path("files/<str:kind>/<int:pk>/", views_casework.stored_file, name="file"),
]
