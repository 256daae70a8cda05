from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funds.models import BondKind, ServiceRecord, ServiceRecordState, ServiceType
from funds.reach import FilesComplete
from projects.models import BeneficiaryCategory

CHECKLIST = [
    ("deliverables_complete", _("Deliverables complete and on time")),
    ("records_match_targets", _("Service records match the contracted targets")),
    ("files_complete", _("Case files (四卡一袋) complete")),
    ("finance_compliant", _("Funds used as budgeted, with receipts")),
]


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    report = forms.CharField(
        label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    file = forms.FileField(label=_("File (PDF, Word, Excel, images)"), required=False)


class AcceptanceForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=pgettext_lazy("acceptance", "Result"),
        choices=[("1", _("Passed")), ("0", _("Failed: rectify"))],
        coerce=lambda v: v == "1",
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    rectification_deadline = forms.DateField(
        label=_("Rectification deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: object, files: FilesComplete | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # With the register's figure, the case-file item is shown computed, not ticked.
        self.case_files = files
        for key, label in CHECKLIST:
            if key == "files_complete" and files is not None:
                continue
            self.fields[key] = forms.BooleanField(label=label, required=False)

    def checklist(self) -> dict[str, bool]:
        # The service replaces the case-file item by the register's figure where there is one.
        return {key: bool(self.cleaned_data.get(key)) for key, _label in CHECKLIST}


class PayForm(forms.Form):
    voucher_number = forms.CharField(label=_("Voucher number"), max_length=40)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))


class ServiceRecordForm(forms.ModelForm[ServiceRecord]):
    """One service record typed in by the NGO (counts only, never a child's name)."""

    class Meta:
        model = ServiceRecord
        fields = [
            "date",
            "place",
            "service_type",
            "beneficiary_category",
            "beneficiary_count",
            "hours",
            "social_worker",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if not (self.contract.start_date <= day <= self.contract.current_end_date):
            raise forms.ValidationError(_("The date is outside the contract term."))
        return day


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Service-record file (.xlsx or .csv)"))


class DateRangeFilterForm(forms.Form):
    """A list's From/To filter (the ledger's, the service records'). A reversed range matches
    nothing, and an empty list would read as "nothing happened then": it is an error."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date comes before the start date."))
        return data


class LedgerFilterForm(DateRangeFilterForm):
    """The ledger page's filters (and its exports'). Ids start at 1: `?project=0` was dropped as
    "no filter" and gave the whole ledger; it is an error now, as on the trial balance."""

    field_order = ["bureau", "project", "supplier"]  # then the inherited From and To
    bureau = forms.IntegerField(
        label=_("Bureau id"), required=False, min_value=1, widget=forms.HiddenInput
    )
    project = forms.IntegerField(label=_("Project id"), required=False, min_value=1)
    supplier = forms.IntegerField(label=_("NGO"), required=False, min_value=1)


class TrialBalanceForm(forms.Form):
    """The trial balance's scope (at most one of contract, project, bureau) and its date."""

    contract = forms.IntegerField(label=_("Contract id"), required=False, min_value=1)
    project = forms.IntegerField(label=_("Project id"), required=False, min_value=1)
    bureau = forms.IntegerField(label=_("Bureau id"), required=False, min_value=1)
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if sum(1 for key in ("contract", "project", "bureau") if data.get(key)) > 1:
            raise forms.ValidationError(_("Choose one scope: a contract, a project or a bureau."))
        return data


class BondReceiveForm(forms.Form):
    """A bond paid in: a bid bond (tender and bidder) or a performance bond (contract)."""

    kind = forms.ChoiceField(label=_("Bond"), choices=BondKind.choices)
    tender = forms.IntegerField(label=_("Tender id"), required=False, min_value=1)
    contract = forms.IntegerField(label=_("Contract id"), required=False, min_value=1)
    payer = forms.IntegerField(label=_("Paid by (organisation id)"), min_value=1)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class BondReturnForm(forms.Form):
    returned_on = forms.DateField(
        label=_("Returned on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ServiceRecordFilterForm(DateRangeFilterForm):
    service_type = forms.ChoiceField(
        label=_("Service type"), required=False, choices=[("", "—"), *ServiceType.choices]
    )
    beneficiary_category = forms.ChoiceField(
        label=_("Beneficiary category"),
        required=False,
        choices=[("", "—"), *BeneficiaryCategory.choices],
    )
    social_worker = forms.CharField(label=_("Social worker"), required=False, max_length=50)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", "—"), *ServiceRecordState.choices, ("all", _("All"))],
    )


class ServiceRecordCorrectForm(ServiceRecordForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)


class ServiceRecordWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=300)
