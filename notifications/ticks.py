"""Time-driven notification work: retries, daily digests, and 质疑 nearing their answer deadline."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from core.ticks import register
from notifications.receivers import _bureau_staff
from notifications.services import digests_send, notification_create, notifications_retry
from procurement.models import Objection


@register
def notification_delivery(now: dt.datetime) -> str:
    retried, digests = notifications_retry(now=now), digests_send(now=now)
    unanswered = objections_unanswered(now)
    parts = [f"{retried} retried" if retried else "", f"{digests} digest(s)" if digests else ""]
    parts.append(f"{unanswered} unanswered objection(s)" if unanswered else "")
    text = ", ".join(p for p in parts if p)
    return f"notifications: {text}" if text else ""


def objections_unanswered(now: dt.datetime) -> int:
    """Remind the bureau of each 质疑 not answered yet (once per objection)."""
    count = 0
    for objection in Objection.objects.filter(answered_at__isnull=True).select_related(
        "tender__project"
    ):
        created = notification_create(
            recipients=_bureau_staff(objection.tender.project.bureau_id),
            kind="objection_unanswered",
            title=_("Objection (质疑) awaiting your answer: %(t)s") % {"t": objection.tender.title},
            body=_("Answer within 7 working days of receipt (政府采购法实施条例第52条)."),
            url=objection.tender.get_absolute_url(),
            key=f"objection-{objection.pk}",
        )
        count += len(created)
    return count
