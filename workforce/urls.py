from django.urls import path

from workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.workforce_home, name="home"),
    path("workers/<int:pk>/", views.worker_edit, name="worker_edit"),
]
