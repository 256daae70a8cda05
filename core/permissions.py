"""The shape every permission check in Sanshe returns: allowed, plus a reason a user can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ActionRefusedError(Exception):
    """A use case was refused (permission, state or rule); the message is for the user.

    A page shows it as a message, the API answers 409 with it (core.api.exception_handler).
    """


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | Promise = ""

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Views and the API: raise PermissionDenied with the reason when not allowed (a 403
        page or answer). Services refuse with `refuse_unless(decision)` instead."""
        if not self.allowed:
            raise PermissionDenied(str(self.reason))


ALLOW = Decision(True)


def refuse_unless(decision: Decision) -> None:
    """Services: raise ActionRefusedError with the rule's reason when `decision` refuses.

    The one `_require`-style helper: a page turns the refusal into a message, the API into 409.
    """
    if not decision:
        raise ActionRefusedError(str(decision.reason))


def deny(reason: str | Promise) -> Decision:
    return Decision(False, reason)


def as_predicate(check: Callable[[Any, Any], Decision]) -> Callable[[Any, Any], bool]:
    """Adapt a can_* function to a `rules` predicate so admin and DRF see the same rule."""

    def predicate(user: Any, obj: Any = None) -> bool:
        if obj is None:
            return False
        return bool(check(user, obj))

    predicate.__name__ = check.__name__
    return predicate


def can_download_export(user: Any, job: Any) -> Decision:
    """An export holds what its requester was allowed to see, so only they download it."""
    if not user.is_authenticated:
        return deny(_("Please log in first."))
    if job.requested_by_id != user.pk:
        return deny(_("Only the person who asked for an export can download it."))
    # late: core.jobs imports this module for Decision
    from core.jobs import export_kind_get

    kind = export_kind_get(job.kind)
    if kind is not None:
        # What the requester may read now, not when they asked: a changed role or bureau
        # keeps them from a file made of what they could read then.
        decision = kind.permission(user)
        if not decision.allowed:
            return decision
        if not kind.kept(user, job):
            return deny(_("You no longer read the book as when this was made; ask for it again."))
    return ALLOW
