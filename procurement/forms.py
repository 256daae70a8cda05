from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import Tender, TieBreak
from procurement.services import CriterionInput, MilestoneInput

DT = {"type": "datetime-local"}


def _date_input() -> forms.DateInput:
    """<input type="date"> takes only YYYY-MM-DD; the zh-hans default (2027/01/31) shows empty."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenderForm(forms.ModelForm[Tender]):
    class Meta:
        model = Tender
        fields = [
            "title",
            "method",
            "evaluation_method",
            "ceiling_price",
            "bid_bond",
            "price_weight",
            "clarification_deadline",
            "bid_deadline",
            "opening_at",
            "qualification_requirements",
            "service_requirements",
            "tie_break",
            "is_complex",
        ]
        widgets = {
            "clarification_deadline": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
            "bid_deadline": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
            "opening_at": forms.DateTimeInput(attrs=DT, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form that does not say otherwise states the default rule: the random draw.
        self.fields["tie_break"].required = False

    def clean_tie_break(self) -> str:
        return str(self.cleaned_data.get("tie_break") or TieBreak.DRAW)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    points = forms.DecimalField(
        label=_("Points"), max_digits=5, decimal_places=2, required=False, min_value=Decimal("0.01")
    )
    guidance = forms.CharField(label=_("Scoring guidance"), required=False, max_length=500)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=5)


def criteria_from(formset: Any) -> list[CriterionInput]:
    return [
        CriterionInput(
            f.cleaned_data["name"], f.cleaned_data["points"], f.cleaned_data.get("guidance", "")
        )
        for f in formset.forms
        if f.cleaned_data.get("name") and f.cleaned_data.get("points")
    ]


class BidForm(forms.Form):
    price = forms.DecimalField(
        label=_("Bid price (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    technical_proposal = forms.CharField(
        label=_("Technical proposal"), widget=forms.Textarea(attrs={"rows": 10})
    )
    proposal_file = forms.FileField(
        label=_("Proposal and qualification documents (PDF, Word, Excel, images)"), required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=40)
    start_date = forms.DateField(label=_("Term start"), widget=_date_input())
    end_date = forms.DateField(label=_("Term end"), widget=_date_input())
    term_reason = forms.CharField(
        label=_("Reason for a term over one year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    performance_bond = forms.DecimalField(
        label=_("Performance bond (CNY)"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal("0"),
        min_value=Decimal("0"),
    )
    advance_reason = forms.CharField(
        label=_("Reason for an advance under 30% (SME)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=100, required=False)
    percentage = forms.DecimalField(
        label=_("Share (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_input())
    is_advance = forms.BooleanField(label=_("Advance"), required=False)
    deliverables = forms.CharField(
        label=_("Required deliverables"), required=False, max_length=1000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and (not data.get("percentage") or not data.get("due_date")):
            raise forms.ValidationError(_("Each milestone needs a share and a due date."))
        return data


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=4)


def milestones_from(formset: Any) -> list[MilestoneInput]:
    return [
        MilestoneInput(
            f.cleaned_data["name"],
            f.cleaned_data["percentage"],
            f.cleaned_data["due_date"],
            f.cleaned_data.get("is_advance", False),
            f.cleaned_data.get("deliverables", ""),
        )
        for f in formset.forms
        if f.cleaned_data.get("name")
    ]


class AmendForm(forms.Form):
    amount = forms.DecimalField(
        label=_("New amount (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    end_date = forms.DateField(label=_("New term end"), widget=_date_input())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
