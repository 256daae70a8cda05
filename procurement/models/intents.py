"""采购意向: published per project at least 30 days before its tender (财库〔2020〕10号)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import ServiceProject


class ProcurementIntent(models.Model):
    """采购意向公开: the project's purchase announced at least 30 days before it starts."""

    project = models.ForeignKey(
        ServiceProject,
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="procurement_intents",
    )
    published_on = models.DateField(_("published on"))
    summary = models.TextField(_("what is to be purchased"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2)
    planned_month = models.CharField(_("planned purchase month"), max_length=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procurement intention")
        verbose_name_plural = _("procurement intentions")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.published_on}"
