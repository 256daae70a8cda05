from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import ServiceProject, TargetGroup


class ProjectForm(forms.ModelForm[ServiceProject]):
    class Meta:
        model = ServiceProject
        fields = [
            "title",
            "category",
            "region",
            "budget",
            "fund_source",
            "period_start",
            "period_end",
            "description",
            "performance_targets",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The service period must end on or after its start."))
        return data


class TargetGroupForm(forms.ModelForm[TargetGroup]):
    class Meta:
        model = TargetGroup
        fields = ["category", "count"]


class BaseTargetGroupFormSet(forms.BaseInlineFormSet[TargetGroup, ServiceProject, TargetGroupForm]):
    def validate_unique(self) -> None:
        # Django's generic duplicate message names the raw field; clean() says it in Chinese.
        return None

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            category = str(form.cleaned_data.get("category"))
            if category in seen:
                form.add_error("category", _("Each beneficiary category may appear only once."))
            seen.add(category)

    def targets(self) -> list[tuple[str, int]]:
        return [
            (f.cleaned_data["category"], f.cleaned_data["count"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


TargetGroupFormSet = forms.inlineformset_factory(
    ServiceProject,
    TargetGroup,
    form=TargetGroupForm,
    formset=BaseTargetGroupFormSet,
    extra=3,
    can_delete=True,
)


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for termination"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
