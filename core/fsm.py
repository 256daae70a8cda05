"""Running a django-fsm transition the one way Sanshe does it: locked, checked, logged, atomic."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.models import TransitionLog
from core.permissions import ActionRefusedError, Decision, refuse_unless

__all__ = [
    "ActionRefusedError",
    "Guard",
    "check_permission",
    "check_transition",
    "claim_transition",
    "lazy_guard",
    "log_event",
    "log_transition",
    "refusal",
    "run_transition",
    "state_of",
]

M = TypeVar("M", bound=models.Model)
Check = Callable[[Any, Any], Decision]


class Guard:
    """A django-fsm `permission=` callable that keeps the `can_*` check it wraps.

    django-fsm only needs a bool; run_transition asks the wrapped check again to get the reason.
    """

    def __init__(self, check: Check) -> None:
        self.check = check

    def __call__(self, instance: Any, user: Any) -> bool:
        return bool(self.check(user, instance))


def lazy_guard(module: str, name: str) -> Guard:
    """A Guard for `module.name`, looked up when first asked: an app's permissions module
    imports its models, so the models name the rule and find it at call time."""

    def check(user: Any, obj: Any) -> Decision:
        rule: Check = getattr(importlib.import_module(module), name)
        return rule(user, obj)

    check.__name__ = name
    return Guard(check)


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
    refuse_unless(decision)
    method = getattr(locked, transition)
    if not can_proceed(method):  # pragma: no cover - check_transition covers the same ground
        raise ActionRefusedError(_("This action is not possible in the current state."))
    source = getattr(locked, state_field)
    method(**kwargs)
    fields = {state_field, *update_fields}
    locked.save(update_fields=sorted(fields))
    log_transition(
        locked,
        transition,
        source=source,
        target=getattr(locked, state_field),
        actor=actor,
        note=note,
    )
    if on_commit is not None:
        transaction.on_commit(on_commit)
    for field in fields:
        name = locked._meta.get_field(field).attname  # type: ignore[union-attr]
        obj.__dict__[name] = locked.__dict__[name]
    return locked


def log_transition(
    subject: models.Model, transition: str, *, source: str, target: str, actor: Any, note: str = ""
) -> TransitionLog:
    """The one writer of transition log rows: run_transition, claim_transition and every other
    place that logs (a test holds that nothing else creates them).

    The convention for the states: `source` is the subject's state before the event, "" when
    the subject did not exist before it (a creation) or has no state; `target` its state after.
    An event that moves no state logs the current state as both (see `log_event`).
    """
    return TransitionLog.objects.create(
        subject=subject,
        transition=transition,
        source_state=source,
        target_state=target,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


def state_of(subject: models.Model, state_field: str = "state") -> str:
    """The subject's state as logged: its state field's value, "" for a model without one."""
    return str(getattr(subject, state_field, "") or "")


def log_event(
    subject: models.Model,
    event: str,
    *,
    actor: Any,
    note: str = "",
    created: bool = False,
    state_field: str = "state",
) -> TransitionLog:
    """Log an event that moves no state (an edit, a recorded fact) or a creation (`created`:
    nothing before it, so the source is ""), by the one convention of `log_transition`."""
    state = state_of(subject, state_field)
    return log_transition(
        subject, event, source="" if created else state, target=state, actor=actor, note=note
    )


def claim_transition(
    obj: M,
    transition: str,
    *,
    actor: Any,
    note: str = "",
    refused: Any = None,
    update_fields: Iterable[str] = (),
    state_field: str = "state",
    **kwargs: Any,
) -> M:
    """Run `transition` exactly once: a conditional UPDATE moves the row only if it is still in
    the state it was read in, so of two concurrent callers one claims it and the other is
    refused with `refused` (or the generic message), whatever the isolation level.

    The declared transition decides the target state and the other fields it sets; its
    permission and conditions are checked as run_transition checks them; the log row is
    written by the same writer. Must be called inside `transaction.atomic()`.
    """
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    decision = check_transition(fresh, transition, actor)
    if not decision:
        raise ActionRefusedError(str(refused or decision.reason))
    source = getattr(fresh, state_field)
    getattr(fresh, transition)(**kwargs)
    fields = {state_field, *update_fields}
    values = {
        fresh._meta.get_field(f).attname: getattr(  # type: ignore[union-attr]
            fresh,
            fresh._meta.get_field(f).attname,  # type: ignore[union-attr]
        )
        for f in fields
    }
    claimed = type(obj)._default_manager.filter(pk=obj.pk, **{state_field: source}).update(**values)
    if claimed != 1:
        raise ActionRefusedError(
            str(refused or _("This action is not possible in the current state."))
        )
    log_transition(
        fresh, transition, source=source, target=values[state_field], actor=actor, note=note
    )
    for name, value in values.items():
        obj.__dict__[name] = value
    return fresh
