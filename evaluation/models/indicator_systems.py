"""绩效评价指标体系: versioned indicator trees a bureau publishes for evaluations to use."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import lazy_guard, refusal


class ScoringMethod(models.TextChoices):
    RUBRIC = "rubric", _("Rubric levels")
    RATIO = "ratio", _("Ratio of actual to target")
    THRESHOLD = "threshold", _("Threshold")
    DEDUCTION = "deduction", _("Deduction per occurrence")
    BOOLEAN = "boolean", _("Yes / no")


class SystemState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class IndicatorSystem(FSMModelMixin, models.Model):
    """One version of a 绩效评价指标体系; published versions are frozen."""

    code = models.SlugField(
        _("system code"),
        max_length=40,
        help_text=_("Versions of the same system share this code."),
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("owning bureau"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the templates shipped with Sanshe."),
    )
    description = models.TextField(_("description"), blank=True)
    state = FSMField(
        _("state"), default=SystemState.DRAFT, choices=SystemState.choices, protected=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_system_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:

        return reverse("evaluation:system_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.state == SystemState.PUBLISHED

    @refusal(_("The indicator tree is not valid; see the problems listed on the page."))
    def tree_is_valid(self) -> bool:
        # late: evaluation.indicators imports these models
        from evaluation.indicators import specs_from_system, validate_tree

        return not validate_tree(specs_from_system(self))

    @transition(
        field=state,
        source=SystemState.DRAFT,
        target=SystemState.PUBLISHED,
        conditions=[tree_is_valid],
        permission=lazy_guard("evaluation.permissions", "can_manage_system"),
    )
    def publish(self) -> None:
        """Freeze this version; evaluations may use it from now on."""
        self.published_at = timezone.now()

    def leaves(self) -> list[Indicator]:
        return [i for i in self.indicators.all() if i.level == 3]


class Indicator(models.Model):
    """A node of the tree: 一级 (level 1), 二级 (2) or 三级 (3, the scored leaves)."""

    system = models.ForeignKey(IndicatorSystem, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("indicator"), max_length=120)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    method = models.CharField(
        _("scoring method"), max_length=16, choices=ScoringMethod.choices, blank=True
    )
    params = models.JSONField(_("method parameters"), default=dict, blank=True)
    criteria = models.TextField(_("scoring guidance (评分标准)"), blank=True)
    evidence = models.TextField(_("required evidence"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["system", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.level == 3
