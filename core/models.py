"""Cross-cutting records: the transition log that every state machine in Sanshe writes to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove history."""


class AppendOnlyQuerySet(models.QuerySet["TransitionLog"]):
    # Bulk update/delete would bypass Model.save/delete, so refuse them here too.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("history rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("history rows are append-only")


class TransitionLog(models.Model):
    """One row per state change of any object: who moved it, from where to where, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, db_index=True)
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("transition"), max_length=64)
    source_state = models.CharField(_("from"), max_length=32)
    target_state = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    note = models.TextField(_("note"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.content_type.model}#{self.object_id} {self.source_state}→{self.target_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("history rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("history rows are append-only")

    @classmethod
    def for_object(cls, obj: models.Model) -> models.QuerySet[TransitionLog]:
        ct = ContentType.objects.get_for_model(obj)
        return cls.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(FSMModelMixin, models.Model):
    """A long export built by a background task: who asked for what, its progress and the file.

    Its steps are declared transitions like every other state change (queued → running →
    done or failed), each claimed by a conditional UPDATE through `core.fsm.claim_transition`,
    so a task delivered twice builds once and every step is in the transition log.
    """

    kind = models.CharField(_("export"), max_length=40)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="export_jobs",
    )
    state = FSMField(
        _("state"),
        max_length=10,
        choices=ExportState.choices,
        default=ExportState.QUEUED,
        protected=True,
    )
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    # How far a running job is (0 to 100), and its result in one line (a verification's verdict).
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    summary = models.CharField(_("result"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == ExportState.DONE and bool(self.file)

    # No permission on these: the worker runs them for the requester, whose right to the export
    # is checked when it is asked for and again before the file is built.
    @transition(field=state, source=ExportState.QUEUED, target=ExportState.RUNNING)
    def start(self) -> None:
        self.started_at = timezone.now()

    @transition(field=state, source=ExportState.RUNNING, target=ExportState.DONE)
    def finish(self, *, file: str, filename: str, rows: int) -> None:
        self.file.name = file
        self.filename, self.rows, self.progress = filename, rows, 100
        self.finished_at = timezone.now()

    @transition(field=state, source=ExportState.RUNNING, target=ExportState.FAILED)
    def fail(self, *, error: str) -> None:
        self.error = error
        self.finished_at = timezone.now()


class IdempotencyKey(models.Model):
    """The stored answer to an API request sent with an `Idempotency-Key` header.

    Written in the same transaction as the change it answers, so a key exists exactly when its
    change was committed; a client retrying after a lost response gets this answer back instead
    of a second payment, bid or import. Keys are per user: two users never share one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    # SHA-256 of method, path and the canonical body: the same key with another request is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("response status"), null=True)
    # The JSON text as sent (a JSONField on PostgreSQL would reorder its keys in the replay).
    body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} {self.method} {self.path} → {self.status}"


class HolidayYear(models.Model):
    """One year's official holiday arrangement, as the 国务院办公厅 notice publishes it.

    The `chinese-calendar` package is the default; a year recorded here overrides it, and a year
    known to neither is refused by core.workdays rather than guessed (issue 12).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.CharField(
        _("official notice"),
        max_length=200,
        help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕x号)"),
    )
    holidays = models.TextField(
        _("days off"),
        help_text=_("One date (2027-02-06) or range (2027-02-06..2027-02-13) per line."),
    )
    workdays = models.TextField(
        _("weekend days worked (调休)"),
        blank=True,
        help_text=_("Saturdays and Sundays that are working days, one date per line."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.notice}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from core.workdays import forget_arrangements  # late: core.workdays imports these models

        super().save(*args, **kwargs)
        transaction_on_commit(forget_arrangements)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        from core.workdays import forget_arrangements  # late: core.workdays imports these models

        result = super().delete(*args, **kwargs)
        transaction_on_commit(forget_arrangements)
        return result

    def clean(self) -> None:
        from core.workdays import parse_days  # late: core.workdays imports these models

        parse_days(self.holidays, self.year, field="holidays")
        parse_days(self.workdays, self.year, field="workdays")


def transaction_on_commit(fn: Any) -> None:
    """Run `fn` now and again after the commit (a rollback must not leave a stale cache)."""
    fn()
    transaction.on_commit(fn)
