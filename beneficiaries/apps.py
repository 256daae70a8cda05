from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Beneficiary case files")

    def ready(self) -> None:
        # The register reports counts to the funds app; funds never imports it.
        from beneficiaries import selectors
        from beneficiaries.selectors import people_by_category
        from funds import reach

        reach.register(people_by_category)
        # 四卡一袋档案齐全 at acceptance is computed from the cards, not ticked.
        reach.register_files_check(selectors.files_complete_on_contract)
        # Overdue follow-up visits on the NGO's 工作台 (a count, never a name).
        # Figures and masked households for evaluations, registered the same way.
        from beneficiaries import (
            evaluation_sources,  # noqa: F401
            todos,  # noqa: F401
        )
