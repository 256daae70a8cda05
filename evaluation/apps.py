from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Performance evaluation")

    def ready(self) -> None:
        from evaluation import funds_evidence, milestones, permissions, sections, todos  # noqa: F401  (registrations, receivers)
        from evaluation.report import register

        register()
