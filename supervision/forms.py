from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models import Frequency

DATE = forms.DateInput(attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    days_to_report = forms.IntegerField(
        label=_("Days after the period to hand the report in"),
        min_value=1,
        max_value=60,
        initial=10,
    )


class ReportSubmitForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the period's work"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    file = forms.FileField(label=_("Report file"), required=False)


class ReviewForm(forms.Form):
    response = forms.CharField(
        label=_("Response"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SpotCheckForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    share = forms.IntegerField(label=_("Share to draw (%)"), min_value=1, max_value=100, initial=30)
    seed = forms.CharField(
        label=_("Random seed"),
        max_length=64,
        required=False,
        help_text=_("Leave empty for a fresh one; it is recorded so the draw can be redone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class SiteVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    place = forms.CharField(label=_("Place visited"), max_length=100)
    visitors = forms.CharField(label=_("Visited by"), max_length=200)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"), required=False)


class ItemForm(forms.Form):
    description = forms.CharField(
        label=_("What must be rectified"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("Responsible person"), max_length=50)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label=_("Evidence of rectification"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    file = forms.FileField(label=_("Evidence file"), required=False)


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
