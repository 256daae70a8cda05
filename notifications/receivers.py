"""Events that ask something of someone, turned into notifications.

`core.signals.notice` is the general way in (any app sends it). For events of apps written before
it, this app listens to their models' own signals: it sits above them, so they never import it.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.models import TransitionLog
from core.signals import notice
from evaluation.models import EvaluationState
from funds.models import MilestoneState
from notifications.services import notification_create


@receiver(notice)
def on_notice(sender: Any, **kwargs: Any) -> None:
    notification_create(
        recipients=kwargs["recipients"],
        kind=kwargs["kind"],
        title=kwargs["title"],
        body=kwargs.get("body", ""),
        url=kwargs.get("url", ""),
        key=kwargs["key"],
    )


def _bureau_staff(bureau_id: int) -> list[User]:
    return list(
        User.objects.filter(organization_id=bureau_id, role=Role.BUREAU_STAFF, is_active=True)
    )


@receiver(post_save, sender="funds.Deliverable")
def deliverable_arrived(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    milestone = instance.milestone
    notification_create(
        recipients=_bureau_staff(milestone.contract.project.bureau_id),
        kind="deliverable_arrived",
        title=_("Deliverable arrived: %(t)s") % {"t": instance.title},
        body=_("%(c)s, milestone %(m)s") % {"c": milestone.contract.number, "m": milestone.name},
        url=milestone.get_absolute_url(),
        key=f"deliverable-{instance.pk}",
    )


@receiver(post_save, sender="procurement.PanelMember")
def expert_added(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    user = instance.user
    if not created or user is None:
        return
    tender = instance.tender
    notification_create(
        recipients=[user],
        kind="panel_added",
        title=_("You were added to a bid-evaluation panel: %(t)s") % {"t": tender.title},
        body=_("Declare any conflict of interest before the evaluation."),
        url=tender.get_absolute_url(),
        key=f"panel-{instance.pk}",
    )


@receiver(post_save, sender=TransitionLog)
def withheld_releasable(sender: Any, instance: TransitionLog, created: bool, **kwargs: Any) -> None:
    """An evaluation confirmed at or above the full-pay score for a milestone whose payment was
    partly withheld: the withheld part may now be released, which the bureau must request."""
    if not created or instance.content_type.model != "evaluation":
        return
    confirmed = EvaluationState.CONFIRMED
    if instance.target_state != confirmed or instance.source_state == confirmed:
        return
    evaluation: Any = instance.subject
    milestone = getattr(evaluation, "milestone", None)
    score = getattr(evaluation, "total_score", None)
    if milestone is None or milestone.state != MilestoneState.WITHHELD or score is None:
        return
    if score < milestone.full_pay_score:
        return
    notification_create(
        recipients=_bureau_staff(milestone.contract.project.bureau_id),
        kind="withheld_releasable",
        title=_("Withheld payment may be released: %(m)s") % {"m": milestone.name},
        body=_("%(c)s: re-evaluated at %(s)s after rectification.")
        % {"c": milestone.contract.number, "s": score},
        url=milestone.get_absolute_url(),
        key=f"releasable-{milestone.pk}-{evaluation.pk}",
    )
