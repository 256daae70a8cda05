from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Milestones, payments and ledger")

    def ready(self) -> None:
        from core.jobs import ExportKind, register_export_kind
        from documents import registry
        from funds import book_jobs, documents, receivers, sections, ticks, todos  # noqa: F401  (connects receivers, registers panels)
        from funds.exports import build_ledger_xlsx, check_ledger_params
        from funds.ledger import build_ledger_verification, check_verification_params
        from funds.permissions import can_view_ledger

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
        register_export_kind(
            ExportKind(
                key="ledger_xlsx",
                label=_("Ledger (Excel)"),
                permission=can_view_ledger,
                build=build_ledger_xlsx,
                check=check_ledger_params,
            )
        )
        register_export_kind(
            ExportKind(
                key="ledger_verify",
                label=_("Ledger chain verification"),
                permission=can_view_ledger,
                build=build_ledger_verification,
                check=check_verification_params,
            )
        )
        register_export_kind(
            ExportKind(
                key=book_jobs.KIND,
                label=_("Trial balance"),
                permission=can_view_ledger,
                build=book_jobs.build_trial_balance,
                check=book_jobs.check_trial_balance_params,
                kept=book_jobs.still_readable,
            )
        )
