"""The purchased-service project (购买服务项目): the root every tender, contract and payment hangs on."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Organization
from core.fsm import lazy_guard, refusal


class ServiceCategory(models.TextChoices):
    LEFT_BEHIND_CHILDREN = "left_behind_children", _("Care for left-behind children")
    CHILDREN_IN_DIFFICULTY = "children_in_difficulty", _("Protection of children in difficulty")
    LEFT_BEHIND_ELDERS = "left_behind_elders", _("Services for left-behind elders")
    HAPPY_HOME = "happy_home", _("Elder-and-child happy home operation")
    COMMUNITY = "community", _("Community social work")
    OTHER = "other", _("Other social-work service")


class FundSource(models.TextChoices):
    GENERAL_BUDGET = "general_budget", _("General public budget")
    WELFARE_LOTTERY = "welfare_lottery", _("Welfare lottery public-welfare fund")
    CENTRAL_TRANSFER = "central_transfer", _("Central transfer payment")
    OTHER = "other", _("Other funds")


class BeneficiaryCategory(models.TextChoices):
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind children")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("Children in difficulty")
    LEFT_BEHIND_ELDER = "left_behind_elder", _("Left-behind elders")
    LEFT_BEHIND_WOMAN = "left_behind_woman", _("Left-behind women")
    GUARDIAN = "guardian", _("Guardians and families")
    RESIDENT = "resident", _("Community residents")


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    TENDERING = "tendering", _("Tendering")
    CONTRACTED = "contracted", _("Contracted")
    IN_SERVICE = "in_service", _("In service")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")
    TERMINATED = "terminated", _("Terminated")


# Once a project leaves these states, its notices are public and NGOs may see it.
UNPUBLISHED_STATES = (ProjectState.DRAFT, ProjectState.APPROVED)
FINAL_STATES = (ProjectState.CLOSED, ProjectState.TERMINATED)


class ServiceProject(FSMModelMixin, models.Model):
    code = models.CharField(_("project code"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("project title"), max_length=200)
    bureau = models.ForeignKey(
        Organization,
        verbose_name=_("purchasing bureau"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"kind": "bureau"},
    )
    category = models.CharField(
        _("service category"), max_length=32, choices=ServiceCategory.choices
    )
    region = models.CharField(_("service region"), max_length=100)
    budget = models.DecimalField(
        _("budget (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    fund_source = models.CharField(_("fund source"), max_length=32, choices=FundSource.choices)
    period_start = models.DateField(_("service period start"))
    period_end = models.DateField(_("service period end"))
    description = models.TextField(_("service content"), blank=True)
    performance_targets = models.TextField(
        _("performance targets"),
        help_text=_(
            "绩效目标: outputs, quality, timeliness, cost and outcomes the service must reach."
        ),
    )
    state = FSMField(
        _("state"), default=ProjectState.DRAFT, choices=ProjectState.choices, protected=True
    )
    termination_reason = models.TextField(_("termination reason"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "category"]),
            # The project lists' order (pages and API): the newest 25 without sorting 10,000.
            models.Index(fields=["-created_at", "-id"], name="project_list_order"),
            # The funds overview's order (by bureau, then code): a page of a bureau tree's
            # thousands of projects read in index order instead of sorted.
            models.Index(fields=["bureau", "code", "id"], name="project_bureau_order"),
            # Counts by state (工作台) and the budget total (funds overview) of a bureau tree's
            # projects, or of all of them, read from the index alone instead of the table.
            models.Index(fields=["bureau", "state", "budget"], name="project_bureau_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="project_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gt=0), name="project_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.state not in UNPUBLISHED_STATES

    @property
    def is_editable(self) -> bool:
        return self.state == ProjectState.DRAFT

    @property
    def beneficiary_total(self) -> int:
        return sum(t.count for t in self.target_groups.all())

    # --- conditions -------------------------------------------------------------------------

    @refusal(_("Add at least one target group before approval."))
    def has_target_groups(self) -> bool:
        return self.target_groups.exists()

    @refusal(_("Performance targets are required before approval."))
    def has_performance_targets(self) -> bool:
        return bool(self.performance_targets.strip())

    # --- transitions ------------------------------------------------------------------------

    @transition(
        field=state,
        source=ProjectState.DRAFT,
        target=ProjectState.APPROVED,
        conditions=[has_target_groups, has_performance_targets],
        permission=lazy_guard("projects.permissions", "can_approve_project"),
    )
    def approve(self) -> None:
        """立项: the budget is committed and the project may go to procurement."""
        self.approved_at = timezone.now()

    @transition(
        field=state,
        source=[ProjectState.APPROVED, ProjectState.TENDERING],
        target=ProjectState.TENDERING,
    )
    def start_tendering(self) -> None:
        """A tender round was published; a failed round keeps the project tendering."""

    @transition(field=state, source=ProjectState.TENDERING, target=ProjectState.CONTRACTED)
    def mark_contracted(self) -> None:
        """The contract took effect."""

    @transition(field=state, source=ProjectState.CONTRACTED, target=ProjectState.IN_SERVICE)
    def start_service(self) -> None:
        """The supplier began delivering the service."""

    @transition(field=state, source=ProjectState.IN_SERVICE, target=ProjectState.ACCEPTED)
    def mark_accepted(self) -> None:
        """The final acceptance (履约验收) was recorded."""

    @transition(field=state, source=ProjectState.ACCEPTED, target=ProjectState.CLOSED)
    def close(self) -> None:
        """Every milestone is settled; the project is archived."""

    @transition(
        field=state,
        source=[s for s in ProjectState.values if s not in FINAL_STATES],
        target=ProjectState.TERMINATED,
        permission=lazy_guard("projects.permissions", "can_terminate_project"),
    )
    def terminate(self, *, reason: str) -> None:
        self.termination_reason = reason


class TargetGroup(models.Model):
    """A group the project serves and how many of them (服务对象及数量)."""

    project = models.ForeignKey(
        ServiceProject, on_delete=models.CASCADE, related_name="target_groups"
    )
    category = models.CharField(
        _("beneficiary category"), max_length=32, choices=BeneficiaryCategory.choices
    )
    count = models.PositiveIntegerField(_("number of people"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="one_count_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.count}"
