"""The NGO's own register of the people it serves (服务对象档案, the case files behind 四卡一袋).

Unlike every other model in Sanshe this one holds personal data, much of it about minors, so it
is read only by the owning NGO, masked wherever it is listed, never imported by another app
(nothing public can reach it) and erased in place on a data-subject request: the row stays with
its category, village and contract so that counts of people served do not change.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization, OrgKind
from beneficiaries.validators import (
    id_birth_date,
    id_is_male,
    validate_id_number,
    validate_mobile,
)
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
