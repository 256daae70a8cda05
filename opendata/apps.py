from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = _("Open data (OCDS)")

    def ready(self) -> None:
        # Connects the publication hooks; registers the deploy checks of the OCDS settings and
        # the tick that rebuilds stale bulk packages.
        from opendata import receivers, system_checks, ticks  # noqa: F401
