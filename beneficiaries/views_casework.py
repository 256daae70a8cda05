"""The case file of one person (四卡一袋, risk classes, guardianship, 强制报告, follow-up visits),
its stored papers, and the NGO's list of overdue follow-up visits.

Like the register's other pages these carry personal data: never cached, identifiers left out of
error reports, and only the owning NGO reaches them (another NGO gets 404, other roles 403).
The forms on the case-file page are the cards' own edit forms, so they show full values; the
overdue list is masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from beneficiaries import casework, figures, selectors
from beneficiaries.forms import (
    CaseDocumentForm,
    FollowUpForm,
    GrowthRecordForm,
    GuardianshipForm,
    HomeSchoolCardForm,
    MandatoryReportForm,
    PairingCardForm,
    ReportCloseForm,
    ReportSendForm,
    RiskClassesForm,
)
from beneficiaries.models import (
    Beneficiary,
    CaseDocument,
    GuardianshipConfirmation,
    HomeSchoolCard,
    MandatoryReport,
    PairingCard,
)
from beneficiaries.permissions import (
    can_change_case_work,
    can_view_beneficiary,
    can_view_beneficiary_register,
    can_view_case_document,
)
from core.files import protected_file_response
from core.fsm import ActionRefusedError, check_transition

# Free text and the cards' identifiers: kept out of error reports.
SENSITIVE = (
    "h-school",
    "h-head_teacher",
    "h-head_teacher_phone",
    "h-parent_phone",
    "h-parents_whereabouts",
    "h-contact_plan",
    "p-helper_name",
    "p-helper_phone",
    "p-help_plan",
    "g-content",
    "c-entrusted_guardian",
    "c-relation",
    "d-title",
    "m-description",
    "v-visitor",
    "v-findings",
)


def _forms(beneficiary: Beneficiary, data: Any = None, files: Any = None) -> dict[str, Any]:
    home_school = HomeSchoolCard.objects.filter(beneficiary=beneficiary).first()
    pairing = PairingCard.objects.filter(beneficiary=beneficiary).first()
    return {
        "risks": RiskClassesForm(
            data,
            prefix="r",
            initial={"risk_classes": list(beneficiary.risk_classes.all())},
        ),
        "home_school": HomeSchoolCardForm(data, prefix="h", instance=home_school),
        "pairing": PairingCardForm(data, prefix="p", instance=pairing),
        "growth": GrowthRecordForm(data, prefix="g"),
        "document": CaseDocumentForm(data, files, prefix="d"),
        "guardianship": GuardianshipForm(data, files, prefix="c"),
        "report": MandatoryReportForm(data, prefix="m"),
        "visit": FollowUpForm(data, prefix="v"),
    }


def _actions(beneficiary: Beneficiary, user: Any) -> dict[str, Callable[[dict[str, Any]], Any]]:
    b, u = beneficiary, user
    return {
        "risks": lambda d: casework.risk_classes_set(beneficiary=b, actor=u, **d),
        "home_school": lambda d: casework.home_school_card_save(beneficiary=b, actor=u, fields=d),
        "pairing": lambda d: casework.pairing_card_save(beneficiary=b, actor=u, fields=d),
        "growth": lambda d: casework.growth_record_add(beneficiary=b, actor=u, **d),
        "document": lambda d: casework.document_add(beneficiary=b, actor=u, **d),
        "guardianship": lambda d: casework.guardianship_confirm(beneficiary=b, actor=u, **d),
        "report": lambda d: casework.mandatory_report_record(beneficiary=b, actor=u, **d),
        "visit": lambda d: casework.follow_up_record(beneficiary=b, actor=u, **d),
    }


DONE = {
    "risks": _("Risk classes saved."),
    "home_school": _("Home-school contact card saved."),
    "pairing": _("Pairing card saved."),
    "growth": _("Growth record added."),
    "document": _("Paper added to the file bag."),
    "guardianship": _("Guardianship confirmation added."),
    "report": _("Mandatory report recorded. Report it to the authority without delay."),
    "visit": _("Follow-up visit recorded."),
}


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@never_cache
@sensitive_post_parameters(*SENSITIVE)
@login_required
def case_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    user = request.user
    may_change = can_change_case_work(user, beneficiary)
    all_forms = _forms(beneficiary)
    if request.method == "POST":
        may_change.require()
        part = request.POST.get("part", "")
        if part not in DONE:
            raise Http404
        all_forms = {**all_forms, part: _forms(beneficiary, request.POST, request.FILES)[part]}
        form = all_forms[part]
        if form.is_valid():
            try:
                _actions(beneficiary, user)[part](dict(form.cleaned_data))
            except ValidationError as exc:
                _apply_errors(form, exc)
            except ActionRefusedError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, DONE[part])
                return redirect("beneficiaries:case_file", pk=pk)
        # A refusal (e.g. a card this person does not keep) is repeated at the top of the page.
        reasons = "；".join(str(e) for e in form.non_field_errors())
        messages.error(request, reasons or _("Check the form below."))
    data = selectors.case_file(beneficiary=beneficiary)
    today = timezone.localdate()
    follow_up = next(iter(figures.follow_ups(Beneficiary.objects.filter(pk=pk))), None)
    cards = figures.four_cards(data.annotated)
    return render(
        request,
        "beneficiaries/case_file.html",
        {
            "b": beneficiary,
            "data": data,
            "cards": cards,
            "card_rows": [(label, cards.parts[key]) for key, label in figures.PARTS],
            "forms": all_forms,
            "may_change": bool(may_change),
            "follow_up": follow_up,
            "overdue": follow_up is not None and follow_up.overdue(today),
            "reports": [
                (
                    r,
                    bool(check_transition(r, "report", user)),
                    bool(check_transition(r, "close", user)),
                )
                for r in data.reports
            ],
            "send_form": ReportSendForm(prefix="s"),
            "close_form": ReportCloseForm(prefix="x", initial={"closed_on": today}),
        },
    )


def _report(request: AuthenticatedHttpRequest, pk: int) -> MandatoryReport:
    report = get_object_or_404(MandatoryReport.objects.select_related("beneficiary"), pk=pk)
    if not can_view_beneficiary(request.user, report.beneficiary):
        raise Http404
    return report


def _report_step(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[forms.Form],
    prefix: str,
    step: Callable[[MandatoryReport, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    report = _report(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                request,
                f"{label}：{'；'.join(str(e) for e in errors)}"
                if label
                else "；".join(str(e) for e in errors),
            )
    else:
        try:
            step(report, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except ActionRefusedError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
    return redirect(reverse("beneficiaries:case_file", args=[report.beneficiary_id]) + "#reports")


@never_cache
@sensitive_post_parameters("s-office", "s-reference")
@login_required
@require_POST
def report_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _report_step(
        request,
        pk,
        ReportSendForm,
        "s",
        lambda r, d: casework.mandatory_report_send(report=r, actor=request.user, **d),
        _("Recorded as reported."),
    )


@never_cache
@sensitive_post_parameters("x-outcome")
@login_required
@require_POST
def report_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _report_step(
        request,
        pk,
        ReportCloseForm,
        "x",
        lambda r, d: casework.mandatory_report_close(report=r, actor=request.user, **d),
        _("Mandatory report closed with its outcome."),
    )


@never_cache
@login_required
def stored_file(request: AuthenticatedHttpRequest, kind: str, pk: int) -> FileResponse:
    """A paper of the 档案袋 or a signed confirmation: the owning NGO only, never cached."""
    if kind == "document":
        document = get_object_or_404(CaseDocument.objects.select_related("beneficiary"), pk=pk)
        field, decision = document.file, can_view_case_document(request.user, document)
    elif kind == "guardianship":
        confirmation = get_object_or_404(
            GuardianshipConfirmation.objects.select_related("beneficiary"), pk=pk
        )
        field, decision = confirmation.scan, can_view_case_document(request.user, confirmation)
    else:
        raise Http404
    if not decision:
        raise Http404  # another NGO's paper: its existence is not leaked
    return protected_file_response(field, decision)


@never_cache
@login_required
def follow_ups(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone on file with a risk class, overdue first, with the day each visit is due."""
    can_view_beneficiary_register(request.user).require()
    today = timezone.localdate()
    rows = figures.follow_ups(selectors.beneficiary_list(user=request.user))
    rows.sort(key=lambda f: (not f.overdue(today), f.due, f.beneficiary.pk))
    return render(
        request,
        "beneficiaries/follow_ups.html",
        {
            "rows": [(f, f.overdue(today), f.days_overdue(today)) for f in rows],
            "overdue": sum(1 for f in rows if f.overdue(today)),
            "today": today,
        },
    )
