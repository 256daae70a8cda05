from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from beneficiaries.casework import HOME_SCHOOL_FIELDS, PAIRING_FIELDS
from beneficiaries.models import (
    Beneficiary,
    DocumentKind,
    FollowUpVisit,
    GrowthRecord,
    HarmKind,
    HomeSchoolCard,
    PairingCard,
    ReportedTo,
    RiskClass,
)
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


# --- the case work of one file (beneficiaries/casework.py) --------------------------------------


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class RiskClassesForm(forms.Form):
    risk_classes = forms.ModelMultipleChoiceField(
        label=_("Risk classes"),
        queryset=RiskClass.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They set how often the person is visited (the shortest cadence counts)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["risk_classes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - narrows the type
        field.label_from_instance = _risk_label  # type: ignore[assignment,method-assign]


def _risk_label(risk: RiskClass) -> str:
    return _("%(name)s (visit every %(days)s days)") % {
        "name": risk.name,
        "days": risk.visit_every_days,
    }


class _PhonesNormalised(forms.ModelForm):  # type: ignore[type-arg]
    """Phones typed with spaces or +86 are normalised before the model's check."""

    PHONES: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.PHONES:
            if data.get(name):
                data[name] = normalize_phone(data[name])
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.PHONES:
            self.fields[name].widget.attrs.update({"autocomplete": "off", "inputmode": "tel"})


class HomeSchoolCardForm(_PhonesNormalised):
    PHONES = ("head_teacher_phone", "parent_phone")

    class Meta:
        model = HomeSchoolCard
        fields = list(HOME_SCHOOL_FIELDS)
        widgets = {"contact_plan": forms.Textarea(attrs={"rows": 2})}


class PairingCardForm(_PhonesNormalised):
    PHONES = ("helper_phone",)

    class Meta:
        model = PairingCard
        fields = list(PAIRING_FIELDS)
        widgets = {
            "paired_on": _date_widget(),
            "help_plan": forms.Textarea(attrs={"rows": 2}),
        }


class GrowthRecordForm(forms.ModelForm[GrowthRecord]):
    class Meta:
        model = GrowthRecord
        fields = ["recorded_on", "aspect", "content"]
        widgets = {"recorded_on": _date_widget(), "content": forms.Textarea(attrs={"rows": 2})}


class CaseDocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, image, Word or Excel, at most 10 MB)"))


class GuardianshipForm(forms.Form):
    entrusted_guardian = forms.CharField(label=_("Entrusted guardian"), max_length=50)
    relation = forms.CharField(label=_("Relation to the child"), max_length=20)
    signed_on = forms.DateField(label=_("Signed on"), widget=_date_widget())
    scan = forms.FileField(label=_("Signed scan (PDF or image)"))


class MandatoryReportForm(forms.Form):
    discovered_on = forms.DateField(label=_("Noticed on"), widget=_date_widget())
    harm = forms.ChoiceField(label=_("Suspected harm"), choices=HarmKind.choices)
    description = forms.CharField(
        label=_("What was noticed"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportSendForm(forms.Form):
    reported_to = forms.ChoiceField(label=_("Reported to"), choices=ReportedTo.choices)
    office = forms.CharField(label=_("Office reported to"), max_length=100)
    reported_at = forms.DateTimeField(
        label=_("Reported at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reference = forms.CharField(label=_("Receipt or case reference"), max_length=50, required=False)


class ReportCloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))
    closed_on = forms.DateField(label=_("Closed on"), widget=_date_widget())


class FollowUpForm(forms.ModelForm[FollowUpVisit]):
    class Meta:
        model = FollowUpVisit
        fields = ["visited_on", "method", "visitor", "findings"]
        widgets = {"visited_on": _date_widget(), "findings": forms.Textarea(attrs={"rows": 2})}
