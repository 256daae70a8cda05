from django.urls import path

from core import health, views

urlpatterns = [
    path("health/", health.health, name="health"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_request, name="export_request"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
