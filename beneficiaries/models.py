"""The NGO's own register of the people it serves (服务对象档案, the case files behind 四卡一袋).

Unlike every other model in Sanshe this one holds personal data, much of it about minors, so it
is read only by the owning NGO, masked wherever it is listed, never imported by another app
(nothing public can reach it) and erased in place on a data-subject request: the row stays with
its category, village and contract so that counts of people served do not change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization, OrgKind
from beneficiaries.validators import (
    id_birth_date,
    id_is_male,
    validate_id_number,
    validate_mobile,
    validate_phone,
)
from core.fsm import lazy_guard
from core.masking import mask_name
from procurement.models import Contract
from projects.models import BeneficiaryCategory

# Categories whose members are children: their files need a guardian.
CHILD_CATEGORIES = {BeneficiaryCategory.LEFT_BEHIND_CHILD, BeneficiaryCategory.CHILD_IN_DIFFICULTY}

# The fields a data-subject erasure clears; what remains is only what the counts need.
PERSONAL_FIELDS = (
    "name",
    "gender",
    "birth_year",
    "birth_date",
    "id_number",
    "guardian_name",
    "guardian_phone",
    "notes",
)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Beneficiary(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        limit_choices_to={"kind": OrgKind.NGO},
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    category = models.CharField(
        _("beneficiary category"), max_length=32, choices=BeneficiaryCategory.choices
    )
    # Msgids with a context where another app already translates the bare word differently.
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    # Many files know only the year (elders without papers at hand); the date when known.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = models.CharField(
        _("resident ID number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_phone = models.CharField(
        _("guardian's mobile"), max_length=11, blank=True, validators=[validate_mobile]
    )
    village = models.CharField(_("village or community"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    risk_classes: models.ManyToManyField[RiskClass, Any] = models.ManyToManyField(
        "RiskClass", verbose_name=_("risk classes"), blank=True, related_name="beneficiaries"
    )
    created_at = models.DateTimeField(pgettext_lazy("case file", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = pgettext_lazy("case files", "beneficiaries")
        ordering = ["village", "id"]
        indexes = [
            models.Index(fields=["organization", "category"]),
            models.Index(fields=["organization", "village"]),
        ]
        constraints = [
            # One case file per person per NGO; erased rows have no ID number left to clash.
            models.UniqueConstraint(
                fields=["organization", "id_number"],
                condition=~Q(id_number=""),
                name="one_file_per_id_number_per_ngo",
                violation_error_message=_(
                    "Your organisation already has a case file with this ID number."
                ),
            ),
        ]

    def __str__(self) -> str:
        # Masked on purpose: __str__ reaches admin headers, logs and messages.
        return f"{mask_name(self.name)} #{self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def clean(self) -> None:
        """Fill what the ID number already says and refuse what contradicts it."""
        super().clean()
        if self.is_erased:
            return
        errors: dict[str, object] = {}
        today = timezone.localdate()
        from_id = None
        if self.id_number:
            try:
                validate_id_number(self.id_number)
            except ValidationError:
                pass  # reported against the field by clean_fields
            else:
                from_id = id_birth_date(self.id_number)
        if from_id is not None:
            if self.birth_date is None:
                self.birth_date = from_id
            elif self.birth_date != from_id:
                errors["birth_date"] = _("The date of birth differs from the one in the ID number.")
            male = id_is_male(self.id_number)
            if not self.gender:
                self.gender = Gender.MALE if male else Gender.FEMALE
            elif (self.gender == Gender.MALE) != male:
                errors["gender"] = _(
                    "The gender differs from the ID number (its 17th digit is odd for men, even for women)."
                )
        if self.birth_date is not None:
            if self.birth_date > today:
                errors["birth_date"] = _("The date of birth is in the future.")
            elif self.birth_year is None:
                self.birth_year = self.birth_date.year
            elif self.birth_year != self.birth_date.year:
                errors["birth_year"] = _("The year of birth differs from the date of birth.")
        if self.birth_year is None and "birth_date" not in errors:
            errors["birth_year"] = _("Enter the year of birth, the date of birth or the ID number.")
        elif self.birth_year is not None and not (1900 <= self.birth_year <= today.year):
            errors["birth_year"] = _("Enter a year of birth between 1900 and this year.")
        if self.is_child and not self.guardian_name:
            errors["guardian_name"] = _("A child's file names the guardian.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_child(self) -> bool:
        return self.category in CHILD_CATEGORIES


# --- 四卡一袋 and the case work around a file --------------------------------------------------
# Everything below is personal data of the person on file: read and changed by the owning NGO
# only (through the parent file's permission), masked outside its own forms, and removed or
# cleared by `services.beneficiary_erase`. Uploaded files get a random name, because a file name
# typed in a village office often is the child's name.


def _case_upload(instance: Any, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"casefiles/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class RiskClass(models.Model):
    """A risk class of 困境儿童/留守人员 practice and how often a person in it is visited.

    Data, not code: the classes and their cadence are seeded by a migration (国发〔2016〕36号,
    民发〔2019〕34号, 民发〔2017〕193号) and the administrator changes them in the admin."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name of the class"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    visit_every_days = models.PositiveSmallIntegerField(
        _("follow-up visit every (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("risk class")
        verbose_name_plural = _("risk classes")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class _Card(models.Model):
    """A card of the 四卡一袋 kept as one row per file: complete when its REQUIRED fields are filled."""

    REQUIRED: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_complete(self) -> bool:
        return all(getattr(self, name) for name in self.REQUIRED)


class HomeSchoolCard(_Card):
    """家校联系卡: the school, the class teacher and how the parents working away are reached."""

    beneficiary = models.OneToOneField(
        Beneficiary, on_delete=models.CASCADE, related_name="home_school_card"
    )
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade_class = models.CharField(_("grade and class"), max_length=50, blank=True)
    head_teacher = models.CharField(_("class teacher"), max_length=50, blank=True)
    head_teacher_phone = models.CharField(
        _("class teacher's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    parents_whereabouts = models.CharField(_("where the parents work"), max_length=100, blank=True)
    parent_phone = models.CharField(
        _("parents' phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    contact_plan = models.TextField(_("home-school contact arrangement"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    REQUIRED = ("school", "head_teacher", "head_teacher_phone", "parent_phone")

    class Meta:
        verbose_name = _("home-school contact card")
        verbose_name_plural = _("home-school contact cards")


class PairingCard(_Card):
    """结对帮扶卡: who is paired with the person, since when, and what help was agreed."""

    beneficiary = models.OneToOneField(
        Beneficiary, on_delete=models.CASCADE, related_name="pairing_card"
    )
    helper_name = models.CharField(_("helper"), max_length=50, blank=True)
    helper_unit = models.CharField(_("helper's unit or role"), max_length=100, blank=True)
    helper_phone = models.CharField(
        _("helper's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    paired_on = models.DateField(_("paired on"), null=True, blank=True)
    help_plan = models.TextField(_("help agreed"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    REQUIRED = ("helper_name", "helper_phone", "paired_on", "help_plan")

    class Meta:
        verbose_name = _("pairing card")
        verbose_name_plural = _("pairing cards")


class GrowthAspect(models.TextChoices):
    STUDY = "study", _("Study")
    HEALTH = "health", _("Physical and mental health")
    CONDUCT = "conduct", _("Conduct")
    FAMILY = "family", _("Family")
    INTERESTS = "interests", _("Interests and strengths")
    OTHER = "other", pgettext_lazy("growth aspect", "Other")


class GrowthRecord(models.Model):
    """One entry of the 成长记录卡; the card is the list of entries."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="growth_records"
    )
    recorded_on = models.DateField(_("date"))
    aspect = models.CharField(_("aspect"), max_length=16, choices=GrowthAspect.choices)
    content = models.TextField(_("what was observed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("growth record")
        verbose_name_plural = _("growth records")
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    CERTIFICATE = "certificate", _("Certificate or proof")
    AGREEMENT = "agreement", _("Agreement or pledge")
    ASSESSMENT = "assessment", _("Assessment form")
    OTHER = "other", pgettext_lazy("document kind", "Other")


class CaseDocument(models.Model):
    """One paper of the 档案袋 (the file's attachments), stored through Django's storage."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=_case_upload)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("file-bag document")
        verbose_name_plural = _("file-bag documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class GuardianshipConfirmation(models.Model):
    """委托监护责任确认书: the parents entrust the child to a guardian; the signed scan and date.

    A new confirmation (another guardian, a renewal) is added beside the earlier ones; the
    latest signed is the one in force."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="guardianship_confirmations"
    )
    entrusted_guardian = models.CharField(_("entrusted guardian"), max_length=50)
    relation = models.CharField(_("relation to the child"), max_length=20)
    signed_on = models.DateField(_("signed on"))
    scan = models.FileField(_("signed scan"), upload_to=_case_upload)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("guardianship confirmation")
        verbose_name_plural = _("guardianship confirmations")
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class HarmKind(models.TextChoices):
    """The situations the 强制报告 rule names (最高检等九部门《关于建立侵害未成年人案件强制报告
    制度的意见（试行）》, 2020, art. 4)."""

    SEXUAL = "sexual", _("Sexual abuse")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    BULLYING = "bullying", _("Bullying")
    ABANDONED = "abandoned", _("Abandonment")
    UNATTENDED = "unattended", _("Long left without care")
    INJURY = "injury", _("Unexplained injury")
    BEGGING = "begging", _("Organised begging")
    OTHER = "other", pgettext_lazy("harm", "Other")


class ReportedTo(models.TextChoices):
    POLICE = "police", _("Public security (公安机关)")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs (民政部门)")
    EDUCATION = "education", _("Education (教育部门)")
    PROCURATORATE = "procuratorate", _("Procuratorate (检察机关)")
    VILLAGE = "village", _("Village or residents' committee")
    OTHER = "other", pgettext_lazy("authority", "Other")


class MandatoryReportState(models.TextChoices):
    RECORDED = "recorded", _("Recorded, not yet reported")
    REPORTED = "reported", _("Reported, awaiting the outcome")
    CLOSED = "closed", pgettext_lazy("mandatory report", "Closed")


class MandatoryReport(FSMModelMixin, models.Model):
    """强制报告: suspected harm noticed by the NGO, to whom it was reported, and the outcome."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="mandatory_reports"
    )
    discovered_on = models.DateField(_("noticed on"))
    harm = models.CharField(_("suspected harm"), max_length=24, choices=HarmKind.choices)
    description = models.TextField(_("what was noticed"))
    reported_to = models.CharField(
        _("reported to"), max_length=16, choices=ReportedTo.choices, blank=True
    )
    reported_to_office = models.CharField(_("office reported to"), max_length=100, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reference = models.CharField(_("receipt or case reference"), max_length=50, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    state = FSMField(
        _("state"),
        default=MandatoryReportState.RECORDED,
        choices=MandatoryReportState.choices,
        protected=True,
    )

    class Meta:
        verbose_name = _("mandatory report")
        verbose_name_plural = _("mandatory reports")
        ordering = ["-discovered_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @transition(
        field=state,
        source=MandatoryReportState.RECORDED,
        target=MandatoryReportState.REPORTED,
        permission=lazy_guard("beneficiaries.permissions", "can_handle_mandatory_report"),
    )
    def report(self, *, reported_to: str, office: str, at: dt.datetime, reference: str) -> None:
        self.reported_to, self.reported_to_office = reported_to, office
        self.reported_at, self.reference = at, reference

    @transition(
        field=state,
        source=MandatoryReportState.REPORTED,
        target=MandatoryReportState.CLOSED,
        permission=lazy_guard("beneficiaries.permissions", "can_handle_mandatory_report"),
    )
    def close(self, *, outcome: str, on: dt.date) -> None:
        self.outcome, self.closed_on = outcome, on


class VisitMethod(models.TextChoices):
    HOME = "home", pgettext_lazy("follow-up", "Home visit")
    PHONE = "phone", _("Phone or video call")
    SCHOOL = "school", _("At school")
    OTHER = "other", pgettext_lazy("visit method", "Other")


class FollowUpVisit(models.Model):
    """A follow-up visit (随访); the person's risk classes set when the next one is due."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="follow_up_visits"
    )
    visited_on = models.DateField(pgettext_lazy("follow-up", "visited on"))
    method = models.CharField(_("how"), max_length=16, choices=VisitMethod.choices)
    visitor = models.CharField(pgettext_lazy("follow-up", "visited by"), max_length=50)
    findings = models.TextField(pgettext_lazy("follow-up", "findings"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["beneficiary", "visited_on"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
