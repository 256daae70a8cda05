from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        from documents import registry
        from procurement import documents, sections, todos  # noqa: F401  (registers panels and to-dos)

        for key, label in (
            ("tender_notice", _("Tender notice")),
            ("award_notice", _("Award notice")),
            ("panel_report", _("Bid-evaluation report")),
        ):
            registry.register(
                key,
                label=label,
                default_path=documents.TEMPLATES / f"{key}.html",
                sample_context=documents.sample_tender_context,
            )
        registry.register(
            "contract",
            label=_("Service contract"),
            default_path=documents.TEMPLATES / "contract.html",
            sample_context=documents.sample_contract_context,
        )
