from django.urls import path

from opendata import views

app_name = "opendata"
urlpatterns = [
    path("results/", views.results, name="results"),
    path("release-package.json", views.release_package_view, name="release_package"),
    path("record-package.json", views.record_package_view, name="record_package"),
    path("releases/<str:release_id>.json", views.release_view, name="release"),
    path("records/<str:ocid>.json", views.record_view, name="record"),
]
