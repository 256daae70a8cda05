"""Notifications: created inside the event's transaction, delivered after commit by the task,
retried by the tick, per-user preferences and the daily digest; never sent for a rolled-back
event; events of other apps (a deliverable arriving, an expert on a panel, an unanswered 质疑)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.signals import notice
from notifications.models import Notification, Preference
from notifications.services import digests_send, notification_deliver, notifications_retry
from tests.factories.accounts import BureauStaffFactory, ExpertFactory, NgoUserFactory

pytestmark = pytest.mark.django_db


def _send(user, key="k1"):
    notice.send(
        sender=None,
        recipients=[user],
        kind="test",
        title="定期报告即将到期",
        body="请按时提交",
        url="/supervision/",
        key=key,
    )


def test_notice_creates_inbox_entry_once_and_queues_after_commit(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    user = NgoUserFactory(email="ngo@example.cn")
    queued = []
    monkeypatch.setattr("notifications.services._enqueue", lambda ids: queued.extend(ids))
    with django_capture_on_commit_callbacks(execute=True):
        _send(user)
        _send(user)  # the same key again: kept once
        assert queued == []  # nothing leaves before the commit
    assert Notification.objects.filter(recipient=user).count() == 1
    assert queued == [Notification.objects.get().pk]


def test_rolled_back_event_sends_nothing(db, monkeypatch):
    user = NgoUserFactory()
    queued = []
    monkeypatch.setattr("notifications.services._enqueue", lambda ids: queued.extend(ids))
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(user)
        raise RuntimeError
    assert not Notification.objects.exists() and queued == []


def test_delivery_by_email_and_sms_per_preference(db, monkeypatch):
    user = NgoUserFactory(email="ngo@example.cn")
    Preference.objects.create(user=user, email=True, sms=True, mobile="13800001234")
    texts = []
    monkeypatch.setattr(
        "notifications.sms.LoggingSender.send",
        lambda self, mobile, text: texts.append((mobile, text)),
    )
    _send(user)
    note = Notification.objects.get()
    assert notification_deliver(pk=note.pk) == "email,sms"
    assert len(mail.outbox) == 1 and "定期报告即将到期" in mail.outbox[0].subject
    assert texts == [("13800001234", "【三社】定期报告即将到期")]
    assert notification_deliver(pk=note.pk) == "already delivered"
    assert len(mail.outbox) == 1


def test_failed_delivery_is_counted_and_retried_by_the_tick(db, monkeypatch):
    user = NgoUserFactory(email="ngo@example.cn")
    _send(user)
    note = Notification.objects.get()

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("notifications.services.send_mail", broken)
    with pytest.raises(OSError):
        notification_deliver(pk=note.pk)
    note.refresh_from_db()
    assert note.attempts == 1 and note.delivered_at is None and "SMTP" in note.last_error
    queued = []
    monkeypatch.setattr("notifications.services._enqueue", lambda ids: queued.extend(ids))
    assert notifications_retry(now=timezone.now()) == 0  # too recent
    assert notifications_retry(now=timezone.now() + dt.timedelta(minutes=10)) == 1
    assert queued == [note.pk]


def test_daily_digest_replaces_single_mails(db):
    user = NgoUserFactory(email="ngo@example.cn")
    Preference.objects.create(user=user, daily_digest=True)
    _send(user, "a")
    _send(user, "b")
    for n in Notification.objects.all():
        notification_deliver(pk=n.pk)
    assert mail.outbox == []
    morning = timezone.localtime().replace(hour=9)
    assert digests_send(now=morning) == 1
    assert len(mail.outbox) == 1 and "2" in mail.outbox[0].subject
    assert digests_send(now=morning) == 0


def test_inbox_preferences_and_safe_open(db, login):
    user = NgoUserFactory()
    _send(user)
    notice.send(
        sender=None,
        recipients=[user],
        kind="x",
        title="外链",
        url="https://evil.example/",
        key="evil",
    )
    client = login(user)
    page = client.get(reverse("notifications:inbox"))
    assert "定期报告即将到期" in page.content.decode()
    note = Notification.objects.get(key="k1")
    assert client.post(reverse("notifications:open", args=[note.pk]))["Location"] == "/supervision/"
    evil = Notification.objects.get(key="evil")
    assert client.post(reverse("notifications:open", args=[evil.pk]))["Location"] == reverse(
        "notifications:inbox"
    )
    note.refresh_from_db()
    assert note.read_at
    # Someone else's notification is not theirs to open or read.
    _send(user, "k3")
    other = login(NgoUserFactory())
    other.post(reverse("notifications:mark_read"))
    assert Notification.objects.get(key="k3").read_at is None
    assert "定期报告" not in other.get(reverse("notifications:inbox")).content.decode()
    bad = client.post(reverse("notifications:preferences"), {"sms": "on", "mobile": ""})
    assert bad.status_code == 302 and not Preference.objects.get(user=user).sms
    client.post(reverse("notifications:preferences"), {"email": "on", "daily_digest": "on"})
    assert Preference.objects.get(user=user).daily_digest


def test_deliverable_arriving_reaches_the_bureau(money):
    from funds.models import Deliverable

    Deliverable.objects.create(
        milestone=money["midterm"], title="中期服务报告", submitted_by=money["ngo"]
    )
    note = Notification.objects.get(recipient=money["staff"])
    assert note.kind == "deliverable_arrived" and "中期服务报告" in note.title


def _tender():
    from projects.models import ProjectState
    from tests.factories.projects import ServiceProjectFactory
    from tests.procurement.conftest import make_tender

    project = ServiceProjectFactory(state=ProjectState.APPROVED)
    return make_tender(project, BureauStaffFactory(organization=project.bureau))


def test_expert_added_to_panel_is_told(db):
    from procurement.models import PanelMember

    expert = ExpertFactory()
    PanelMember.objects.create(tender=_tender(), user=expert)
    assert Notification.objects.get(recipient=expert).kind == "panel_added"


def test_unanswered_objection_reminds_the_bureau_once(db):
    from core.ticks import run_all
    from procurement.models import Objection

    tender = _tender()
    staff = BureauStaffFactory(organization=tender.project.bureau)
    Objection.objects.create(
        tender=tender, bidder=NgoUserFactory().organization, text="评分标准有倾向性"
    )
    run_all(timezone.now())
    run_all(timezone.now())
    assert Notification.objects.filter(recipient=staff, kind="objection_unanswered").count() == 1
