"""Rules other apps add to a project's approval (立项), e.g. that its budget is covered by the
bureau's annual plan. Each check returns the reason it refuses, or None; the project app never
imports the apps that register them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ApprovalCheck = Callable[[Any], str | None]
_checks: list[ApprovalCheck] = []


def register(check: ApprovalCheck) -> ApprovalCheck:
    if check not in _checks:
        _checks.append(check)
    return check


def approval_refusals(project: Any) -> list[str]:
    """Every registered check's reason for refusing `project`, in registration order."""
    return [str(r) for r in (check(project) for check in _checks) if r]
