from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Milestones, payments and ledger")

    def ready(self) -> None:
        from documents import registry
        from funds import documents, receivers, sections, ticks, todos  # noqa: F401  (connects receivers, registers panels)

        registry.register(
            "payment_voucher",
            label=_("Payment voucher"),
            default_path=documents.TEMPLATES / "payment_voucher.html",
            sample_context=documents.sample_voucher_context,
        )
        registry.register(
            "ledger",
            label=_("Ledger (PDF)"),
            default_path=documents.TEMPLATES / "ledger.html",
            sample_context=documents.sample_ledger_context,
        )
