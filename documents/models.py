"""Bureau-edited versions of document templates; every version is kept."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.models import AppendOnlyError


class DocumentTemplate(models.Model):
    """One saved version of a bureau's template; editing adds version n+1, nothing is overwritten."""

    key = models.CharField(_("document"), max_length=40)
    bureau = models.ForeignKey(
        Organization,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="document_templates",
    )
    version = models.PositiveIntegerField(_("version"))
    source = models.TextField(_("template source"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["key", "bureau", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "bureau", "version"], name="one_template_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version} ({self.bureau})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("template versions are never edited; save a new version")
        super().save(*args, **kwargs)
