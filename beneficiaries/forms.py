from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Beneficiary
from beneficiaries.selectors import own_contracts
from beneficiaries.services import EDITABLE_FIELDS
from beneficiaries.validators import normalize_id_number, normalize_phone
from procurement.models import Contract
from projects.models import BeneficiaryCategory


def _contract_label(contract: Contract) -> str:
    return f"{contract.number} {contract.project.title}"


class BeneficiaryForm(forms.ModelForm[Beneficiary]):
    """The only place full ID and phone numbers are shown: the NGO editing its own file."""

    class Meta:
        model = Beneficiary
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            # Personal numbers should not be kept by the browser's form history.
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "guardian_phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }
        help_texts = {
            "id_number": _("Optional. Checked by its check digit; shown masked everywhere else."),
            "birth_year": _("Enough when the exact date is not known."),
            "notes": _("Do not copy ID or phone numbers here: only their own fields are masked."),
        }

    def __init__(self, *args: Any, organization_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contract = self.fields["contract"]
        assert isinstance(contract, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        contract.queryset = own_contracts(organization_id=organization_id)
        contract.label_from_instance = _contract_label  # type: ignore[assignment,method-assign]
        self.instance.organization_id = organization_id  # type: ignore[assignment]
        # People type "139 0000 0103" or "+86 139…"; normalising happens in clean_*, so the
        # stored length limit must not refuse the typed form before that.
        for name, room in (("id_number", 24), ("guardian_phone", 20)):
            field = self.fields[name]
            assert isinstance(field, forms.CharField)  # noqa: S101 - narrows the type
            field.max_length = room
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ] + [MaxLengthValidator(room)]
            field.widget.attrs["maxlength"] = str(room)

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data.get("id_number") or "")

    def clean_guardian_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("guardian_phone") or "")


class SearchForm(forms.Form):
    village = forms.CharField(label=_("Village or community"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Beneficiary category"),
        required=False,
        choices=[("", _("All categories")), *BeneficiaryCategory.choices],
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Case-file register (.xlsx or .csv)"))
