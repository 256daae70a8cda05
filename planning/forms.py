from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.credit import InspectionResult, ListingKind, Rating
from planning.models import FundSource

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class LineForm(forms.Form):
    fund_source = forms.ChoiceField(label=_("fund source"), choices=FundSource.choices)
    name = forms.CharField(label=_("line"), max_length=120)
    amount = forms.DecimalField(label=_("amount (CNY)"), **MONEY)


class AllocationForm(forms.Form):
    line = forms.TypedChoiceField(label=_("from line"), coerce=int)
    child = forms.TypedChoiceField(label=_("to bureau"), coerce=int)
    amount = forms.DecimalField(label=_("amount (CNY)"), **MONEY)
    name = forms.CharField(label=_("name of the line below"), max_length=120, required=False)

    def __init__(self, *args: Any, lines: Any, children: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(ln.pk, f"{ln.name}（{ln.amount}）") for ln in lines]  # type: ignore[attr-defined]
        self.fields["child"].choices = [(c.pk, c.name) for c in children]  # type: ignore[attr-defined]


class FundingForm(forms.Form):
    """One amount field per line of the bureau's plan for the project's year."""

    catalogue = forms.TypedChoiceField(label=_("catalogue entry"), coerce=int, required=False)

    def __init__(self, *args: Any, lines: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.fields["catalogue"].choices = [("", "—"), *((i.pk, str(i)) for i in items)]  # type: ignore[attr-defined]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.get_fund_source_display()} · {line.name}",
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0"),
                required=False,
            )

    def draws(self) -> list[tuple[Any, Decimal]]:
        out = []
        for line in self.lines:
            amount = self.cleaned_data.get(f"line_{line.pk}")
            if amount:
                out.append((line, amount))
        return out


class CatalogueForm(forms.Form):
    code = forms.CharField(label=_("catalogue code"), max_length=20)
    name = forms.CharField(label=_("catalogue entry"), max_length=200)
    parent = forms.TypedChoiceField(label=_("parent entry"), coerce=int, required=False)

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—"), *((i.pk, str(i)) for i in items)]  # type: ignore[attr-defined]


class RequirementForm(forms.Form):
    min_rating = forms.ChoiceField(
        label=_("minimum evaluation rating"),
        choices=[("", "—"), *Rating.choices],
        required=False,
    )
    no_current_listing = forms.BooleanField(
        label=_("not on the abnormal or dishonest list"), required=False
    )
    valid_certificate = forms.BooleanField(
        label=_("registration certificate in force"), required=False
    )


class CreditProfileForm(forms.Form):
    certificate_number = forms.CharField(label=_("registration certificate number"), max_length=40)
    registered_on = forms.DateField(label=_("registered on"), required=False)
    certificate_expires = forms.DateField(label=_("certificate valid until"))
    rating = forms.ChoiceField(
        label=_("evaluation rating"), choices=[("", "—"), *Rating.choices], required=False
    )
    rating_awarded_on = forms.DateField(label=_("rating awarded on"), required=False)
    rating_expires = forms.DateField(label=_("rating valid until"), required=False)


class InspectionForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    result = forms.ChoiceField(label=_("result"), choices=InspectionResult.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ListingForm(forms.Form):
    kind = forms.ChoiceField(label=_("list"), choices=ListingKind.choices)
    listed_on = forms.DateField(label=_("listed on"))
    authority = forms.CharField(label=_("deciding authority"), max_length=100)
    reason = forms.CharField(label=_("reason"), max_length=300)


class DelistForm(forms.Form):
    removed_on = forms.DateField(label=_("removed on"))


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        coerce=int,
        choices=[(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4"), (0, _("whole year"))],
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=500)
