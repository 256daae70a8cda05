from django.urls import path

from opendata import views

app_name = "opendata"
urlpatterns = [
    path("results/", views.results, name="results"),
    path("policy/", views.policy, name="policy"),
    path("release-package.json", views.release_feed, name="release_package"),
    path("record-package.json", views.record_feed, name="record_package"),
    path("releases/<str:release_id>.json", views.release_view, name="release"),
    path("records/<str:ocid>.json", views.record_view, name="record"),
    path("bulk/", views.bulk_index, name="bulk_index"),
    path("bulk/<int:year>.json", views.bulk_year, name="bulk_year"),
    path("extensions/<str:name>/<path:path>", views.extension_file, name="extension_file"),
    path("evaluations/<int:pk>/report.pdf", views.evaluation_report, name="evaluation_report"),
]
