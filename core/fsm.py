"""Running a django-fsm transition the one way Sanshe does it: locked, checked, logged, atomic."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.models import TransitionLog
from core.permissions import Decision

M = TypeVar("M", bound=models.Model)
Check = Callable[[Any, Any], Decision]


class ActionRefusedError(Exception):
    """A use case was refused (permission, state or rule); the message is for the user."""


class Guard:
    """A django-fsm `permission=` callable that keeps the `can_*` check it wraps.

    django-fsm only needs a bool; run_transition asks the wrapped check again to get the reason.
    """

    def __init__(self, check: Check) -> None:
        self.check = check

    def __call__(self, instance: Any, user: Any) -> bool:
        return bool(self.check(user, instance))


def refusal(message: Any) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    """Attach the message shown to a user when a transition condition fails."""

    def decorate(fn: Callable[..., bool]) -> Callable[..., bool]:
        fn.refusal = message  # type: ignore[attr-defined]
        return fn

    return decorate


def check_permission(obj: models.Model, transition: str, actor: Any) -> Decision:
    """Only the permission part of a transition: may `actor` ever run it on `obj`?"""
    spec = getattr(obj, transition)._django_fsm.get_transition(
        getattr(obj, transition)._django_fsm.field.get_state(obj)
    )
    guard = spec.permission if spec is not None else None
    if isinstance(guard, Guard):
        return guard.check(actor, obj)
    return Decision(True)


def check_transition(obj: models.Model, transition: str, actor: Any) -> Decision:
    """Whether `actor` may run `transition` on `obj` now, with the reason if not."""
    method = getattr(obj, transition)
    meta = method._django_fsm
    state = meta.field.get_state(obj)
    spec = meta.get_transition(state)
    if spec is None:
        return Decision(False, _("This action is not possible in the current state."))
    guard = spec.permission
    if isinstance(guard, Guard):
        decision = guard.check(actor, obj)
        if not decision:
            return decision
    elif guard is not None and not spec.has_perm(obj, actor):
        return Decision(False, _("You are not allowed to do this."))
    for condition in spec.conditions or ():
        if not condition(obj):
            message = getattr(condition, "refusal", None) or _(
                "A condition for this action is not met."
            )
            return Decision(False, message)
    return Decision(True)


def run_transition(
    obj: M,
    transition: str,
    *,
    actor: Any,
    note: str = "",
    update_fields: Iterable[str] = (),
    state_field: str = "state",
    on_commit: Callable[[], None] | None = None,
    **kwargs: Any,
) -> M:
    """Lock `obj`, check and run `transition` on the locked row, save it and log it.

    Must be called inside `transaction.atomic()`; returns the locked, updated instance and
    copies the saved fields onto `obj` so the caller's instance stays current.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    decision = check_transition(locked, transition, actor)
    if not decision:
        raise ActionRefusedError(str(decision.reason))
    method = getattr(locked, transition)
    if not can_proceed(method):  # pragma: no cover - check_transition covers the same ground
        raise ActionRefusedError(_("This action is not possible in the current state."))
    source = getattr(locked, state_field)
    method(**kwargs)
    fields = {state_field, *update_fields}
    locked.save(update_fields=sorted(fields))
    TransitionLog.objects.create(
        subject=locked,
        transition=transition,
        source_state=source,
        target_state=getattr(locked, state_field),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
    if on_commit is not None:
        transaction.on_commit(on_commit)
    for field in fields:
        name = locked._meta.get_field(field).attname  # type: ignore[union-attr]
        obj.__dict__[name] = locked.__dict__[name]
    return locked
