from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Service projects")

    def ready(self) -> None:
        from projects import todos  # noqa: F401  (registers this app's to-do items)
