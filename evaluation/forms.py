from __future__ import annotations

from typing import Any

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization, OrgKind, Role, User
from evaluation.models import (
    AssignmentState,
    Evaluation,
    EvaluationKind,
    IndicatorSystem,
    SystemState,
)
from evaluation.permissions import visible_systems_q
from funds.models import Milestone
from procurement.models import Contract

EVIDENCE_TYPES = {"pdf", "jpg", "png", "docx", "xlsx", "zip"}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def check_evidence(upload: Any) -> None:
    """Evidence must be a PDF, an image or an Office file of at most 10 MB."""
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("An evidence file may be at most 10 MB."))
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in EVIDENCE_TYPES:
        raise ValidationError(
            _("“%(name)s”: only PDF, JPG, PNG, Word and Excel files are accepted.")
            % {"name": upload.name}
        )


class SystemImportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("System code"),
        max_length=36,
        help_text=_("Importing again with the same code makes the next version."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    workbook = forms.FileField(label=_("Workbook (.xlsx)"))


class WorkbookForm(forms.Form):
    workbook = forms.FileField(label=_("Workbook (.xlsx)"))


class CommissionForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none())
    milestone = forms.ModelChoiceField(
        label=pgettext_lazy("performance", "Milestone"),
        queryset=Contract.objects.none(),
        required=False,
        help_text=_("Leave empty to evaluate the whole contract."),
    )
    kind = forms.ChoiceField(label=_("Evaluation type"), choices=EvaluationKind.choices)
    system = forms.ModelChoiceField(
        label=_("Indicator system"), queryset=IndicatorSystem.objects.none()
    )
    assessor_org = forms.ModelChoiceField(
        label=_("Assessor organisation"),
        queryset=Organization.objects.filter(kind=OrgKind.ASSESSOR, is_active=True),
    )
    lead = forms.ModelChoiceField(
        label=_("Assessor lead"),
        queryset=User.objects.filter(role=Role.ASSESSOR, is_active=True).select_related(
            "organization"
        ),
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    min_assessors = forms.IntegerField(label=_("Minimum assessors"), min_value=3, initial=3)
    cutoff_date = forms.DateField(
        label=_("Cut-off date"),
        required=False,
        help_text=_("Records up to this day count; empty: the milestone's due date or today."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, project: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["milestone"].queryset = Milestone.objects.filter(  # type: ignore[attr-defined]
            contract__project=project
        ).order_by("contract", "sequence")
        self.fields["system"].queryset = IndicatorSystem.objects.filter(  # type: ignore[attr-defined]
            visible_systems_q(user), state=SystemState.PUBLISHED
        )
        self.fields["lead"].label_from_instance = lambda u: f"{u} · {u.organization}"  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assessors = forms.ModelMultipleChoiceField(
        label=_("Assessors"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessors"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                organization_id=evaluation.assessor_org_id, role=Role.ASSESSOR, is_active=True
            )
            .exclude(evaluation_assignments__evaluation=evaluation)
            .order_by("username")
        )


class DeclareForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this project, its supplier or bidders?"),
        choices=[("no", _("No conflict of interest")), ("yes", _("I have a conflict"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe the relationship if you have a conflict."),
    )
    ties = forms.MultipleChoiceField(
        label=_(
            "Does your organisation have any of these ties to the evaluated organisation? "
            "Each one is recorded in your organisation's profile and withdraws you."
        ),
        choices=[
            ("legal_representative", _("Same legal representative")),
            ("shared_staff", _("Shared staff (someone works for both)")),
            ("paid_work", _("Paid work for it in the last three years")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


ASSIGNMENT_OPEN = (AssignmentState.PENDING, AssignmentState.CLEARED)
