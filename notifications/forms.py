from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from notifications.models import Preference


class PreferenceForm(forms.ModelForm[Preference]):
    class Meta:
        model = Preference
        fields = ["email", "daily_digest", "sms", "mobile"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("sms") and not data.get("mobile"):
            self.add_error("mobile", _("Give a mobile number for SMS."))
        return data
