from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from projects.views import home

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home, name="home"),  # the workbench: core.todos beside the projects by state
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("projects/", include("projects.urls")),
    path("procurement/", include("procurement.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("funds/", include("funds.urls")),
    path("documents/", include("documents.urls")),
    path("beneficiaries/", include("beneficiaries.urls")),
    path("workforce/", include("workforce.urls")),
    path("supervision/", include("supervision.urls")),
    path("notifications/", include("notifications.urls")),
    path("planning/", include("planning.urls")),
    path("api/", include("config.api")),
    path("opendata/", include("opendata.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# MEDIA_URL is deliberately not served, not even under DEBUG: uploads (sealed bids, evidence,
# deliverables) leave only through views that check permissions (core.files).
