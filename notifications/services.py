"""Creating, delivering and reading notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications import sms
from notifications.models import MAX_ATTEMPTS, Notification, Preference


def notification_create(
    *, recipients: Iterable[Any], kind: str, title: str, body: str = "", url: str = "", key: str
) -> list[Notification]:
    """One inbox entry per recipient (a repeated key is ignored); delivery is queued after the
    surrounding transaction commits, so a rolled-back event sends nothing and the request never
    waits for a mail server."""
    created: list[Notification] = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind[:40],
                    key=key[:200],
                    title=str(title)[:200],
                    body=str(body),
                    url=url[:300],
                )
        except IntegrityError:
            continue
        created.append(note)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int]) -> None:
    # late: notifications.tasks imports this module
    from notifications.tasks import deliver_notification

    for pk in ids:
        deliver_notification.enqueue(pk)


def preference_for(user: Any) -> Preference:
    pref, _created = Preference.objects.get_or_create(user=user)
    return pref


def notification_deliver(*, pk: int) -> str:
    """Send one notification by e-mail and SMS as its recipient prefers; mark it delivered.

    A failure is counted and re-raised (the task fails); the tick queues it again until
    MAX_ATTEMPTS. Claimed with a conditional UPDATE so two workers never both send it."""
    note = Notification.objects.select_related("recipient").get(pk=pk)
    if note.delivered_at is not None:
        return "already delivered"
    pref = preference_for(note.recipient)
    try:
        channels = []
        if pref.email and note.recipient.email and not pref.daily_digest:
            with override(settings.LANGUAGE_CODE):
                send_mail(
                    subject=f"[三社] {note.title}",
                    message=f"{note.body}\n\n{_link(note.url)}",
                    from_email=None,
                    recipient_list=[note.recipient.email],
                )
            channels.append("email")
        if pref.sms and pref.mobile:
            sms.sender().send(pref.mobile, f"【三社】{note.title}")
            channels.append("sms")
    except Exception as exc:
        Notification.objects.filter(pk=pk).update(
            attempts=note.attempts + 1, last_error=str(exc)[:300]
        )
        raise
    claimed = Notification.objects.filter(pk=pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now(), attempts=note.attempts + 1, last_error=""
    )
    return ",".join(channels) if claimed else "already delivered"


def _link(url: str) -> str:
    base = getattr(settings, "SANSHE_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url else ""


def notifications_retry(*, now: dt.datetime) -> int:
    """Queue again what the worker failed to deliver (or never picked up) a while ago."""
    stale = list(
        Notification.objects.filter(
            delivered_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created_at__lt=now - dt.timedelta(minutes=5),
        ).values_list("pk", flat=True)[:500]
    )
    _enqueue(stale)
    return len(stale)


def digests_send(*, now: dt.datetime) -> int:
    """Once a day (from 08:00), one e-mail per person who asked for a digest, listing what came
    in since the last one. Marked per notification, so a second run sends nothing again."""
    if timezone.localtime(now).hour < 8:
        return 0
    sent = 0
    for pref in Preference.objects.filter(daily_digest=True, email=True).select_related("user"):
        notes = list(
            Notification.objects.filter(recipient=pref.user, in_digest_at__isnull=True).order_by(
                "created_at"
            )[:200]
        )
        if not notes or not pref.user.email:
            continue
        with override(settings.LANGUAGE_CODE):
            send_mail(
                subject=_("[三社] %(n)s notifications today") % {"n": len(notes)},
                message="\n\n".join(f"· {n.title}\n  {n.body}\n  {_link(n.url)}" for n in notes),
                from_email=None,
                recipient_list=[pref.user.email],
            )
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(in_digest_at=now)
        sent += 1
    return sent


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=list(ids))
    return mine.update(read_at=timezone.now())
