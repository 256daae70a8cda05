"""The delivery task, run by `manage.py db_worker` (Django's task framework)."""

from __future__ import annotations

from django_tasks import task

from notifications.services import notification_deliver


@task()
def deliver_notification(notification_id: int) -> str:
    return notification_deliver(pk=notification_id)
