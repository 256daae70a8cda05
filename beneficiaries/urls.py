from django.urls import path

from beneficiaries import views

app_name = "beneficiaries"
urlpatterns = [
    path("", views.beneficiary_list, name="list"),
    path("new/", views.beneficiary_create, name="create"),
    path("import/", views.beneficiary_import, name="import"),
    path("<int:pk>/edit/", views.beneficiary_edit, name="edit"),
]
