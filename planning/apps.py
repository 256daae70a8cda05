from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        # Fill the registries of the apps below: approval and contract checks, bid eligibility,
        # the project page's planning panel, the statistics report's PDF template.
        from documents import registry
        from planning import hooks, reports  # noqa: F401

        registry.register(
            "stats_report",
            label=_("Statistics report (PDF)"),
            default_path=reports.TEMPLATES / "stats_report.html",
            sample_context=reports.sample_report_context,
        )
