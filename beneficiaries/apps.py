from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Beneficiary case files")

    def ready(self) -> None:
        # The register reports counts to the funds app; funds never imports it.
        from beneficiaries.selectors import people_by_category
        from funds import reach

        reach.register(people_by_category)
        # Figures and masked households for evaluations, registered the same way.
        from beneficiaries import evaluation_sources  # noqa: F401
