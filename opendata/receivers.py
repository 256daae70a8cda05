"""Hooks: publish a project's new releases once the transaction that changed it commits.

opendata is the top layer, so it listens rather than being called: every state change is a
`TransitionLog` row (core.fsm.run_transition and the few services that log by hand), and the
events that are not state changes are rows of their own (an objection, a contract amendment)
or send `core.signals.public_notice` (an answered clarification). Each marks its project; after the commit the project's
releases are synced once, however many rows the transaction wrote. The sync is idempotent,
and `manage.py sync_ocds` repeats it for every project should a process die between the commit
and the sync.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.models import TransitionLog
from core.signals import public_notice
from opendata.services import project_releases_sync
from procurement.models import Clarification, ContractAmendment, Objection
from projects.models import ServiceProject

logger = logging.getLogger(__name__)
_pending = threading.local()


def _project_id(obj: Any) -> int | None:
    """The project a logged object belongs to (bids, milestones and payments through theirs)."""
    if isinstance(obj, ServiceProject):
        return obj.pk
    for path in ("project_id", "tender.project_id", "contract.project_id"):
        value: Any = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return int(value)
    milestone = getattr(obj, "milestone", None)
    if milestone is not None:
        return int(milestone.contract.project_id)
    return None


def _flush() -> None:
    ids = sorted(getattr(_pending, "ids", set()))
    _pending.ids = set()
    for project in ServiceProject.objects.filter(pk__in=ids):
        project_releases_sync(project=project)


def mark(project_id: int | None) -> None:
    if project_id is None:
        return
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    ids.add(project_id)
    # The first flush after the commit syncs every marked project; the callbacks the other
    # rows registered then find nothing left. If the transaction rolls back, Django drops its
    # callbacks and the ids left behind are synced (finding nothing new) after the next commit.
    # robust: a failed publication is logged, never turned into an error of the request whose
    # change is already committed; sync_ocds publishes it later.
    transaction.on_commit(_flush, robust=True)


@receiver(post_save, sender=TransitionLog, dispatch_uid="opendata.transition")
def on_transition(sender: Any, instance: TransitionLog, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    # get_for_id is served from the content-type cache: no query for logs of other apps.
    if ContentType.objects.get_for_id(instance.content_type_id).app_label not in (
        "projects",
        "procurement",
        "funds",
        "evaluation",
    ):
        return
    subject = instance.subject
    if subject is not None:
        mark(_project_id(subject))


@receiver(post_save, sender=Clarification, dispatch_uid="opendata.clarification")
@receiver(post_save, sender=Objection, dispatch_uid="opendata.objection")
def on_tender_row(sender: Any, instance: Clarification | Objection, **kwargs: Any) -> None:
    mark(instance.tender.project_id)


@receiver(public_notice, dispatch_uid="opendata.public_notice")
def on_public_notice(sender: Any, project_id: int, **kwargs: Any) -> None:
    mark(project_id)


@receiver(post_save, sender=ContractAmendment, dispatch_uid="opendata.amendment")
def on_amendment(sender: Any, instance: ContractAmendment, **kwargs: Any) -> None:
    mark(instance.contract.project_id)
