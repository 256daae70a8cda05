"""Organisations (bureaus, NGOs, assessors, audit offices) and the users who act for them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_credit_code


class OrgKind(models.TextChoices):
    BUREAU = "bureau", _("Civil-affairs bureau")
    NGO = "ngo", _("Social-work organisation")
    ASSESSOR = "assessor", _("Third-party assessor")
    EXPERT_POOL = "expert_pool", _("Bid-evaluation expert pool")
    AUDIT = "audit", _("Finance or audit office")
    PLATFORM = "platform", _("Platform operator")


class AdminLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class Organization(models.Model):
    """Any party that acts in a purchase; bureaus form a tree (province → city → county)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ancestor ids ("/3/7/12/") so that "this bureau and everything under
    # it" is one indexed prefix query instead of a recursive walk.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    level = models.CharField(
        _("administrative level"), max_length=16, choices=AdminLevel.choices, blank=True
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_sme = models.BooleanField(
        _("small or medium enterprise"),
        default=False,
        help_text=_(
            "SME suppliers are owed an advance of at least 30 per cent unless the contract says why not."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "path", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        else:
            self.credit_code = None
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if new_path != self.path:
            old_path = self.path
            Organization.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                self._rebase_descendants(old_path, new_path)

    def _rebase_descendants(self, old_path: str, new_path: str) -> None:
        for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            Organization.objects.filter(pk=child.pk).update(
                path=new_path + child.path[len(old_path) :]
            )

    @property
    def is_bureau(self) -> bool:
        return self.kind == OrgKind.BUREAU

    def subtree(self) -> models.QuerySet[Organization]:
        """This organisation and every organisation below it."""
        return Organization.objects.filter(path__startswith=self.path)

    def is_within(self, other: Organization) -> bool:
        """True when this organisation is `other` or below it."""
        return bool(self.path) and self.path.startswith(other.path)


class Role(models.TextChoices):
    BUREAU_STAFF = "bureau_staff", _("Bureau staff")
    BUREAU_FINANCE = "bureau_finance", _("Bureau finance")
    NGO = "ngo", _("NGO staff")
    EXPERT = "expert", _("Bid-evaluation expert")
    ASSESSOR = "assessor", _("Third-party assessor")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("System administrator")


# Which kind of organisation each role must belong to.
ROLE_ORG_KIND = {
    Role.BUREAU_STAFF: OrgKind.BUREAU,
    Role.BUREAU_FINANCE: OrgKind.BUREAU,
    Role.NGO: OrgKind.NGO,
    Role.EXPERT: OrgKind.EXPERT_POOL,
    Role.ASSESSOR: OrgKind.ASSESSOR,
    Role.AUDITOR: OrgKind.AUDIT,
}


class User(AbstractUser):
    """A person acting for one organisation in one role; maker-checker needs separate people."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.NGO)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        expected = ROLE_ORG_KIND.get(Role(self.role)) if self.role else None
        if expected and (self.organization is None or self.organization.kind != expected):
            raise ValidationError(
                {
                    "organization": _("A user with role “%(role)s” must belong to a %(kind)s.")
                    % {"role": self.get_role_display(), "kind": OrgKind(expected).label}
                }
            )

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles

    @property
    def is_bureau_staff(self) -> bool:
        return self.has_role(Role.BUREAU_STAFF)

    @property
    def is_bureau_finance(self) -> bool:
        return self.has_role(Role.BUREAU_FINANCE)

    @property
    def is_ngo(self) -> bool:
        return self.has_role(Role.NGO)

    @property
    def is_auditor(self) -> bool:
        return self.has_role(Role.AUDITOR)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == Role.ADMIN)


# The NGO credit profile has its own module (accounts.credit); importing it here registers its
# models with the app.
from accounts.credit import AnnualInspection, CreditListing, CreditProfile  # noqa: E402

__all__ = [
    "AdminLevel",
    "AnnualInspection",
    "CreditListing",
    "CreditProfile",
    "OrgKind",
    "Organization",
    "Role",
    "User",
]
