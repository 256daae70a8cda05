from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import Contract
from workforce.models import CertificateLevel, Employment, SocialWorker

DATE = forms.DateInput(attrs={"type": "date"})


class SocialWorkerForm(forms.ModelForm[SocialWorker]):
    class Meta:
        model = SocialWorker
        fields = [
            "name",
            "certificate_level",
            "certificate_number",
            "employment",
            "joined_on",
            "left_on",
        ]
        widgets = {"joined_on": DATE, "left_on": DATE}


class VolunteerServiceForm(forms.Form):
    contract: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Contract"), queryset=Contract.objects.none()
    )
    volunteer_name = forms.CharField(label=_("Volunteer"), max_length=50)
    registration_number = forms.CharField(
        label=_("Volunteer registration number (志愿中国)"), max_length=40, required=False
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    activity = forms.CharField(label=_("Activity"), max_length=100)
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1)

    def __init__(self, *args: Any, contracts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


__all__ = ["CertificateLevel", "Employment", "SocialWorkerForm", "VolunteerServiceForm"]
